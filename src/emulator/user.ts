/**
 * The user side of the emulator: a person who writes to the bot, sends media, presses
 * inline buttons, types inline queries, joins groups and reads what the bot answered.
 * @module
 */

import type {
  CallbackQuery,
  ChosenInlineResult,
  InlineQuery,
  Message,
  PrivateChat,
  User,
} from "./types.ts";
import { detectEntities } from "./entities.ts";
import { tinyPng } from "./files.ts";
import { randomQueryId } from "./ids.ts";
import { parseMarkup } from "./markup.ts";
import { payInvoice, type PaymentHost } from "./user_payments.ts";
import {
  changeMembership,
  checkCanPost,
  isMember,
  reachesBot,
  type UserChatHost,
} from "./user_chats.ts";
import type { ChatRec, MessageObj, Obj, UserRec } from "./world.ts";

/** Something that names a chat: a Chat object (or anything with an `id`) or a chat id. */
export type ChatLike = number | { id: number };

/** What a user needs from the emulator. */
export interface UserHost extends PaymentHost, UserChatHost {}

/** Options shared by the user's send methods. */
export interface UserSendOptions {
  /** Where to post (default: the user's private chat with the bot). */
  chat?: ChatLike;
  /** The message to reply to (a Message or its id in the same chat). */
  replyTo?: Message | number;
}

/** Options of {@linkcode EmulatedUser.send}. */
export interface UserTextOptions extends UserSendOptions {
  /** Format the text with "HTML", "MarkdownV2" or "Markdown" first. */
  parseMode?: string;
}

/** Options of {@linkcode EmulatedUser.nextMessage}. */
export interface NextMessageOptions {
  /** Milliseconds to wait (default 2000); `Infinity` waits until the bot sends or the emulator closes. */
  timeout?: number;
  /** The chat to watch (default: the user's private chat). */
  chat?: ChatLike;
  /** Stops waiting (rejects with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * A user of the emulated Telegram. Create one with `emulator.user(name)`.
 *
 * @example
 * ```ts
 * import { Emulator } from "../../testing.ts";
 * const emu = new Emulator();
 * const alice = emu.user("Alice");
 * await alice.send("/start");
 * await emu.close();
 * ```
 */
export class EmulatedUser {
  readonly #rec: UserRec;
  readonly #host: UserHost;
  /** Per chat: how many of the bot's messages nextMessage has handed out. */
  readonly #cursors = new Map<number, number>();

  /** @internal Users are created by `emulator.user()`. */
  constructor(rec: UserRec, host: UserHost) {
    this.#rec = rec;
    this.#host = host;
  }

  /** The user's id (also the id of their private chat with the bot). */
  get id(): number {
    return this.#rec.user.id;
  }

  /** The User object, as the bot sees it. */
  get user(): User {
    return this.#rec.user as unknown as User;
  }

  /** The user's private chat with the bot. */
  get chat(): PrivateChat {
    return this.#rec.chat.chat as unknown as PrivateChat;
  }

  /** Whether this user has blocked the bot. */
  get blocked(): boolean {
    return this.#rec.blocked;
  }

  /**
   * Sends a text message (a leading `/command` gets its bot_command entity, as in
   * Telegram). Resolves with the Message once the update is queued for the bot.
   */
  send(text: string, options: UserTextOptions = {}): Promise<Message> {
    let plain = text;
    let entities: Obj[] = [];
    if (options.parseMode) {
      const parsed = parseMarkup(text, options.parseMode);
      plain = parsed.text;
      entities = parsed.entities;
    }
    const detected = detectEntities(plain);
    const all = [...entities, ...detected].sort((a, b) =>
      (a.offset as number) - (b.offset as number)
    );
    const content: Obj = { text: plain };
    if (all.length > 0) content.entities = all;
    return this.post(content, options);
  }

