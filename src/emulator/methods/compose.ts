/**
 * Building blocks of every send* method: text and captions with parse modes, reply
 * markup, replies, topics, and turning InputFile parameters into stored files.
 * @module
 */

import { ApiError, badRequest, notModelled } from "../api_error.ts";
import { detectEntities, type Entity, mergeEntities } from "../entities.ts";
import { type FileKind, type FileRecord, MAX_UPLOAD } from "../files.ts";
import { parseMarkup } from "../markup.ts";
import type { ChatRec, MessageObj, Obj, World } from "../world.ts";
import { array, bool, type Ctx, int, object, str } from "./context.ts";

/** Maximum length of a message text (UTF-16 code units, as Telegram counts). */
export const MAX_TEXT = 4096;
/** Maximum length of a media caption. */
export const MAX_CAPTION = 1024;

/**
 * Applies parse_mode / entities to a text and adds the entities Telegram detects itself.
 */
export function formatText(
  text: string,
  parseMode: unknown,
  entitiesParam: unknown,
  entitiesName = "entities",
): { text: string; entities?: Entity[] } {
  let plain = text;
  let given: Entity[] = [];
  const explicit = array(entitiesParam, entitiesName);
  if (explicit && explicit.length > 0) {
    given = checkEntities(explicit, text.length);
  } else if (typeof parseMode === "string" && parseMode !== "") {
    const parsed = parseMarkup(text, parseMode);
    plain = parsed.text;
    given = parsed.entities;
  }
  const all = mergeEntities(given, detectEntities(plain));
  return all.length > 0 ? { text: plain, entities: all } : { text: plain };
}

