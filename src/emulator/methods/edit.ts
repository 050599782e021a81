/**
 * Methods on existing messages: forwarding, copying, editing, deleting, reactions and
 * stopping polls.
 * @module
 */

import { badRequest } from "../api_error.ts";
import type { ChatRec, MessageObj, Obj, World } from "../world.ts";
import { array, bool, type Ctx, float, type Handler, int, object, str } from "./context.ts";
import {
  captionFields,
  MEDIA_KEYS,
  messageText,
  originOf,
  postFromBot,
  replyMarkup,
  targetChat,
} from "./compose.ts";
import { mediaContent, type MediaType } from "./media.ts";

/** Fields that describe a message's envelope rather than its content. */
const ENVELOPE = new Set([
  "message_id",
  "message_thread_id",
  "direct_messages_topic",
  "from",
  "sender_chat",
  "sender_boost_count",
  "sender_business_bot",
  "sender_tag",
  "chat",
  "date",
  "business_connection_id",
  "forward_origin",
  "is_topic_message",
  "is_automatic_forward",
  "reply_to_message",
  "external_reply",
  "quote",
  "reply_to_story",
  "via_bot",
  "edit_date",
  "has_protected_content",
  "is_from_offline",
  "media_group_id",
  "author_signature",
  "reply_markup",
  "effect_id",
]);

/** Whether a message has content that can be forwarded or copied (not a service message). */
function hasContent(msg: MessageObj): boolean {
  return msg.text !== undefined || MEDIA_KEYS.some((k) => msg[k] !== undefined);
}

function contentOf(msg: MessageObj): Obj {
  const out: Obj = {};
  for (const key in msg) if (!ENVELOPE.has(key)) out[key] = msg[key];
  return out;
}

function sourceMessage(ctx: Ctx, id: unknown, what: string): { from: ChatRec; msg: MessageObj } {
  const from = ctx.world.chatOf(ctx.p.from_chat_id);
  const msg = ctx.world.message(from, int(id));
  if (!msg) throw badRequest(`message to ${what} not found`);
  if (!hasContent(msg)) {
    throw badRequest(`message can't be ${what === "forward" ? "forwarded" : "copied"}`);
  }
  if (msg.has_protected_content) {
    throw badRequest(
      `message has protected content and can't be ${what === "forward" ? "forwarded" : "copied"}`,
    );
  }
  return { from, msg };
}

function forwardOne(ctx: Ctx, chat: ChatRec, msg: MessageObj): MessageObj {
  const content: Obj = { forward_origin: originOf(ctx.world, msg), ...contentOf(msg) };
  return postFromBot(
    { ...ctx, p: { ...ctx.p, reply_markup: undefined, reply_parameters: undefined } },
    chat,
    content,
  );
}

function copyOne(ctx: Ctx, chat: ChatRec, msg: MessageObj, opts: { caption: boolean }): MessageObj {
  const content = contentOf(msg);
  if (opts.caption && ctx.p.caption !== undefined && msg.text === undefined) {
    delete content.caption;
    delete content.caption_entities;
    delete content.show_caption_above_media;
    Object.assign(content, captionFields(ctx.p));
  }
  if (bool(ctx.p.remove_caption)) {
    delete content.caption;
    delete content.caption_entities;
  }
  return postFromBot(ctx, chat, content);
}

const forwardMessage: Handler = (ctx) => {
  const { msg } = sourceMessage(ctx, ctx.p.message_id, "forward");
  return forwardOne(ctx, targetChat(ctx), msg);
};

const copyMessage: Handler = (ctx) => {
  const { msg } = sourceMessage(ctx, ctx.p.message_id, "copy");
  return { message_id: copyOne(ctx, targetChat(ctx), msg, { caption: true }).message_id };
};

function many(what: "forward" | "copy"): Handler {
  return (ctx) => {
    const chat = targetChat(ctx);
    const from = ctx.world.chatOf(ctx.p.from_chat_id);
    const ids = (array(ctx.p.message_ids, "message_ids") ?? []).map(int);
    if (ids.length === 0 || ids.length > 100) {
      throw badRequest("message_ids must contain 1-100 identifiers");
    }
    const sorted = [...new Set(ids.filter((x): x is number => x !== undefined))].sort((a, b) =>
      a - b
    );
    const found = sorted.map((id) => ctx.world.message(from, id)).filter((m): m is MessageObj =>
      m !== undefined && hasContent(m) && !m.has_protected_content
    );
    if (found.length === 0) throw badRequest(`messages to ${what} not found`);
    const p = { ...ctx.p, reply_markup: undefined, reply_parameters: undefined };
    const sub = { ...ctx, p };
    return found.map((m) => ({
      message_id:
        (what === "forward" ? forwardOne(sub, chat, m) : copyOne(sub, chat, m, { caption: false }))
          .message_id,
    }));
  };
}

