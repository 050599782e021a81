/**
 * telepot's chatbox, a mailbox for chats: people send the bot messages, the bot
 * keeps them (in memory), and its owner reads them later. For the owner:
 * `/unread` tells who sent how many, `/next` reads the next sender's messages.
 * Three delegation patterns at once: a ChatHandler for the owner, one Monitor that
 * records messages from anyone, and a one-off welcome for newcomers. Without an
 * owner id, the first chat that sends `/owner` becomes the owner.
 *
 * Run: `deno run -A examples/chatbox.ts <token> [owner chat id]`
 * @module
 */

import { type BotOptions, DelegatorBot, glance } from "../mod.ts";
import { call, createOpen, perApplication } from "../delegate.ts";
import { ChatHandler, Monitor, type SeedTuple } from "../helper.ts";
import { runExample } from "./_main.ts";

interface TextMessage {
  chat: { id: number };
  date: number;
  text: string;
}

/** Unread messages per chat (a stand-in for a database). */
export class UnreadStore {
  readonly #db = new Map<number, TextMessage[]>();

  /** Keeps a message. */
  put(msg: TextMessage): void {
    const list = this.#db.get(msg.chat.id) ?? [];
    list.push(msg);
    this.#db.set(msg.chat.id, list);
  }

  /** Takes every unread message of a chat, oldest first. */
  pull(chatId: number): TextMessage[] {
    const list = this.#db.get(chatId) ?? [];
    this.#db.delete(chatId);
    return list.sort((a, b) => a.date - b.date);
  }

  /** `[chatId, count]` per chat with unread messages. */
  unreadPerChat(): [number, number][] {
    return [...this.#db].map(([id, list]) => [id, list.length]);
  }
}

/** Answers the owner's commands. */
export class OwnerHandler extends ChatHandler {
  readonly #store: UnreadStore;

  constructor(seedTuple: SeedTuple, timeout: number, store: UnreadStore) {
    super(seedTuple, { timeout, includeCallbackQuery: false });
    this.#store = store;
  }

  async onChatMessage(msg: { text?: string }): Promise<void> {
    const [contentType] = glance(msg as never);
    const command = contentType === "text" ? msg.text!.trim().toLowerCase() : "";
    if (command === "/owner") {
      await this.sender.sendMessage("You are the owner.");
    } else if (command === "/unread") {
      const lines = this.#store.unreadPerChat().map(([id, n]) => `ID: ${id}\n${n} unread`);
      await this.sender.sendMessage(lines.length ? lines.join("\n") : "No unread messages");
    } else if (command === "/next") {
      const next = this.#store.unreadPerChat()[0];
      if (!next) {
        await this.sender.sendMessage("No unread messages");
        return;
      }
      const messages = this.#store.pull(next[0]);
      await this.sender.sendMessage(`From ID: ${next[0]}`);
      for (const m of messages) await this.sender.sendMessage(m.text);
    } else {
      await this.sender.sendMessage("I don't understand");
    }
  }
}

/** Records every text message, except from the excluded chat. */
export class MessageSaver extends Monitor {
  readonly #store: UnreadStore;
  readonly #exclude: () => number | undefined;

  constructor(seedTuple: SeedTuple, store: UnreadStore, exclude: () => number | undefined) {
    super(seedTuple, { capture: [{ _: () => true }] });
    this.#store = store;
    this.#exclude = exclude;
  }

  onChatMessage(msg: TextMessage): void {
    const [contentType, , chatId] = glance(msg as never);
    if (chatId === this.#exclude() || contentType !== "text") return;
    this.#store.put(msg);
  }
}

/** Options of the chatbox bot. */
export interface ChatBoxOptions extends BotOptions {
  /** The chat id of the owner (their user id). Default: whoever sends `/owner` first. */
  ownerId?: number;
  /** Seconds of silence after which the owner's handler closes. Default 20. */
  ownerTimeout?: number;
}

/** The chatbox: who is the owner, what was seen, what is unread. */
export class ChatBox extends DelegatorBot {
  /** The unread messages. */
  readonly store: UnreadStore;
  /** The owner's chat id, once known. */
  ownerId: number | undefined;
  readonly #seen = new Set<number>();

  constructor(token: string, options: ChatBoxOptions = {}) {
    const { ownerId, ownerTimeout = 20, ...botOptions } = options;
    const store = new UnreadStore();
    super(token, [
      // The owner's commands go to one handler (telepot: perChatIdIn([ownerId])).
      [(msg: Payload) => this.#owner(msg), createOpen(OwnerHandler, ownerTimeout, store)],
      // Exactly one MessageSaver for the whole bot.
      [perApplication(), createOpen(MessageSaver, store, () => this.ownerId)],
      // A welcome for every sender seen for the first time ({}: a new delegate each time).
      [
        (msg: Payload) => this.#newcomer(msg),
        call(([bot, msg]) => bot.sendMessage(msg.chat.id, "Hello!")),
      ],
    ], botOptions);
    this.store = store;
    this.ownerId = ownerId;
  }

  /** Seeds the owner's messages by their chat id; `/owner` claims an unowned chatbox. */
  #owner(msg: Payload): number | null {
    const chatId = msg.chat?.id;
    if (chatId === undefined) return null;
    if (this.ownerId === undefined && msg.text === "/owner") this.ownerId = chatId;
    return chatId === this.ownerId ? chatId : null;
  }

  /** Seeds a first message from a chat with a fresh object (an unkeyed, one-off delegate). */
  #newcomer(msg: Payload): object | null {
    const chatId = msg.chat?.id;
    if (chatId === undefined || chatId === this.ownerId || this.#seen.has(chatId)) return null;
    this.#seen.add(chatId);
    return {};
  }
}

type Payload = { chat?: { id: number }; text?: string };

/** The example bot (what `deno task demo` and the tests run). */
export function createBot(token: string, options: ChatBoxOptions = {}): ChatBox {
  return new ChatBox(token, options);
}

if (import.meta.main) {
  const owner = Deno.args[1] ?? Deno.env.get("CHATBOX_OWNER_ID");
  await runExample("chatbox", (token) => createBot(token, owner ? { ownerId: Number(owner) } : {}));
}
