/**
 * The rules of a user in chats: membership, who may post where, which group messages reach
 * the bot under privacy mode, and joining or leaving.
 * @module
 */

import type { ChatRec, MessageObj, Obj, UserRec, World } from "./world.ts";

/** What the chat rules need from the emulator. */
export interface UserChatHost {
  readonly world: World;
  /** Queues an update for the bot (filtered by allowed_updates). */
  push(payload: Obj): void;
  /** Whether group messages reach the bot only when addressed to it. */
  readonly privacyMode: boolean;
  /** The user blocks or unblocks the bot (with its my_chat_member update). */
  setBlocked(userId: number, blocked: boolean): void;
}

/** Whether the user is in the chat (a restricted member counts while still a member). */
export function isMember(rec: UserRec, chat: ChatRec): boolean {
  const m = chat.members.get(rec.user.id);
  if (!m) return false;
  return m.status === "creator" || m.status === "administrator" || m.status === "member" ||
    (m.status === "restricted" && m.fields.is_member === true);
}

/** Throws unless the user may post in `chat`; returns true when posting as the channel. */
export function checkCanPost(host: UserChatHost, rec: UserRec, chat: ChatRec): boolean {
  const type = chat.chat.type;
  if (type === "private") {
    if (chat.id !== rec.user.id) throw new Error("a user can only write in their own private chat");
    // Writing to a bot one has blocked unblocks it (Telegram's "Restart" button).
    if (rec.blocked) host.setBlocked(rec.user.id, false);
    return false;
  }
  if (chat.migratedTo !== undefined) {
    throw new Error(`chat ${chat.id} was upgraded to supergroup ${chat.migratedTo}`);
  }
  if (!isMember(rec, chat)) {
    throw new Error(`${rec.user.first_name} is not a member of chat ${chat.id}`);
  }
  const m = chat.members.get(rec.user.id)!;
  if (type === "channel") {
    if (m.status !== "creator" && m.status !== "administrator") {
      throw new Error("only channel administrators can post in a channel");
    }
    return true;
  }
  if (m.status === "restricted" && m.fields.can_send_messages === false) {
    throw new Error(`${rec.user.first_name} is restricted in chat ${chat.id}`);
  }
  return false;
}

/** With privacy mode on, a group message reaches the bot only when it concerns the bot. */
export function reachesBot(host: UserChatHost, chat: ChatRec, msg: MessageObj): boolean {
  if (chat.chat.type === "private") return true;
  const world = host.world;
  const bot = world.botMember(chat);
  if (bot.status === "left" || bot.status === "kicked") return false;
  if (
    !host.privacyMode || chat.chat.type === "channel" || bot.status === "administrator" ||
    bot.status === "creator"
  ) {
    return true;
  }
  const reply = msg.reply_to_message as Obj | undefined;
  if ((reply?.from as Obj | undefined)?.id === world.bot.id) return true;
  const text = (msg.text ?? msg.caption ?? "") as string;
  const entities = (msg.entities ?? msg.caption_entities ?? []) as Obj[];
  const username = world.bot.username.toLowerCase();
  for (const e of entities) {
    const part = text.substr(e.offset as number, e.length as number).toLowerCase();
    if (e.type === "bot_command" && (!part.includes("@") || part.endsWith("@" + username))) {
      return true;
    }
    if (e.type === "mention" && part === "@" + username) return true;
  }
  return false;
}

/**
 * The user joins or leaves a group, supergroup or channel: the service message (groups)
 * and chat_member update, as in Telegram. Returns the service message, if any.
 */
export function changeMembership(
  host: UserChatHost,
  rec: UserRec,
  chat: ChatRec,
  status: "member" | "left",
): MessageObj | undefined {
  const world = host.world;
  if (chat.chat.type === "private") throw new Error("a private chat cannot be joined or left");
  const old = chat.members.get(rec.user.id);
  const oldStatus = old?.status ?? "left";
  if (oldStatus === "kicked" && status === "member") {
    throw new Error(`${rec.user.first_name} is banned in chat ${chat.id}`);
  }
  if ((status === "member") === isMember(rec, chat)) return undefined;
  const oldMember = { status: oldStatus, user: rec.user, ...(old?.fields ?? {}) };
  chat.members.set(rec.user.id, { status, fields: {} });
  const date = world.now();
  let service: MessageObj | undefined;
  if (chat.chat.type !== "channel") {
    const content = status === "member"
      ? { new_chat_members: [rec.user] }
      : { left_chat_member: rec.user };
    service = world.addMessage(chat, content, { from: rec.user, byBot: false });
    const bot = world.botMember(chat).status;
    if (bot !== "left" && bot !== "kicked") host.push({ message: service });
  }
  const botStatus = world.botMember(chat).status;
  if (botStatus !== "administrator" && botStatus !== "creator") return service;
  host.push({
    chat_member: {
      chat: chat.chat,
      from: rec.user,
      date,
      old_chat_member: oldMember,
      new_chat_member: { status, user: rec.user },
    },
  });
  return service;
}
