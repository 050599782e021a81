/**
 * Setting the scene: groups, supergroups and channels with members, the bot's own
 * membership, users blocking the bot, and upgrading a group to a supergroup, each with the
 * updates Telegram sends for it.
 * @module
 */

import { chatMember } from "./methods/chat_access.ts";
import { type ChatRec, FULL_ADMIN_RIGHTS, type MemberRec, type Obj, type World } from "./world.ts";

/** Options of {@linkcode Emulator.group}, {@linkcode Emulator.supergroup} and {@linkcode Emulator.channel}. */
export interface ChatOptions {
  /** Public @username of a supergroup or channel. */
  username?: string;
  /** The bot's membership (default "member" in groups, "administrator" in channels). */
  botStatus?: "member" | "administrator" | "left";
  /** Supergroups only: a forum with topics. */
  forum?: boolean;
}

/** The bot's status in a chat, as {@linkcode Emulator.setBotStatus} takes it. */
export type BotStatus = "member" | "administrator" | "left" | "kicked";

/** Queues an update for the bot. */
export type Push = (payload: Obj) => void;

/** Creates a group, supergroup or channel; the first member owns it. */
export function makeChat(
  world: World,
  type: "group" | "supergroup" | "channel",
  title: string,
  memberIds: readonly number[],
  options: ChatOptions,
): ChatRec {
  const rec = world.addChat(type, title, { username: options.username, isForum: options.forum });
  memberIds.forEach((id, i) => {
    rec.members.set(id, {
      status: i === 0 ? "creator" : "member",
      fields: i === 0 ? { is_anonymous: false } : {},
    });
  });
  const botStatus = options.botStatus ?? "member";
  if (botStatus !== "left") rec.members.set(world.bot.id, botMember(botStatus));
  return rec;
}

function botMember(status: BotStatus): MemberRec {
  if (status === "administrator") return { status, fields: { ...FULL_ADMIN_RIGHTS } };
  if (status === "kicked") return { status, fields: { until_date: 0 } };
  return { status, fields: {} };
}

/** The chat's owner as a User, or the bot when it has none. */
function ownerOrBot(world: World, chat: ChatRec): Obj {
  const creator = [...chat.members].find(([, m]) => m.status === "creator")?.[0];
  return (creator !== undefined ? world.userObject(creator) : undefined) ?? world.bot;
}

/**
 * Upgrades basic group `id` to a supergroup with the same members: service messages in
 * both, and the old id answers with `migrate_to_chat_id` from now on.
 */
export function migrateGroup(world: World, push: Push, id: number): ChatRec {
  const old = world.chats.get(id);
  if (!old || old.chat.type !== "group") throw new TypeError("migrate: not a basic group");
  if (old.migratedTo !== undefined) throw new TypeError("migrate: already upgraded");
  const rec = world.addChat("supergroup", String(old.chat.title));
  for (const [userId, m] of old.members) {
    rec.members.set(userId, { ...m, fields: { ...m.fields } });
  }
  old.migratedTo = rec.id;
  const inOld = world.addMessage(old, { migrate_to_chat_id: rec.id }, {
    from: ownerOrBot(world, old),
    byBot: false,
  });
  const inNew = world.addMessage(rec, { migrate_from_chat_id: id }, {
    senderChat: old.chat,
    byBot: false,
  });
  const bot = world.botMember(old).status;
  if (bot !== "left" && bot !== "kicked") {
    push({ message: inOld });
    push({ message: inNew });
  }
  return rec;
}

/** Changes the bot's membership in group, supergroup or channel `id` (my_chat_member). */
export function setBotStatus(world: World, push: Push, id: number, status: BotStatus): void {
  const rec = world.chats.get(id);
  if (!rec || rec.chat.type === "private") {
    throw new TypeError("setBotStatus: not a group, supergroup or channel");
  }
  const bot = world.bot;
  const old = world.botMember(rec);
  const next = botMember(status);
  rec.members.set(bot.id, next);
  push({
    my_chat_member: {
      chat: rec.chat,
      from: ownerOrBot(world, rec),
      date: world.now(),
      old_chat_member: chatMember(bot, old),
      new_chat_member: chatMember(bot, next),
    },
  });
}

/** User `userId` blocks or unblocks the bot (my_chat_member "kicked" or "member"). */
export function setBlocked(world: World, push: Push, userId: number, blocked: boolean): void {
  const rec = world.userOf(userId);
  if (rec.blocked === blocked) return;
  rec.blocked = blocked;
  const bot = world.bot;
  const member = { status: "member", user: bot };
  const kicked = { status: "kicked", user: bot, until_date: 0 };
  push({
    my_chat_member: {
      chat: rec.chat.chat,
      from: rec.user,
      date: world.now(),
      old_chat_member: blocked ? member : kicked,
      new_chat_member: blocked ? kicked : member,
    },
  });
}
