/**
 * The emulated Telegram world as the bot sees it: the bot, users, chats, memberships,
 * messages with per-chat ids, files and open queries. Method handlers read and change it.
 * @module
 */

import { ApiError, badRequest, forbidden } from "./api_error.ts";
import { FileStore } from "./files.ts";
import { randomString } from "./ids.ts";
import { HandlerStore } from "./store.ts";

/** A plain JSON object. */
export type Obj = Record<string, unknown>;

/** A stored Message (never mutated in place: an edit replaces it). */
export type MessageObj = Obj & { message_id: number; date: number; chat: Obj };

/** Statuses of a ChatMember, as the Bot API names them. */
export type MemberStatus =
  | "creator"
  | "administrator"
  | "member"
  | "restricted"
  | "left"
  | "kicked";

/** A membership: the ChatMember fields other than `user`. */
export interface MemberRec {
  status: MemberStatus;
  /** Extra ChatMember fields (rights, until_date, custom_title, tag, is_member...). */
  fields: Obj;
}

/** The administrator rights the emulator grants an administrator by default. */
export const FULL_ADMIN_RIGHTS: Readonly<Obj> = {
  can_be_edited: false,
  is_anonymous: false,
  can_manage_chat: true,
  can_delete_messages: true,
  can_manage_video_chats: true,
  can_restrict_members: true,
  can_promote_members: true,
  can_change_info: true,
  can_invite_users: true,
  can_post_stories: true,
  can_edit_stories: true,
  can_delete_stories: true,
  can_post_messages: true,
  can_edit_messages: true,
  can_pin_messages: true,
  can_manage_topics: true,
  can_manage_direct_messages: true,
  can_manage_tags: true,
};

/** Default permissions of a new group. */
export const DEFAULT_PERMISSIONS: Readonly<Obj> = {
  can_send_messages: true,
  can_send_audios: true,
  can_send_documents: true,
  can_send_photos: true,
  can_send_videos: true,
  can_send_video_notes: true,
  can_send_voice_notes: true,
  can_send_polls: true,
  can_send_other_messages: true,
  can_add_web_page_previews: true,
  can_react_to_messages: true,
  can_edit_tag: false,
  can_change_info: false,
  can_invite_users: true,
  can_pin_messages: false,
  can_manage_topics: false,
};

/** Everything the emulator knows about one chat. */
export interface ChatRec {
  readonly id: number;
  /** The short Chat object put into messages. */
  chat: Obj;
  readonly messages: Map<number, MessageObj>;
  nextMessageId: number;
  /**
   * Ids of the messages the bot sent here, in order (deleted ones stay until skipped),
   * from the `botMessageBase`-th on: ids of messages the history limit dropped go.
   */
  readonly botMessageIds: number[];
  /** How many ids were dropped from the front of `botMessageIds` (positions stay valid). */
  botMessageBase: number;
  /** Memberships by user id (the bot included); empty for private chats. */
  readonly members: Map<number, MemberRec>;
  /** Called whenever the bot sends a message here. */
  readonly waiters: Set<() => void>;
  /** The chat_instance of callback queries from this chat. */
  readonly chatInstance: string;
  /** ChatFullInfo fields beyond the short Chat (description, permissions, photo...). */
  readonly info: Obj;
  /** Pinned message ids, most recent last. */
  readonly pinned: number[];
  /** Forum topics by message_thread_id. */
  readonly topics: Map<number, Obj>;
  nextTopicId: number;
  /** Invite links by URL. */
  readonly inviteLinks: Map<string, Obj>;
  /** The chat actions the bot sent, most recent last (bounded). */
  readonly actions: string[];
  /** For private chats: the user. */
  readonly user?: UserRec;
  /** For a group upgraded to a supergroup: the supergroup's id. */
  migratedTo?: number;
}

/** Everything the emulator knows about one user. */
export interface UserRec {
  readonly user: Obj & { id: number; first_name: string };
  blocked: boolean;
  /** A deleted account: every send to it answers 403 `user is deactivated`. */
  deactivated: boolean;
  readonly chat: ChatRec;
}

/** An open callback query and the bot's answer, once given. */
export interface CallbackRec {
  readonly query: Obj;
  answer?: Obj;
  readonly answered: Promise<Obj>;
  resolve(answer: Obj): void;
}

/** An open inline query and the bot's answer, once given. */
export interface InlineRec {
  readonly query: Obj;
  answer?: Obj;
  readonly answered: Promise<Obj>;
  resolve(answer: Obj): void;
}

/** Options that shape the world. */
export interface WorldOptions {
  botId: number;
  botFirstName: string;
  botUsername: string;
  now: () => number;
  /** Keep at most this many messages per chat (the oldest are forgotten). */
  historyLimit?: number;
}