function checkEntities(list: unknown[], length: number): Entity[] {
  const out: Entity[] = [];
  for (const raw of list) {
    if (typeof raw !== "object" || raw === null) {
      throw badRequest("can't parse entities JSON object");
    }
    const e = raw as Entity;
    const offset = int(e.offset);
    const len = int(e.length);
    if (typeof e.type !== "string" || offset === undefined || len === undefined) {
      throw badRequest('can\'t parse MessageEntity: Field "type" must be of type String');
    }
    if (offset < 0 || len <= 0 || offset + len > length) continue;
    out.push({ ...e, offset, length: len });
  }
  return out.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

/** The text of sendMessage / editMessageText, checked for emptiness and length. */
export function messageText(p: Obj): { text: string; entities?: Entity[] } {
  const raw = str(p.text) ?? "";
  const out = formatText(raw, p.parse_mode, p.entities);
  if (out.text.trim().length === 0) throw badRequest("message text is empty");
  if (out.text.length > MAX_TEXT) throw badRequest("message is too long");
  return out;
}

/** caption / caption_entities fields of a media message (empty object when no caption). */
export function captionFields(p: Obj): Obj {
  const raw = str(p.caption);
  if (raw === undefined || raw === "") return {};
  const out = formatText(raw, p.parse_mode, p.caption_entities, "caption_entities");
  if (out.text.length > MAX_CAPTION) throw badRequest("message caption is too long");
  const fields: Obj = { caption: out.text };
  if (out.entities) fields.caption_entities = out.entities;
  if (bool(p.show_caption_above_media)) fields.show_caption_above_media = true;
  return fields;
}

const BUTTON_ACTIONS = [
  "url",
  "callback_data",
  "web_app",
  "login_url",
  "switch_inline_query",
  "switch_inline_query_current_chat",
  "switch_inline_query_chosen_chat",
  "copy_text",
  "callback_game",
  "pay",
];

/**
 * Checks reply_markup and returns what Telegram attaches to the sent Message: only inline
 * keyboards are part of a Message; reply keyboards, removal and force_reply are not.
 */
export function replyMarkup(value: unknown): Obj | undefined {
  const markup = object(value, "reply_markup");
  if (!markup) return undefined;
  if (Array.isArray(markup.inline_keyboard)) {
    for (const row of markup.inline_keyboard) {
      if (!Array.isArray(row)) {
        throw badRequest(
          "can't parse inline keyboard button: InlineKeyboardButton must be an Object",
        );
      }
      for (const b of row as Obj[]) {
        if (typeof b !== "object" || b === null || typeof b.text !== "string") {
          throw badRequest(
            'can\'t parse inline keyboard button: Field "text" must be of type String',
          );
        }
        const actions = BUTTON_ACTIONS.filter((k) => b[k] !== undefined);
        if (actions.length === 0) {
          throw badRequest(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
          );
        }
        if (typeof b.callback_data === "string") {
          const bytes = new TextEncoder().encode(b.callback_data).length;
          if (bytes < 1 || bytes > 64) throw badRequest("BUTTON_DATA_INVALID");
        }
        if (typeof b.url === "string" && !/^(https?|tg):\/\/\S+$/i.test(b.url)) {
          throw badRequest("inline keyboard button URL '" + b.url + "' is invalid: Wrong HTTP URL");
        }
      }
    }
    return markup.inline_keyboard.length > 0
      ? { inline_keyboard: markup.inline_keyboard }
      : undefined;
  }
  if (Array.isArray(markup.keyboard)) {
    for (const row of markup.keyboard) {
      if (!Array.isArray(row)) {
        throw badRequest(
          "can't parse keyboard button: KeyboardButton must be a String or an Object",
        );
      }
    }
    return undefined;
  }
  if (markup.remove_keyboard === true || markup.force_reply === true) return undefined;
  throw badRequest("can't parse reply keyboard markup JSON object");
}

/** A copy of a message fit to be nested as reply_to_message (no nested reply). */
export function nestedCopy(msg: MessageObj): Obj {
  const copy: Obj = { ...msg };
  delete copy.reply_to_message;
  return copy;
}

/** reply_to_message / external_reply fields for reply_parameters (or legacy reply_to_message_id). */
export function replyFields(world: World, chat: ChatRec, p: Obj): Obj {
  const rp = object(p.reply_parameters, "reply_parameters") ??
    (p.reply_to_message_id !== undefined
      ? {
        message_id: p.reply_to_message_id,
        allow_sending_without_reply: p.allow_sending_without_reply,
      }
      : undefined);
  if (!rp) return {};
  const id = int(rp.message_id);
  const target = rp.chat_id !== undefined && rp.chat_id !== chat.id
    ? world.chatOf(rp.chat_id)
    : chat;
  const msg = id === undefined ? undefined : world.message(target, id);
  if (!msg) {
    if (bool(rp.allow_sending_without_reply)) return {};
    throw badRequest("message to be replied not found");
  }
  if (target !== chat) {
    const external: Obj = {
      origin: originOf(world, msg),
      chat: target.chat,
      message_id: msg.message_id,
    };
    for (const k of MEDIA_KEYS) if (msg[k] !== undefined) external[k] = msg[k];
    return { external_reply: external };
  }
  const out: Obj = { reply_to_message: nestedCopy(msg) };
  const quote = str(rp.quote);
  if (quote) {
    const base = str(msg.text) ?? str(msg.caption) ?? "";
    const position = base.indexOf(quote);
    if (position < 0) throw badRequest("QUOTE_TEXT_INVALID");
    out.quote = { text: quote, position, is_manual: true };
  }
  return out;
}

/** The content fields of a message that carry media or other non-text content. */
export const MEDIA_KEYS = [
  "animation",
  "audio",
  "document",
  "live_photo",
  "paid_media",
  "photo",
  "sticker",
  "story",
  "video",
  "video_note",
  "voice",
  "checklist",
  "contact",
  "dice",
  "game",
  "invoice",
  "location",
  "poll",
  "venue",
];

/** The forward_origin describing where `msg` came from. */
export function originOf(world: World, msg: MessageObj): Obj {
  if (msg.forward_origin) return msg.forward_origin as Obj;
  const chat = msg.chat;
  if (chat.type === "channel") {
    return { type: "channel", chat, message_id: msg.message_id, date: msg.date };
  }
  if (msg.sender_chat) return { type: "chat", date: msg.date, sender_chat: msg.sender_chat };
  const from = msg.from as Obj | undefined;
  return { type: "user", date: msg.date, sender_user: from ?? world.bot };
}

/** message_thread_id fields for forum supergroups (checked to exist). */
export function threadFields(chat: ChatRec, p: Obj): Obj {
  const thread = int(p.message_thread_id);
  if (thread === undefined || !chat.chat.is_forum) return {};
  if (!chat.topics.has(thread)) throw badRequest("message thread not found");
  return thread === 1 ? {} : { message_thread_id: thread, is_topic_message: true };
}

/**
 * The common part of every send*: resolves the chat, checks the bot may post there,
 * computes thread/reply fields, stores the message and returns it.
 */
export function postFromBot(ctx: Ctx, chat: ChatRec, content: Obj): MessageObj {
  const { world, p } = ctx;
  const head: Obj = { ...threadFields(chat, p), ...replyFields(world, chat, p) };
  const markup = replyMarkup(p.reply_markup);
  const tail: Obj = {};
  if (bool(p.protect_content)) tail.has_protected_content = true;
  if (typeof p.message_effect_id === "string" && chat.chat.type === "private") {
    tail.effect_id = p.message_effect_id;
  }
  if (markup) tail.reply_markup = markup;
  return postRaw(world, chat, { ...head, ...content, ...tail });
}

/** Stores a bot message as-is (no reply/markup processing). */
export function postRaw(world: World, chat: ChatRec, content: Obj): MessageObj {
  if (chat.chat.type === "channel") {
    return world.addMessage(chat, content, { senderChat: chat.chat, byBot: true });
  }
  return world.addMessage(chat, content, { from: world.bot, byBot: true });
}

/** The chat of a send* call, checked: exists (400) and the bot may post (403). */
export function targetChat(ctx: Ctx): ChatRec {
  if (ctx.p.business_connection_id !== undefined && ctx.p.business_connection_id !== "") {
    throw notModelled(ctx.method, "business connections are not emulated");
  }
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  ctx.world.assertBotCanSend(chat);
  return chat;
}

const KIND_OK: Partial<Record<FileKind, readonly FileKind[]>> = {
  document: ["document", "audio", "video", "animation", "voice", "video_note"],
  animation: ["animation", "document"],
  video: ["video", "animation", "document"],
  audio: ["audio", "voice", "document"],
  thumbnail: ["thumbnail", "photo"],
};

/**
 * Turns an InputFile-or-String parameter into a stored file: an uploaded part (a `File`),
 * `attach://<name>` (a part named elsewhere in the request), an HTTP URL (fetched), or a
 * file_id of a file of a compatible kind.
 */
export async function inputFile(
  ctx: Ctx,
  value: unknown,
  kind: FileKind,
  name: string,
): Promise<FileRecord> {
  let v = value;
  if (typeof v === "string" && v.startsWith("attach://")) {
    v = ctx.p[v.slice("attach://".length)];
    if (!(v instanceof Blob)) throw badRequest(`can't find attached file for ${name}`);
  }
  if (v instanceof Blob) {
    if (v.size === 0) throw badRequest("file must be non-empty");
    if (v.size > MAX_UPLOAD) throw new ApiError(413, "Request Entity Too Large");
    const bytes = new Uint8Array(await v.arrayBuffer());
    const fileName = v instanceof File && v.name ? v.name : undefined;
    return ctx.world.files.add(bytes, kind, {
      fileName,
      mimeType: v.type && v.type !== "application/octet-stream" ? v.type : undefined,
    });
  }
  if (typeof v !== "string" || v === "") throw badRequest(`there is no ${name} in the request`);
  if (/^https?:\/\//i.test(v)) {
    let bytes: Uint8Array;
    try {
      bytes = await ctx.services.fetchFileUrl(v, ctx.signal);
    } catch {
      throw badRequest("failed to get HTTP URL content");
    }
    if (bytes.length === 0) throw badRequest("wrong file identifier/HTTP URL specified");
    const fileName = decodeURIComponent(new URL(v).pathname.split("/").pop() ?? "") || undefined;
    return ctx.world.files.add(bytes, kind, { fileName });
  }
  const rec = ctx.world.files.get(v);
  if (!rec) throw badRequest("wrong file identifier/HTTP URL specified");
  const ok = KIND_OK[kind] ?? [kind];
  if (!ok.includes(rec.kind)) throw badRequest("type of file mismatch");
  return rec;
}

/** The common fields of any file object (file_id, file_unique_id, file_size). */
export function fileFields(rec: FileRecord): Obj {
  return { file_id: rec.file_id, file_unique_id: rec.file_unique_id, file_size: rec.bytes.length };
}

/** A photo as Telegram sends it: an array of PhotoSize. Undecodable images are refused. */
export function photoSizes(rec: FileRecord): Obj[] {
  if (!rec.size) throw badRequest("IMAGE_PROCESS_FAILED");
  return [{ ...fileFields(rec), width: rec.size.width, height: rec.size.height }];
}

/** A thumbnail parameter turned into a PhotoSize (or undefined). */
export async function thumbnail(ctx: Ctx, value: unknown): Promise<Obj | undefined> {
  if (value === undefined || value === "") return undefined;
  const rec = await inputFile(ctx, value, "thumbnail", "thumbnail");
  return rec.size
    ? { ...fileFields(rec), width: rec.size.width, height: rec.size.height }
    : undefined;
}