/** The message an edit* call addresses; inline messages are looked up by id. */
function editTarget(ctx: Ctx): { chat?: ChatRec; msg?: MessageObj; inline?: Obj } {
  const inlineId = str(ctx.p.inline_message_id);
  if (inlineId) {
    const inline = ctx.world.store.inlineMessages.get(inlineId);
    if (!inline) throw badRequest("MESSAGE_ID_INVALID");
    return { inline };
  }
  if (ctx.p.chat_id === undefined || ctx.p.chat_id === "") throw badRequest("chat_id is empty");
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  const id = int(ctx.p.message_id);
  if (id === undefined) throw badRequest("message identifier is not specified");
  const msg = ctx.world.message(chat, id);
  if (!msg) throw badRequest("message to edit not found");
  const byBot = (msg.from as Obj | undefined)?.id === ctx.world.bot.id ||
    (chat.chat.type === "channel" && msg.sender_chat !== undefined &&
      chat.botMessageIds.includes(id));
  if (!byBot) throw badRequest("message can't be edited");
  return { chat, msg };
}

const NOT_MODIFIED =
  "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Stores an edited version of a message and returns it (or true for inline messages). */
function commitEdit(
  ctx: Ctx,
  target: ReturnType<typeof editTarget>,
  patch: Obj,
  removeKeys: string[] = [],
) {
  const markup = ctx.p.reply_markup === undefined ? undefined : replyMarkup(ctx.p.reply_markup);
  if (target.inline) {
    const next: Obj = { ...target.inline, ...patch };
    for (const k of removeKeys) delete next[k];
    if (ctx.p.reply_markup !== undefined) {
      if (markup) next.reply_markup = markup;
      else delete next.reply_markup;
    }
    if (sameJson(next, target.inline)) throw badRequest(NOT_MODIFIED);
    Object.assign(target.inline, next);
    return true;
  }
  const { chat, msg } = target as { chat: ChatRec; msg: MessageObj };
  const next: MessageObj = { ...msg, ...patch };
  for (const k of removeKeys) delete next[k];
  // Telegram drops the inline keyboard on edit unless reply_markup is passed again.
  if (markup) next.reply_markup = markup;
  else delete next.reply_markup;
  const compare = (m: MessageObj) => {
    const c: Obj = { ...m };
    delete c.edit_date;
    return c;
  };
  if (sameJson(compare(next), compare(msg))) throw badRequest(NOT_MODIFIED);
  next.edit_date = ctx.world.now();
  ctx.world.replaceMessage(chat, next);
  return next;
}

const editMessageText: Handler = (ctx) => {
  const target = editTarget(ctx);
  const current = target.msg ?? target.inline!;
  if (target.msg && current.text === undefined) {
    throw badRequest("there is no text in the message to edit");
  }
  const { text, entities } = messageText(ctx.p);
  const patch: Obj = { text };
  const remove: string[] = [];
  if (entities) patch.entities = entities;
  else remove.push("entities");
  return commitEdit(ctx, target, patch, remove);
};

const CAPTIONED = [
  "photo",
  "video",
  "animation",
  "audio",
  "document",
  "voice",
  "live_photo",
  "paid_media",
];

const editMessageCaption: Handler = (ctx) => {
  const target = editTarget(ctx);
  if (target.msg && !CAPTIONED.some((k) => target.msg![k] !== undefined)) {
    throw badRequest("there is no caption in the message to edit");
  }
  const patch = captionFields(ctx.p);
  return commitEdit(
    ctx,
    target,
    patch,
    ["caption", "caption_entities", "show_caption_above_media"].filter((k) => !(k in patch)),
  );
};

const editMessageMedia: Handler = async (ctx) => {
  const target = editTarget(ctx);
  const media = object(ctx.p.media, "media");
  const type = str(media?.type) as MediaType | undefined;
  if (
    !media || !type ||
    !["photo", "video", "animation", "audio", "document", "live_photo"].includes(type)
  ) {
    throw badRequest("can't parse InputMedia: unsupported media type");
  }
  if (target.msg && !CAPTIONED.some((k) => target.msg![k] !== undefined)) {
    throw badRequest("there is no media in the message to edit");
  }
  const content = await mediaContent(ctx, type, media.media, media);
  const remove = [
    ...CAPTIONED,
    "caption",
    "caption_entities",
    "show_caption_above_media",
    "has_media_spoiler",
  ]
    .filter((k) => !(k in content));
  return commitEdit(ctx, target, content, remove);
};

const editMessageReplyMarkup: Handler = (ctx) => commitEdit(ctx, editTarget(ctx), {});