/** The state behind every method. */
export class World {
  /** The bot as a User inside messages and updates (id, is_bot, first_name, username). */
  readonly bot: Obj & { id: number; first_name: string; username: string };
  /** The fields only getMe returns (can_join_groups, supports_inline_queries...). */
  readonly capabilities: Obj;
  readonly users: Map<number, UserRec> = new Map();
  readonly chats: Map<number, ChatRec> = new Map();
  readonly files: FileStore = new FileStore();
  readonly callbackQueries: Map<string, CallbackRec> = new Map();
  readonly inlineQueries: Map<string, InlineRec> = new Map();
  /** Public usernames (lower case) of supergroups and channels -> chat id. */
  readonly usernames: Map<string, number> = new Map();
  /** The state of method handlers beyond users, chats and messages (typed per kind). */
  readonly store: HandlerStore = new HandlerStore();
  readonly #now: () => number;
  readonly #historyLimit: number;
  #nextUserId = 1_000_001;
  #nextGroupId = 4_000_001;
  #nextChannelId = 1_000_000_001;

  constructor(options: WorldOptions) {
    this.#now = options.now;
    this.#historyLimit = options.historyLimit ?? Infinity;
    this.bot = {
      id: options.botId,
      is_bot: true,
      first_name: options.botFirstName,
      username: options.botUsername,
    };
    this.capabilities = {
      can_join_groups: true,
      can_read_all_group_messages: true,
      supports_inline_queries: true,
      can_connect_to_business: false,
      has_main_web_app: false,
      has_topics_enabled: false,
      allows_users_to_create_topics: false,
      supports_guest_queries: false,
      can_manage_bots: false,
      supports_join_request_queries: false,
    };
  }

  /** The bot's User as getMe returns it. */
  me(): Obj {
    return { ...this.bot, ...this.capabilities };
  }

  /** The current time in Unix seconds. */
  now(): number {
    return Math.floor(this.#now() / 1000);
  }

  /** The current time in milliseconds. */
  nowMs(): number {
    return this.#now();
  }

  /** Creates a user and their private chat with the bot. */
  addUser(
    firstName: string | undefined,
    opts: { lastName?: string; username?: string; languageCode?: string; isPremium?: boolean } = {},
  ): UserRec {
    const id = this.#nextUserId++;
    const user: UserRec["user"] = {
      id,
      is_bot: false,
      first_name: firstName ?? `User${id}`,
    };
    if (opts.lastName) user.last_name = opts.lastName;
    if (opts.username) user.username = opts.username;
    user.language_code = opts.languageCode ?? "en";
    if (opts.isPremium) user.is_premium = true;
    const chat: Obj = { id, type: "private", first_name: user.first_name };
    if (opts.lastName) chat.last_name = opts.lastName;
    if (opts.username) chat.username = opts.username;
    const rec = { user, blocked: false, deactivated: false } as UserRec;
    (rec as { chat: ChatRec }).chat = this.#newChat(id, chat, rec);
    this.users.set(id, rec);
    this.chats.set(id, rec.chat);
    return rec;
  }

  /** Creates a group, supergroup or channel. */
  addChat(
    type: "group" | "supergroup" | "channel",
    title: string,
    opts: { username?: string; isForum?: boolean } = {},
  ): ChatRec {
    const id = type === "group"
      ? -(this.#nextGroupId++)
      : -(1_000_000_000_000 + this.#nextChannelId++);
    const chat: Obj = { id, type, title };
    if (opts.username) {
      chat.username = opts.username;
      this.usernames.set(opts.username.toLowerCase(), id);
    }
    if (opts.isForum && type === "supergroup") chat.is_forum = true;
    const rec = this.#newChat(id, chat);
    if (type !== "channel") rec.info.permissions = { ...DEFAULT_PERMISSIONS };
    if (opts.isForum && type === "supergroup") {
      rec.topics.set(1, { message_thread_id: 1, name: "General", icon_color: 7322096 });
      // Message 1 of a forum is its creation; the General topic is thread 1.
      rec.nextMessageId = 2;
    }
    this.chats.set(id, rec);
    return rec;
  }

  #newChat(id: number, chat: Obj, user?: UserRec): ChatRec {
    return {
      id,
      chat,
      messages: new Map(),
      nextMessageId: 1,
      botMessageIds: [],
      botMessageBase: 0,
      members: new Map(),
      waiters: new Set(),
      chatInstance: String(BigInt.asIntN(64, BigInt(id) * 7919n + 4_000_000_000_000_000n)),
      info: {},
      pinned: [],
      topics: new Map(),
      nextTopicId: 2,
      inviteLinks: new Map(),
      actions: [],
      user,
    };
  }

  /**
   * The chat a chat_id parameter names: an integer id, a numeric string, or `@username`
   * of a public supergroup or channel. Throws 400 `chat not found`.
   */
  chatOf(chatId: unknown): ChatRec {
    let rec: ChatRec | undefined;
    if (typeof chatId === "number") rec = this.chats.get(chatId);
    else if (typeof chatId === "string") {
      if (/^-?\d+$/.test(chatId)) rec = this.chats.get(Number(chatId));
      else if (chatId.startsWith("@")) {
        const id = this.usernames.get(chatId.slice(1).toLowerCase());
        if (id !== undefined) rec = this.chats.get(id);
      }
    }
    if (!rec) throw badRequest("chat not found");
    return rec;
  }

  /** The user a user_id parameter names. Throws 400 `user not found`. */
  userOf(userId: unknown): UserRec {
    const id = typeof userId === "string" && /^\d+$/.test(userId) ? Number(userId) : userId;
    const rec = typeof id === "number" ? this.users.get(id) : undefined;
    if (!rec) throw badRequest("user not found");
    return rec;
  }

  /** The bot's membership in a chat (private chats: member unless blocked). */
  botMember(chat: ChatRec): MemberRec {
    if (chat.chat.type === "private") {
      return { status: chat.user?.blocked ? "kicked" : "member", fields: {} };
    }
    return chat.members.get(this.bot.id) ?? { status: "left", fields: {} };
  }

  /** Whether the bot holds an administrator right (or is the owner) in a chat. */
  botHasRight(chat: ChatRec, right: string): boolean {
    const m = this.botMember(chat);
    return m.status === "creator" || (m.status === "administrator" && m.fields[right] === true);
  }

  /** Throws the 403 Telegram answers when the bot cannot post into `chat`. */
  assertBotCanSend(chat: ChatRec): void {
    const type = chat.chat.type as string;
    if (type === "private") {
      if (chat.user?.deactivated) throw forbidden("user is deactivated");
      if (chat.user?.blocked) throw forbidden("bot was blocked by the user");
      return;
    }
    if (chat.migratedTo !== undefined) {
      throw new ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat", {
        migrate_to_chat_id: chat.migratedTo,
      });
    }
    const status = this.botMember(chat).status;
    const where = type === "group"
      ? "group chat"
      : type === "supergroup"
      ? "supergroup chat"
      : "channel chat";
    if (status === "kicked") throw forbidden(`bot was kicked from the ${where}`);
    if (status === "left") throw forbidden(`bot is not a member of the ${where}`);
    if (type === "channel" && !this.botHasRight(chat, "can_post_messages")) {
      throw badRequest("need administrator rights in the channel chat");
    }
    if (
      status === "restricted" && chat.members.get(this.bot.id)?.fields.can_send_messages === false
    ) {
      throw badRequest("not enough rights to send text messages to the chat");
    }
  }

