/**
 * Chats and their members: getChat, members and administrators, bans, restrictions,
 * promotions, permissions, invite links, join requests, title/description/photo, pins,
 * leaving, sticker sets of groups and forum topics.
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
import { bool, type Ctx, type Handler, int, object, str } from "./context.ts";
import { inputFile, photoSizes, postRaw } from "./compose.ts";

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

function group(ctx: Ctx, opts: { supergroupOnly?: boolean; allowChannel?: boolean } = {}): ChatRec {
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

function needRight(world: World, chat: ChatRec, right: string, what: string): void {
  if (!world.botHasRight(chat, right)) throw badRequest(`not enough rights to ${what}`);
}

function memberOf(chat: ChatRec, id: number): MemberRec {
  return chat.members.get(id) ?? { status: "left", fields: {} };
}

function isIn(m: MemberRec): boolean {
  return m.status === "creator" || m.status === "administrator" || m.status === "member" ||
    (m.status === "restricted" && m.fields.is_member !== false);
}

/** Changes a membership, queueing chat_member (and a service message for leaves/joins). */
function setMember(ctx: Ctx, chat: ChatRec, user: UserRec | "bot", next: MemberRec, service?: Obj) {
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
function visibleChat(ctx: Ctx): ChatRec {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  if (chat.chat.type === "private" || chat.chat.username) return chat;
  const status = ctx.world.botMember(chat).status;
  if (status === "left" || status === "kicked") throw badRequest("chat not found");
  return chat;
}

const getChat: Handler = (ctx) => {
  const chat = visibleChat(ctx);
  const full: Obj = {
    ...chat.chat,
    accent_color_id: 0,
    max_reaction_count: 11,
    accepted_gift_types: {
      unlimited_gifts: true,
      limited_gifts: true,
      unique_gifts: true,
      premium_subscription: true,
      gifts_from_channels: true,
    },
  };
  const info = chat.info;
  for (
    const k of [
      "photo",
      "description",
      "invite_link",
      "permissions",
      "sticker_set_name",
      "slow_mode_delay",
      "message_auto_delete_time",
    ]
  ) {
    if (info[k] !== undefined) full[k] = info[k];
  }
  const pinned = chat.pinned.length
    ? chat.messages.get(chat.pinned[chat.pinned.length - 1])
    : undefined;
  if (pinned) full.pinned_message = pinned;
  return full;
};

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

function newLink(ctx: Ctx, chat: ChatRec, fields: Obj): Obj {
  const link: Obj = {
    invite_link: `https://t.me/+${ctx.world.randomId(16)}`,
    creator: ctx.world.bot,
    creates_join_request: false,
    is_primary: false,
    is_revoked: false,
    ...fields,
  };
  chat.inviteLinks.set(link.invite_link as string, link);
  return link;
}

function linkTarget(ctx: Ctx): ChatRec {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_invite_users", "manage invite links");
  return chat;
}

const exportChatInviteLink: Handler = (ctx) => {
  const chat = linkTarget(ctx);
  for (const l of chat.inviteLinks.values()) if (l.is_primary) l.is_revoked = true;
  const link = newLink(ctx, chat, { is_primary: true });
  chat.info.invite_link = link.invite_link;
  return link.invite_link;
};

function linkFields(ctx: Ctx): Obj {
  const out: Obj = {};
  const name = str(ctx.p.name);
  if (name !== undefined) {
    if (name.length > 32) throw badRequest("invite link name is too long");
    out.name = name;
  }
  const expire = int(ctx.p.expire_date);
  if (expire !== undefined) out.expire_date = expire;
  const limit = int(ctx.p.member_limit);
  const joinRequest = bool(ctx.p.creates_join_request) ?? false;
  if (limit !== undefined) {
    if (limit < 1 || limit > 99999) throw badRequest("member limit must be between 1 and 99999");
    if (joinRequest) {
      throw badRequest(
        "member limit can't be specified for links requiring administrator approval",
      );
    }
    out.member_limit = limit;
  }
  if (ctx.p.creates_join_request !== undefined) out.creates_join_request = joinRequest;
  return out;
}

const createChatInviteLink: Handler = (ctx) => newLink(ctx, linkTarget(ctx), linkFields(ctx));

function existingLink(ctx: Ctx, chat: ChatRec): Obj {
  const link = chat.inviteLinks.get(str(ctx.p.invite_link) ?? "");
  if (!link) throw badRequest("INVITE_HASH_EXPIRED");
  return link;
}

const editChatInviteLink: Handler = (ctx) => {
  const chat = linkTarget(ctx);
  const link = existingLink(ctx, chat);
  if (link.is_revoked) throw badRequest("INVITE_HASH_EXPIRED");
  Object.assign(link, linkFields(ctx));
  return link;
};

const createChatSubscriptionInviteLink: Handler = (ctx) => {
  const chat = linkTarget(ctx);
  if (chat.chat.type !== "channel") {
    throw badRequest("subscription invite links can be created only in channels");
  }
  const period = int(ctx.p.subscription_period);
  if (period !== 2592000) throw badRequest("subscription period must be 2592000 seconds");
  const price = int(ctx.p.subscription_price) ?? 0;
  if (price < 1 || price > 10000) throw badRequest("SUBSCRIPTION_PRICE_INVALID");
  const fields: Obj = { subscription_period: period, subscription_price: price };
  const name = str(ctx.p.name);
  if (name !== undefined) fields.name = name;
  return newLink(ctx, chat, fields);
};

const editChatSubscriptionInviteLink: Handler = (ctx) => {
  const chat = linkTarget(ctx);
  const link = existingLink(ctx, chat);
  if (link.subscription_period === undefined) {
    throw badRequest("the link is not a subscription link");
  }
  const name = str(ctx.p.name);
  if (name !== undefined) link.name = name;
  return link;
};

const revokeChatInviteLink: Handler = (ctx) => {
  const chat = linkTarget(ctx);
  const link = existingLink(ctx, chat);
  link.is_revoked = true;
  if (link.is_primary) {
    const fresh = newLink(ctx, chat, { is_primary: true });
    chat.info.invite_link = fresh.invite_link;
  }
  return link;
};

function answerJoin(approve: boolean): Handler {
  return (ctx) => {
    const chat = group(ctx);
    needRight(ctx.world, chat, "can_invite_users", "manage join requests");
    const user = ctx.world.userOf(ctx.p.user_id);
    const pending = ctx.world.store.joinRequestsOf(chat.id);
    if (!pending.has(user.user.id)) throw badRequest("HIDE_REQUESTER_MISSING");
    pending.delete(user.user.id);
    if (approve) {
      const service = chat.chat.type === "channel" ? undefined : { new_chat_members: [user.user] };
      if (service) {
        const msg = ctx.world.addMessage(chat, service, { from: user.user, byBot: false });
        ctx.services.queue.push({ message: msg });
      }
      setMember(ctx, chat, user, { status: "member", fields: {} });
    }
    return true;
  };
}

const setChatPhoto: Handler = async (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  const rec = await inputFile(ctx, ctx.p.photo, "photo", "photo");
  const sizes = photoSizes(rec);
  chat.info.photo = {
    small_file_id: rec.file_id,
    small_file_unique_id: rec.file_unique_id,
    big_file_id: rec.file_id,
    big_file_unique_id: rec.file_unique_id,
  };
  if (chat.chat.type !== "channel") postRaw(ctx.world, chat, { new_chat_photo: sizes });
  return true;
};

const deleteChatPhoto: Handler = (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  if (!chat.info.photo) throw badRequest("CHAT_NOT_MODIFIED");
  delete chat.info.photo;
  if (chat.chat.type !== "channel") postRaw(ctx.world, chat, { delete_chat_photo: true });
  return true;
};

const setChatTitle: Handler = (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  const title = (str(ctx.p.title) ?? "").trim();
  if (title.length === 0) throw badRequest("chat title is empty");
  if (title.length > 128) throw badRequest("chat title is too long");
  if (title === chat.chat.title) throw badRequest("chat title is not modified");
  chat.chat = { ...chat.chat, title };
  if (chat.chat.type !== "channel") postRaw(ctx.world, chat, { new_chat_title: title });
  return true;
};

const setChatDescription: Handler = (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  const description = str(ctx.p.description) ?? "";
  if (description.length > 255) throw badRequest("chat description is too long");
  if ((chat.info.description ?? "") === description) {
    throw badRequest("chat description is not modified");
  }
  if (description) chat.info.description = description;
  else delete chat.info.description;
  return true;
};

function pinTarget(ctx: Ctx): ChatRec {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  if (chat.chat.type !== "private") {
    const right = chat.chat.type === "channel" ? "can_edit_messages" : "can_pin_messages";
    if (!ctx.world.botHasRight(chat, right)) {
      throw badRequest("not enough rights to manage pinned messages in the chat");
    }
  }
  return chat;
}

const pinChatMessage: Handler = (ctx) => {
  const chat = pinTarget(ctx);
  const msg = ctx.world.message(chat, int(ctx.p.message_id));
  if (!msg) throw badRequest("message to pin not found");
  const at = chat.pinned.indexOf(msg.message_id);
  if (at >= 0) chat.pinned.splice(at, 1);
  chat.pinned.push(msg.message_id);
  const nested: Obj = { ...msg };
  delete nested.reply_to_message;
  postRaw(ctx.world, chat, { pinned_message: nested });
  return true;
};

const unpinChatMessage: Handler = (ctx) => {
  const chat = pinTarget(ctx);
  const id = int(ctx.p.message_id);
  if (id === undefined) chat.pinned.pop();
  else {
    const at = chat.pinned.indexOf(id);
    if (at < 0) throw badRequest("message to unpin not found");
    chat.pinned.splice(at, 1);
  }
  return true;
};

const unpinAllChatMessages: Handler = (ctx) => {
  const chat = pinTarget(ctx);
  chat.pinned.length = 0;
  return true;
};

const leaveChat: Handler = (ctx) => {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  if (chat.chat.type === "private") {
    throw badRequest("chat member status can't be changed in private chats");
  }
  const status = ctx.world.botMember(chat).status;
  if (status === "left" || status === "kicked") throw badRequest("chat not found");
  if (status === "creator") throw badRequest("can't leave the chat as its owner");
  setMember(ctx, chat, "bot", { status: "left", fields: {} }, { left_chat_member: ctx.world.bot });
  return true;
};

const setChatStickerSet: Handler = (ctx) => {
  const chat = group(ctx, { supergroupOnly: true });
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  const name = str(ctx.p.sticker_set_name) ?? "";
  if (!ctx.world.store.stickerSets.has(name.toLowerCase())) throw badRequest("STICKERSET_INVALID");
  chat.info.sticker_set_name = name;
  return true;
};

const deleteChatStickerSet: Handler = (ctx) => {
  const chat = group(ctx, { supergroupOnly: true });
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  delete chat.info.sticker_set_name;
  return true;
};

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

/** The chat handlers. */
export const CHAT_HANDLERS: Record<string, Handler> = {
  getChat,
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
  exportChatInviteLink,
  createChatInviteLink,
  editChatInviteLink,
  createChatSubscriptionInviteLink,
  editChatSubscriptionInviteLink,
  revokeChatInviteLink,
  approveChatJoinRequest: answerJoin(true),
  declineChatJoinRequest: answerJoin(false),
  setChatPhoto,
  deleteChatPhoto,
  setChatTitle,
  setChatDescription,
  pinChatMessage,
  unpinChatMessage,
  unpinAllChatMessages,
  leaveChat,
  setChatStickerSet,
  deleteChatStickerSet,
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