const editMessageLiveLocation: Handler = (ctx) => {
  const target = editTarget(ctx);
  const loc = (target.msg ?? target.inline!).location as Obj | undefined;
  if (!loc || loc.live_period === undefined) throw badRequest("message can't be edited");
  const latitude = float(ctx.p.latitude);
  const longitude = float(ctx.p.longitude);
  if (latitude === undefined || latitude < -90 || latitude > 90) throw badRequest("wrong latitude");
  if (longitude === undefined || longitude < -180 || longitude > 180) {
    throw badRequest("wrong longitude");
  }
  const next: Obj = { ...loc, latitude, longitude };
  for (const k of ["horizontal_accuracy", "heading", "proximity_alert_radius", "live_period"]) {
    const v = k === "horizontal_accuracy" ? float(ctx.p[k]) : int(ctx.p[k]);
    if (v !== undefined) next[k] = v;
  }
  return commitEdit(ctx, target, { location: next });
};

const stopMessageLiveLocation: Handler = (ctx) => {
  const target = editTarget(ctx);
  const loc = (target.msg ?? target.inline!).location as Obj | undefined;
  if (!loc || loc.live_period === undefined) throw badRequest("message can't be edited");
  const next: Obj = { ...loc };
  delete next.live_period;
  return commitEdit(ctx, target, { location: next });
};

const stopPoll: Handler = (ctx) => {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  const msg = ctx.world.message(chat, int(ctx.p.message_id));
  if (!msg) throw badRequest("message to edit not found");
  const poll = msg.poll as Obj | undefined;
  if (!poll || !chat.botMessageIds.includes(msg.message_id)) {
    throw badRequest("message with poll to stop not found");
  }
  if (poll.is_closed) throw badRequest("poll has already been closed");
  const closed = { ...poll, is_closed: true };
  const markup = ctx.p.reply_markup === undefined ? undefined : replyMarkup(ctx.p.reply_markup);
  const next: MessageObj = { ...msg, poll: closed, edit_date: ctx.world.now() };
  if (markup) next.reply_markup = markup;
  else delete next.reply_markup;
  ctx.world.replaceMessage(chat, next);
  return closed;
};

/** Whether the bot may delete `msg` in `chat`. */
function canDelete(world: World, chat: ChatRec, msg: MessageObj): boolean {
  const type = chat.chat.type;
  if (type === "private") return true;
  if ((msg.from as Obj | undefined)?.id === world.bot.id) return true;
  if (type === "channel") {
    return world.botHasRight(chat, "can_delete_messages") ||
      chat.botMessageIds.includes(msg.message_id);
  }
  return world.botHasRight(chat, "can_delete_messages");
}

const deleteMessage: Handler = (ctx) => {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  const msg = ctx.world.message(chat, int(ctx.p.message_id));
  if (!msg) throw badRequest("message to delete not found");
  if (!canDelete(ctx.world, chat, msg)) throw badRequest("message can't be deleted");
  chat.messages.delete(msg.message_id);
  return true;
};

const deleteMessages: Handler = (ctx) => {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  const ids = (array(ctx.p.message_ids, "message_ids") ?? []).map(int);
  if (ids.length === 0 || ids.length > 100) {
    throw badRequest("message_ids must contain 1-100 identifiers");
  }
  for (const id of ids) {
    const msg = ctx.world.message(chat, id);
    if (msg && canDelete(ctx.world, chat, msg)) chat.messages.delete(msg.message_id);
  }
  return true;
};

const setMessageReaction: Handler = (ctx) => {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  const msg = ctx.world.message(chat, int(ctx.p.message_id));
  if (!msg) throw badRequest("message to react not found");
  const reaction = array(ctx.p.reaction, "reaction") ?? [];
  for (const r of reaction as Obj[]) {
    if (r?.type === "emoji" && typeof r.emoji !== "string") throw badRequest("REACTION_INVALID");
    if (r?.type !== "emoji" && r?.type !== "custom_emoji" && r?.type !== "paid") {
      throw badRequest("REACTION_INVALID");
    }
  }
  if (reaction.length > 1) throw badRequest("REACTIONS_TOO_MANY");
  ctx.world.store.reactions.set(`${chat.id}:${msg.message_id}`, reaction);
  return true;
};

const deleteMessageReaction: Handler = (ctx) => {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  if (!ctx.world.botHasRight(chat, "can_delete_messages")) {
    throw badRequest("not enough rights to delete reactions");
  }
  if (!ctx.world.message(chat, int(ctx.p.message_id))) throw badRequest("message not found");
  return true;
};

const deleteAllMessageReactions: Handler = (ctx) => {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  if (!ctx.world.botHasRight(chat, "can_delete_messages")) {
    throw badRequest("not enough rights to delete reactions");
  }
  return true;
};

/** Handlers on existing messages. */
export const EDIT_HANDLERS: Record<string, Handler> = {
  forwardMessage,
  forwardMessages: many("forward"),
  copyMessage,
  copyMessages: many("copy"),
  editMessageText,
  editMessageCaption,
  editMessageMedia,
  editMessageReplyMarkup,
  editMessageLiveLocation,
  stopMessageLiveLocation,
  stopPoll,
  deleteMessage,
  deleteMessages,
  setMessageReaction,
  deleteMessageReaction,
  deleteAllMessageReactions,
};