  /** The user object of a member id (the bot included). */
  userObject(id: number): Obj | undefined {
    return id === this.bot.id ? this.bot : this.users.get(id)?.user;
  }

  /**
   * Stores a new message in `chat` with the next message id and returns it. `sender.from`
   * is the sending user (absent for channel posts, which carry `senderChat`); `byBot` marks
   * messages the bot sent, which users can read with nextMessage/received.
   */
  addMessage(
    chat: ChatRec,
    content: Obj,
    sender: { from?: Obj; senderChat?: Obj; byBot: boolean },
  ): MessageObj {
    const msg = { message_id: chat.nextMessageId++ } as MessageObj;
    if (content.message_thread_id !== undefined) msg.message_thread_id = content.message_thread_id;
    if (sender.from) msg.from = sender.from;
    if (sender.senderChat) msg.sender_chat = sender.senderChat;
    msg.chat = chat.chat;
    msg.date = this.now();
    for (const key in content) {
      if (key !== "message_thread_id" && content[key] !== undefined) msg[key] = content[key];
    }
    chat.messages.set(msg.message_id, msg);
    if (chat.messages.size > this.#historyLimit) {
      chat.messages.delete(chat.messages.keys().next().value!);
    }
    if (sender.byBot) {
      const ids = chat.botMessageIds;
      ids.push(msg.message_id);
      if (ids.length > 2 * this.#historyLimit) {
        // The history keeps the newest messages: those of the first ids are gone.
        let gone = 0;
        while (gone < ids.length && !chat.messages.has(ids[gone])) gone++;
        ids.splice(0, gone);
        chat.botMessageBase += gone;
      }
      for (const wake of chat.waiters) wake();
    }
    return msg;
  }

  /** Replaces a stored message by its new version (an edit). */
  replaceMessage(chat: ChatRec, msg: MessageObj): void {
    chat.messages.set(msg.message_id, msg);
  }

  /** A message of a chat, or undefined. */
  message(chat: ChatRec, id: unknown): MessageObj | undefined {
    return typeof id === "number" ? chat.messages.get(id) : undefined;
  }

  /** A fresh random id for inline messages, invite links and the like. */
  randomId(n = 16): string {
    return randomString(n);
  }
}
