/**
 * What the chat handlers share: ChatMember objects, finding the chat of a call, the bot's
 * rights, and changing a membership with its chat_member update.
 * @module
 */

import { badRequest } from "../api_error.ts";
import {
  type ChatRec,
  DEFAULT_PERMISSIONS,
  FULL_ADMIN_RIGHTS,
  type MemberRec,
  type Obj,
  type UserRec,
  type World,
} from "../world.ts";
import type { Ctx } from "./context.ts";
import { postRaw } from "./compose.ts";

/** The ChatMember object of a membership. */
export function chatMember(user: Obj, m: MemberRec): Obj {
  const out: Obj = { user, status: m.status };
  if (m.status === "creator") out.is_anonymous = m.fields.is_anonymous ?? false;
  if (m.status === "administrator") {
    Object.assign(out, { ...FULL_ADMIN_RIGHTS, ...m.fields });
  } else if (m.status === "restricted") {
    Object.assign(out, { is_member: true, ...DEFAULT_PERMISSIONS, until_date: 0, ...m.fields });
  } else if (m.status === "kicked") {
    out.until_date = m.fields.until_date ?? 0;
  } else {
    for (const k of ["custom_title", "tag", "until_date"]) {
      if (m.fields[k] !== undefined) out[k] = m.fields[k];
    }
  }
  // The Bot API puts `status` first.
  return { status: out.status, ...out };
}

/** The group, supergroup or channel of a call that changes it (the bot must be in it). */
export function group(
  ctx: Ctx,
  opts: { supergroupOnly?: boolean; allowChannel?: boolean } = {},
): ChatRec {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  const type = chat.chat.type;
  if (type === "private") {
    throw badRequest("method is available for supergroup and channel chats only");
  }
  if (type === "channel" && opts.allowChannel === false) {
    throw badRequest("method is available only for groups and supergroups");
  }
  if (opts.supergroupOnly && type !== "supergroup") {
    throw badRequest("method is available only for supergroups");
  }
  if (
    ctx.world.botMember(chat).status === "left" || ctx.world.botMember(chat).status === "kicked"
  ) {
    throw badRequest("chat not found");
  }
  return chat;
}

/** Throws "not enough rights to ..." unless the bot has `right` in `chat`. */
export function needRight(world: World, chat: ChatRec, right: string, what: string): void {
  if (!world.botHasRight(chat, right)) throw badRequest(`not enough rights to ${what}`);
}

/** The membership of `id` in `chat` ("left" when none). */
export function memberOf(chat: ChatRec, id: number): MemberRec {
  return chat.members.get(id) ?? { status: "left", fields: {} };
}

/** Whether a membership counts as being in the chat. */
export function isIn(m: MemberRec): boolean {
  return m.status === "creator" || m.status === "administrator" || m.status === "member" ||
    (m.status === "restricted" && m.fields.is_member !== false);
}

/** Changes a membership, queueing chat_member (and a service message for leaves/joins). */
export function setMember(
  ctx: Ctx,
  chat: ChatRec,
  user: UserRec | "bot",
  next: MemberRec,
  service?: Obj,
) {
  const world = ctx.world;
  const userObj = user === "bot" ? world.bot : user.user;
  const id = userObj.id as number;
  const old = memberOf(chat, id);
  chat.members.set(id, next);
  if (service && chat.chat.type !== "channel") postRaw(world, chat, service);
  const kind = user === "bot" ? "my_chat_member" : "chat_member";
  ctx.services.queue.push({
    [kind]: {
      chat: chat.chat,
      from: world.bot,
      date: world.now(),
      old_chat_member: chatMember(userObj, old),
      new_chat_member: chatMember(userObj, next),
    },
  });
}

/**
 * The chat of a read-only call: the bot sees private chats, chats it is in, and public
 * (with a @username) supergroups and channels; any other chat is "not found".
 */
export function visibleChat(ctx: Ctx): ChatRec {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  if (chat.chat.type === "private" || chat.chat.username) return chat;
  const status = ctx.world.botMember(chat).status;
  if (status === "left" || status === "kicked") throw badRequest("chat not found");
  return chat;
}