  /** Sends a photo (a tiny valid PNG when no bytes are given). */
  sendPhoto(
    bytes?: Uint8Array,
    options: UserSendOptions & { caption?: string } = {},
  ): Promise<Message> {
    const rec = this.#host.world.files.add(bytes ?? tinyPng(), "photo");
    const size = rec.size ?? { width: 1, height: 1 };
    const photo = [{
      file_id: rec.file_id,
      file_unique_id: rec.file_unique_id,
      file_size: rec.bytes.length,
      width: size.width,
      height: size.height,
    }];
    return this.post({ photo, ...this.#caption(options.caption) }, options);
  }

  /** Sends a document (a file). */
  sendDocument(
    bytes: Uint8Array,
    options: UserSendOptions & { fileName?: string; mimeType?: string; caption?: string } = {},
  ): Promise<Message> {
    const rec = this.#host.world.files.add(bytes, "document", {
      fileName: options.fileName,
      mimeType: options.mimeType,
    });
    const document: Obj = {};
    if (rec.file_name) document.file_name = rec.file_name;
    if (rec.mime_type) document.mime_type = rec.mime_type;
    Object.assign(document, {
      file_id: rec.file_id,
      file_unique_id: rec.file_unique_id,
      file_size: rec.bytes.length,
    });
    return this.post({ document, ...this.#caption(options.caption) }, options);
  }

  /** Sends a location. */
  sendLocation(
    latitude: number,
    longitude: number,
    options: UserSendOptions = {},
  ): Promise<Message> {
    return this.post({ location: { latitude, longitude } }, options);
  }

  /** Sends a contact card. */
  sendContact(
    phoneNumber: string,
    firstName: string,
    options: UserSendOptions & { lastName?: string; userId?: number } = {},
  ): Promise<Message> {
    const contact: Obj = { phone_number: phoneNumber, first_name: firstName };
    if (options.lastName) contact.last_name = options.lastName;
    if (options.userId) contact.user_id = options.userId;
    return this.post({ contact }, options);
  }

  /**
   * Posts any message content (e.g. `{ dice: { emoji: "🎲", value: 3 } }` or a sticker):
   * the escape hatch for content the other helpers do not cover.
   */
  post(content: Record<string, unknown>, options: UserSendOptions = {}): Promise<Message> {
    try {
      const chat = this.#chatRec(options.chat);
      const asChannel = checkCanPost(this.#host, this.#rec, chat);
      const body: Obj = {};
      if (options.replyTo !== undefined) {
        const id = typeof options.replyTo === "number"
          ? options.replyTo
          : options.replyTo.message_id;
        const target = chat.messages.get(id);
        if (!target) throw new Error(`message ${id} not found in chat ${chat.id}`);
        const nested: Obj = { ...target };
        delete nested.reply_to_message;
        body.reply_to_message = nested;
      }
      Object.assign(body, content);
      const world = this.#host.world;
      const msg = asChannel
        ? world.addMessage(chat, body, { senderChat: chat.chat, byBot: false })
        : world.addMessage(chat, body, { from: this.#rec.user, byBot: false });
      if (reachesBot(this.#host, chat, msg)) {
        this.#host.push(asChannel ? { channel_post: msg } : { message: msg });
      }
      return Promise.resolve(msg as unknown as Message);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Edits one of the user's own messages; the bot gets an edited_message update. */
  edit(message: Message, text: string): Promise<Message> {
    try {
      const chat = this.#chatRec(message.chat.id);
      const current = chat.messages.get(message.message_id);
      if (!current || (current.from as Obj | undefined)?.id !== this.id) {
        throw new Error("only the user's own existing messages can be edited");
      }
      const edited: MessageObj = { ...current, text, edit_date: this.#host.world.now() };
      const entities = detectEntities(text);
      if (entities.length > 0) edited.entities = entities;
      else delete edited.entities;
      this.#host.world.replaceMessage(chat, edited);
      this.#host.push(
        chat.chat.type === "channel" ? { edited_channel_post: edited } : { edited_message: edited },
      );
      return Promise.resolve(edited as unknown as Message);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Presses the inline button with this callback_data under a message (or under an inline
   * message, given its inline_message_id); the bot gets a callback_query update. Resolves
   * with the CallbackQuery. The bot's answer is then `emulator.callbackAnswer(query.id)`.
   */
  pressButton(message: Message | string, callbackData: string): Promise<CallbackQuery> {
    try {
      const world = this.#host.world;
      let markup: { inline_keyboard?: Obj[][] } | undefined;
      const query: Obj = { id: randomQueryId(), from: this.#rec.user };
      if (typeof message === "string") {
        const inline = world.store.inlineMessages.get(message);
        if (!inline) throw new Error(`no inline message ${message}`);
        markup = inline.reply_markup as typeof markup;
        query.inline_message_id = message;
        query.chat_instance = `${inline.chat_instance ?? "0"}`;
      } else {
        const chat = this.#chatRec(message.chat.id);
        const current = chat.messages.get(message.message_id);
        if (!current) throw new Error(`message ${message.message_id} no longer exists`);
        if (chat.chat.type !== "private" && !isMember(this.#rec, chat)) {
          throw new Error(`${this.#rec.user.first_name} is not a member of chat ${chat.id}`);
        }
        markup = current.reply_markup as typeof markup;
        query.message = current;
        query.chat_instance = chat.chatInstance;
      }
      const found = markup?.inline_keyboard?.some((row) =>
        row.some((b) => b.callback_data === callbackData)
      );
      if (!found) throw new Error(`no inline button with callback_data "${callbackData}"`);
      query.data = callbackData;
      let resolve!: (a: Obj) => void;
      const answered = new Promise<Obj>((r) => resolve = r);
      world.callbackQueries.set(query.id as string, { query, answered, resolve });
      this.#host.push({ callback_query: query });
      return Promise.resolve(query as unknown as CallbackQuery);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Chooses one of the results the bot answered an inline query with. The bot gets a
   * chosen_inline_result update (as with inline feedback enabled in @BotFather); a result
   * with an inline keyboard gets an inline_message_id the bot can edit. With `chat`, the
   * result is also posted there as the user's message `via_bot`.
   */
  chooseInlineResult(
    query: InlineQuery | string,
    resultId: string,
    options: { chat?: ChatLike } = {},
  ): Promise<ChosenInlineResult> {
    try {
      const world = this.#host.world;
      const queryId = typeof query === "string" ? query : query.id;
      const rec = world.inlineQueries.get(queryId);
      if (!rec) throw new Error(`no inline query ${queryId}`);
      const answer = rec.answer;
      if (!answer) throw new Error(`the bot has not answered inline query ${queryId}`);
      const result = (answer.results as Obj[]).find((r) => r.id === resultId);
      if (!result) throw new Error(`the bot's answer has no result "${resultId}"`);
      const content = inlineContent(result);
      const chosen: Obj = { result_id: resultId, from: this.#rec.user, query: rec.query.query };
      if (result.reply_markup) {
        const id = world.randomId(24);
        world.store.inlineMessages.set(id, { ...content, reply_markup: result.reply_markup });
        chosen.inline_message_id = id;
      }
      if (options.chat !== undefined) {
        const body: Obj = { via_bot: world.bot, ...content };
        if (result.reply_markup) body.reply_markup = result.reply_markup;
        const chat = this.#chatRec(options.chat);
        checkCanPost(this.#host, this.#rec, chat);
        const msg = world.addMessage(chat, body, { from: this.#rec.user, byBot: false });
        if (reachesBot(this.#host, chat, msg)) this.#host.push({ message: msg });
      }
      this.#host.push({ chosen_inline_result: chosen });
      return Promise.resolve(chosen as unknown as ChosenInlineResult);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Pays an invoice the bot sent: a shipping_query first for flexible invoices, then a
   * pre_checkout_query; when the bot answers ok, the user's successful_payment message is
   * posted and returned. Rejects when the bot declines or does not answer in `timeout` ms
   * (default 10000, as Telegram's 10 seconds).
   */
  async pay(
    invoiceMessage: Message,
    options: { timeout?: number; shippingAddress?: Record<string, string> } = {},
  ): Promise<Message> {
    const chat = this.#chatRec(invoiceMessage.chat.id);
    const id = invoiceMessage.message_id;
    return await payInvoice(this.#host, this.#rec, chat, id, options) as unknown as Message;
  }

  /**
   * Types an inline query (`@bot query`); the bot gets an inline_query update. Resolves
   * with the InlineQuery; the bot's answer is then `emulator.inlineAnswer(query.id)`.
   */
  inlineQuery(
    query: string,
    options: { offset?: string; chatType?: string } = {},
  ): Promise<InlineQuery> {
    const q: Obj = {
      id: randomQueryId(),
      from: this.#rec.user,
      query,
      offset: options.offset ?? "",
      chat_type: options.chatType ?? "sender",
    };
    let resolve!: (a: Obj) => void;
    const answered = new Promise<Obj>((r) => resolve = r);
    this.#host.world.inlineQueries.set(q.id as string, { query: q, answered, resolve });
    this.#host.push({ inline_query: q });
    return Promise.resolve(q as unknown as InlineQuery);
  }

  /**
   * Joins a group, supergroup or channel. Groups get a `new_chat_members` service
   * message; a `chat_member` update is queued too (the bot gets it only if it asked for
   * chat_member in allowed_updates, as in Telegram). Resolves with the service message, or
   * undefined for channels and when already a member.
   */
  join(chat: ChatLike): Promise<Message | undefined> {
    return this.#changeMembership(chat, "member");
  }

  /** Leaves a group, supergroup or channel (`left_chat_member` service message in groups). */
  leave(chat: ChatLike): Promise<Message | undefined> {
    return this.#changeMembership(chat, "left");
  }

  #changeMembership(chat: ChatLike, status: "member" | "left"): Promise<Message | undefined> {
    try {
      const rec = this.#chatRec(chat);
      const service = changeMembership(this.#host, this.#rec, rec, status);
      return Promise.resolve(service as unknown as Message | undefined);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Resolves with the next message the bot sent to a chat that this user has not taken
   * yet (the oldest first), waiting up to `timeout` ms (default 2000); rejects on timeout.
   */
  nextMessage(options: NextMessageOptions = {}): Promise<Message> {
    const timeout = options.timeout ?? 2000;
    let chat: ChatRec;
    try {
      chat = this.#chatRec(options.chat);
    } catch (err) {
      return Promise.reject(err);
    }
    const ready = this.#take(chat);
    if (ready) return Promise.resolve(ready as unknown as Message);
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    return this.#waitForMessage(chat, timeout, signal);
  }

  /** The next bot message in `chat` this user has not taken yet, moving its cursor past it. */
  #take(chat: ChatRec): MessageObj | undefined {
    const base = chat.botMessageBase;
    let at = Math.max(this.#cursors.get(chat.id) ?? 0, base);
    while (at - base < chat.botMessageIds.length) {
      const msg = chat.messages.get(chat.botMessageIds[at++ - base]);
      this.#cursors.set(chat.id, at);
      if (msg) return msg;
    }
    return undefined;
  }

  /** Waits for the bot's next message in `chat`; rejects on timeout, abort or close. */
  #waitForMessage(chat: ChatRec, timeout: number, signal?: AbortSignal): Promise<Message> {
    return new Promise<Message>((resolve, reject) => {
      const finish = () => {
        if (timer !== undefined) clearTimeout(timer);
        chat.waiters.delete(wake);
        removeClose();
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = () => {
        finish();
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const wake = () => {
        const msg = this.#take(chat);
        if (!msg) return;
        finish();
        resolve(msg as unknown as Message);
      };
      // No timer at all for an endless wait: cheap for many long-lived watchers.
      const timer = timeout === Infinity ? undefined : setTimeout(() => {
        finish();
        reject(
          new Error(`nextMessage: the bot sent nothing to chat ${chat.id} within ${timeout} ms`),
        );
      }, timeout);
      chat.waiters.add(wake);
      const removeClose = this.#host.onClose(() => {
        finish();
        reject(new Error("nextMessage: the emulator was closed"));
      });
    });
  }

  /** The messages the bot has sent to a chat so far (current versions; deleted ones left out). */
  received(chat?: ChatLike): Message[] {
    const rec = this.#chatRec(chat);
    const out: Message[] = [];
    for (const id of rec.botMessageIds) {
      const msg = rec.messages.get(id);
      if (msg) out.push(msg as unknown as Message);
    }
    return out;
  }

  #caption(caption: string | undefined): Obj {
    if (!caption) return {};
    const entities = detectEntities(caption);
    return entities.length > 0 ? { caption, caption_entities: entities } : { caption };
  }

  #chatRec(chat: ChatLike | undefined): ChatRec {
    if (chat === undefined) return this.#rec.chat;
    const id = typeof chat === "number" ? chat : chat.id;
    const rec = this.#host.world.chats.get(id);
    if (!rec) throw new Error(`unknown chat ${id}`);
    return rec;
  }
}

/** The message content an inline query result produces (text results only carry text). */
function inlineContent(result: Obj): Obj {
  const imc = result.input_message_content as Obj | undefined;
  if (imc && typeof imc.message_text === "string") {
    const parsed = typeof imc.parse_mode === "string"
      ? parseMarkup(imc.message_text, imc.parse_mode)
      : { text: imc.message_text, entities: (imc.entities as Obj[] | undefined) ?? [] };
    return parsed.entities.length > 0
      ? { text: parsed.text, entities: parsed.entities }
      : { text: parsed.text };
  }
  if (typeof result.title === "string") return { text: result.title };
  return { text: String(result.id) };
}
