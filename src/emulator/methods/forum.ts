/**
 * Forum topics of supergroups: creating, editing, closing, deleting and the general topic.
 * @module
 */

import { badRequest } from "../api_error.ts";
import type { ChatRec, Obj } from "../world.ts";
import { type Ctx, type Handler, int, str } from "./context.ts";
import { postRaw } from "./compose.ts";
import { group, needRight } from "./chat_access.ts";

function forum(ctx: Ctx): ChatRec {
  const chat = group(ctx, { allowChannel: false });
  if (!chat.chat.is_forum) throw badRequest("the chat is not a forum");
  needRight(ctx.world, chat, "can_manage_topics", "manage topics");
  return chat;
}

function topic(ctx: Ctx, chat: ChatRec): Obj {
  const id = int(ctx.p.message_thread_id);
  const t = id === undefined ? undefined : chat.topics.get(id);
  if (!t || id === 1) throw badRequest("message thread not found");
  return t;
}

const TOPIC_COLORS = [7322096, 16766590, 13338331, 9367192, 16749490, 16478047];

const createForumTopic: Handler = (ctx) => {
  const chat = forum(ctx);
  const name = str(ctx.p.name) ?? "";
  if (name.length < 1 || name.length > 128) throw badRequest("TOPIC_TITLE_EMPTY");
  const color = int(ctx.p.icon_color) ?? TOPIC_COLORS[0];
  if (!TOPIC_COLORS.includes(color)) throw badRequest("TOPIC_ICON_COLOR_INVALID");
  const id = chat.nextMessageId;
  const t: Obj = { message_thread_id: id, name, icon_color: color };
  const emoji = str(ctx.p.icon_custom_emoji_id);
  if (emoji) t.icon_custom_emoji_id = emoji;
  chat.topics.set(id, t);
  const created: Obj = { name, icon_color: color };
  if (emoji) created.icon_custom_emoji_id = emoji;
  postRaw(ctx.world, chat, {
    message_thread_id: id,
    forum_topic_created: created,
    is_topic_message: true,
  });
  return t;
};

const editForumTopic: Handler = (ctx) => {
  const chat = forum(ctx);
  const t = topic(ctx, chat);
  const name = str(ctx.p.name);
  const emoji = str(ctx.p.icon_custom_emoji_id);
  if (name === undefined && emoji === undefined) throw badRequest("TOPIC_NOT_MODIFIED");
  if (name !== undefined) t.name = name;
  if (emoji !== undefined) t.icon_custom_emoji_id = emoji;
  const edited: Obj = {};
  if (name !== undefined) edited.name = name;
  if (emoji !== undefined) edited.icon_custom_emoji_id = emoji;
  postRaw(ctx.world, chat, {
    message_thread_id: t.message_thread_id,
    forum_topic_edited: edited,
    is_topic_message: true,
  });
  return true;
};

function topicFlag(flag: "closed" | "reopened"): Handler {
  return (ctx) => {
    const chat = forum(ctx);
    const t = topic(ctx, chat);
    const closing = flag === "closed";
    if (Boolean(t.__closed) === closing) throw badRequest("TOPIC_NOT_MODIFIED");
    t.__closed = closing;
    postRaw(ctx.world, chat, {
      message_thread_id: t.message_thread_id,
      [closing ? "forum_topic_closed" : "forum_topic_reopened"]: {},
      is_topic_message: true,
    });
    return true;
  };
}

const deleteForumTopic: Handler = (ctx) => {
  const chat = forum(ctx);
  const t = topic(ctx, chat);
  const id = t.message_thread_id as number;
  chat.topics.delete(id);
  for (const [mid, msg] of chat.messages) {
    if (msg.message_thread_id === id || mid === id) chat.messages.delete(mid);
  }
  return true;
};

function unpinWhere(chat: ChatRec, match: (msg: Obj | undefined) => boolean): void {
  const keep = chat.pinned.filter((id) => !match(chat.messages.get(id)));
  chat.pinned.length = 0;
  chat.pinned.push(...keep);
}

function generalTopic(apply: (chat: ChatRec, ctx: Ctx) => void): Handler {
  return (ctx) => {
    const chat = forum(ctx);
    apply(chat, ctx);
    return true;
  };
}

/** The forum topic handlers. */
export const FORUM_HANDLERS: Record<string, Handler> = {
  createForumTopic,
  editForumTopic,
  closeForumTopic: topicFlag("closed"),
  reopenForumTopic: topicFlag("reopened"),
  deleteForumTopic,
  unpinAllForumTopicMessages: (ctx) => {
    const chat = forum(ctx);
    const thread = topic(ctx, chat).message_thread_id;
    unpinWhere(chat, (msg) => msg?.message_thread_id === thread);
    return true;
  },
  editGeneralForumTopic: generalTopic((chat, ctx) => {
    const name = str(ctx.p.name) ?? "";
    if (!name) throw badRequest("TOPIC_TITLE_EMPTY");
    chat.topics.get(1)!.name = name;
  }),
  closeGeneralForumTopic: generalTopic((chat) => {
    chat.topics.get(1)!.__closed = true;
  }),
  reopenGeneralForumTopic: generalTopic((chat) => {
    chat.topics.get(1)!.__closed = false;
  }),
  hideGeneralForumTopic: generalTopic((chat) => {
    chat.topics.get(1)!.__hidden = true;
  }),
  unhideGeneralForumTopic: generalTopic((chat) => {
    chat.topics.get(1)!.__hidden = false;
  }),
  unpinAllGeneralForumTopicMessages: generalTopic((chat) => {
    unpinWhere(chat, (msg) => msg !== undefined && msg.message_thread_id === undefined);
  }),
};
