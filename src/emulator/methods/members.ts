/**
 * Members of groups, supergroups and channels: reading members and administrators, bans,
 * restrictions, promotions, titles and tags, banned sender chats and default permissions.
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
} from "../world.ts";
import { bool, type Ctx, type Handler, int, object, str } from "./context.ts";
import {
  chatMember,
  group,
  isIn,
  memberOf,
  needRight,
  setMember,
  visibleChat,
} from "./chat_access.ts";

const getChatMember: Handler = (ctx) => {
  const chat = visibleChat(ctx);
  const id = int(ctx.p.user_id);
  const user = id === undefined ? undefined : ctx.world.userObject(id);
  if (!user) throw badRequest("user not found");
  if (chat.chat.type === "private") {
    if (id !== chat.id && id !== ctx.world.bot.id) throw badRequest("user not found");
    if (id === ctx.world.bot.id) return chatMember(user, ctx.world.botMember(chat));
    return { status: "member", user };
  }
  return chatMember(user, memberOf(chat, id!));
};

const getChatAdministrators: Handler = (ctx) => {
  const chat = visibleChat(ctx);
  if (chat.chat.type === "private") {
    throw badRequest("there are no administrators in the private chat");
  }
  const out: Obj[] = [];
  for (const [id, m] of chat.members) {
    if (m.status !== "creator" && m.status !== "administrator") continue;
    out.push(chatMember(ctx.world.userObject(id)!, m));
  }
  return out;
};

const getChatMemberCount: Handler = (ctx) => {
  const chat = visibleChat(ctx);
  if (chat.chat.type === "private") return 2;
  let n = 0;
  for (const m of chat.members.values()) if (isIn(m)) n++;
  return n;
};

function targetUser(ctx: Ctx, chat: ChatRec): { user: UserRec; member: MemberRec } {
  const id = int(ctx.p.user_id);
  if (id === ctx.world.bot.id) throw badRequest("can't restrict self");
  const user = ctx.world.userOf(id);
  return { user, member: memberOf(chat, user.user.id) };
}

function assertNotAdmin(member: MemberRec) {
  if (member.status === "creator") throw badRequest("can't remove chat owner");
  if (member.status === "administrator" && member.fields.can_be_edited !== true) {
    throw badRequest("user is an administrator of the chat");
  }
}

const banChatMember: Handler = (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_restrict_members", "restrict/unrestrict chat member");
  const { user, member } = targetUser(ctx, chat);
  assertNotAdmin(member);
  const until = int(ctx.p.until_date) ?? 0;
  const service = isIn(member) ? { left_chat_member: user.user } : undefined;
  setMember(ctx, chat, user, { status: "kicked", fields: { until_date: until } }, service);
  if (bool(ctx.p.revoke_messages)) {
    for (const [id, msg] of chat.messages) {
      if ((msg.from as Obj | undefined)?.id === user.user.id) chat.messages.delete(id);
    }
  }
  return true;
};

const unbanChatMember: Handler = (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_restrict_members", "restrict/unrestrict chat member");
  const { user, member } = targetUser(ctx, chat);
  if (member.status === "kicked") {
    setMember(ctx, chat, user, { status: "left", fields: {} });
  } else if (!bool(ctx.p.only_if_banned) && isIn(member)) {
    // Without only_if_banned, Telegram removes a current member from the chat.
    assertNotAdmin(member);
    setMember(ctx, chat, user, { status: "left", fields: {} }, { left_chat_member: user.user });
  }
  return true;
};

const PERMISSION_KEYS = Object.keys(DEFAULT_PERMISSIONS);

function permissionsFrom(value: unknown): Obj {
  const given = object(value, "permissions") ?? {};
  const out: Obj = {};
  for (const k of PERMISSION_KEYS) out[k] = bool(given[k]) ?? false;
  return out;
}

const restrictChatMember: Handler = (ctx) => {
  const chat = group(ctx, { supergroupOnly: true });
  needRight(ctx.world, chat, "can_restrict_members", "restrict/unrestrict chat member");
  const { user, member } = targetUser(ctx, chat);
  assertNotAdmin(member);
  const perms = permissionsFrom(ctx.p.permissions);
  const until = int(ctx.p.until_date) ?? 0;
  const allAllowed = PERMISSION_KEYS.every((k) => perms[k] === true || !(k in DEFAULT_PERMISSIONS));
  const next: MemberRec = allAllowed && isIn(member)
    ? { status: "member", fields: {} }
    : { status: "restricted", fields: { is_member: isIn(member), ...perms, until_date: until } };
  setMember(ctx, chat, user, next);
  return true;
};

const ADMIN_RIGHTS = Object.keys(FULL_ADMIN_RIGHTS).filter((k) => k !== "can_be_edited");

const promoteChatMember: Handler = (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_promote_members", "promote chat member");
  const { user, member } = targetUser(ctx, chat);
  if (member.status === "creator") throw badRequest("can't promote the chat owner");
  if (!isIn(member)) throw badRequest("USER_NOT_PARTICIPANT");
  const rights: Obj = { can_be_edited: true };
  let any = false;
  for (const k of ADMIN_RIGHTS) {
    const v = bool(ctx.p[k]) ?? false;
    rights[k] = v;
    if (v && k !== "is_anonymous") any = true;
  }
  if (chat.chat.type !== "channel") {
    delete rights.can_post_messages;
    delete rights.can_edit_messages;
  }
  const next: MemberRec = any
    ? { status: "administrator", fields: rights }
    : { status: "member", fields: {} };
  setMember(ctx, chat, user, next);
  return true;
};

const setChatAdministratorCustomTitle: Handler = (ctx) => {
  const chat = group(ctx, { supergroupOnly: true });
  const { member } = targetUser(ctx, chat);
  if (member.status !== "administrator") throw badRequest("user is not an administrator");
  if (member.fields.can_be_edited !== true) {
    throw badRequest("not enough rights to change custom title of the user");
  }
  const title = str(ctx.p.custom_title) ?? "";
  if (title.length > 16) throw badRequest("ADMIN_RANK_INVALID");
  if (/\p{Extended_Pictographic}/u.test(title)) throw badRequest("ADMIN_RANK_EMOJI_NOT_ALLOWED");
  member.fields.custom_title = title;
  return true;
};

const setChatMemberTag: Handler = (ctx) => {
  const chat = group(ctx, { allowChannel: false });
  needRight(ctx.world, chat, "can_manage_tags", "manage member tags");
  const { member } = targetUser(ctx, chat);
  if (member.status !== "member" && member.status !== "restricted") {
    throw badRequest("the user is not a regular member of the chat");
  }
  const tag = str(ctx.p.tag);
  if (tag) member.fields.tag = tag;
  else delete member.fields.tag;
  return true;
};

const banChatSenderChat: Handler = (ctx) => {
  const chat = group(ctx);
  if (chat.chat.type === "group") {
    throw badRequest("method is available for supergroup and channel chats only");
  }
  needRight(ctx.world, chat, "can_restrict_members", "restrict/unrestrict chat member");
  const sender = int(ctx.p.sender_chat_id);
  if (sender === undefined) throw badRequest("sender_chat_id is empty");
  ctx.world.store.bannedSendersOf(chat.id).add(sender);
  return true;
};

const unbanChatSenderChat: Handler = (ctx) => {
  const chat = group(ctx);
  if (chat.chat.type === "group") {
    throw badRequest("method is available for supergroup and channel chats only");
  }
  needRight(ctx.world, chat, "can_restrict_members", "restrict/unrestrict chat member");
  ctx.world.store.bannedSendersOf(chat.id).delete(int(ctx.p.sender_chat_id) ?? 0);
  return true;
};

const setChatPermissions: Handler = (ctx) => {
  const chat = group(ctx, { allowChannel: false });
  needRight(ctx.world, chat, "can_restrict_members", "change chat permissions");
  const perms = permissionsFrom(ctx.p.permissions);
  if (JSON.stringify(perms) === JSON.stringify(chat.info.permissions)) {
    throw badRequest("CHAT_NOT_MODIFIED");
  }
  chat.info.permissions = perms;
  return true;
};

/** The member handlers. */
export const MEMBER_HANDLERS: Record<string, Handler> = {
  getChatMember,
  getChatAdministrators,
  getChatMemberCount,
  banChatMember,
  unbanChatMember,
  restrictChatMember,
  promoteChatMember,
  setChatAdministratorCustomTitle,
  setChatMemberTag,
  banChatSenderChat,
  unbanChatSenderChat,
  setChatPermissions,
};
