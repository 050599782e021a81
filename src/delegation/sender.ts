/**
 * Sender: a bot's chat-addressed methods with the chat id filled in.
 * @module
 */

import type { Bot } from "../bot.ts";
import { SENDER_METHODS, type SenderMethodName } from "./sender_methods.ts";

/**
 * A tuple type without its element at index `I` (0 or 1).
 * @internal
 */
export type DropAt<A extends unknown[], I extends number> = I extends 0
  ? (A extends [unknown, ...infer R] ? R : A)
  : (A extends [infer F, unknown, ...infer R] ? [F, ...R] : A);

/**
 * What a method looks like when the Bot does not (yet) declare it.
 * @internal
 */
// deno-lint-ignore no-explicit-any
export type AnyMethod = (...args: any[]) => Promise<any>;

/**
 * A method type `F` without its parameter at index `I` (the chat id).
 * @internal
 */
export type Bound<F, I extends number> = F extends (...args: infer A) => infer R
  ? (...args: DropAt<A, I>) => R
  : AnyMethod;

/** The bound methods: each Bot method of the list, minus its `chatId` parameter. */
export type SenderMethods = {
  [K in SenderMethodName]: K extends keyof Bot ? Bound<Bot[K], (typeof SENDER_METHODS)[K]>
    : AnyMethod;
};

/** A chat id as the Bot API takes it: a number, or `@channelusername`. */
export type ChatId = number | string;

/**
 * The non-method part of a Sender (its `bot` and `chatId`); use {@linkcode Sender}.
 * @internal
 */
export class SenderBase {
  /** The bot whose methods are called. */
  readonly bot: Bot;
  /** The chat every call goes to. */
  readonly chatId: ChatId;

  /**
   * Binds `bot`'s chat-addressed methods to `chatId`.
   *
   * @param bot the bot to call
   * @param chatId the chat to send to
   */
  constructor(bot: Bot, chatId: ChatId) {
    this.bot = bot;
    this.chatId = chatId;
  }
}

for (const [name, index] of Object.entries(SENDER_METHODS)) {
  Object.defineProperty(SenderBase.prototype, name, {
    configurable: true,
    writable: true,
    value: function (this: SenderBase, ...args: unknown[]): unknown {
      const method = (this.bot as unknown as Record<string, unknown>)[name];
      if (typeof method !== "function") {
        throw new TypeError(`${name}: this bot has no such method`);
      }
      if (args.length < index) args.length = index;
      args.splice(index, 0, this.chatId);
      return method.apply(this.bot, args);
    },
  });
}

/**
 * A proxy to the bot's chat-addressed methods (every `send*`, `forwardMessage(s)`,
 * `copyMessage(s)`, `sendChatAction`, ... of Bot API 10.1) with the chat id filled
 * in: same signatures as the Bot's, minus `chatId`.
 *
 * @example
 * ```ts
 * import { Bot } from "../../mod.ts";
 * import { Sender } from "../../helper.ts";
 * const bot = new Bot("123:abc");
 * const sender = new Sender(bot, 42);
 * // sender.sendMessage("hi") is bot.sendMessage(42, "hi")
 * ```
 */
export type Sender = SenderBase & SenderMethods;

/** The constructor of {@linkcode Sender}. */
export const Sender = SenderBase as unknown as new (bot: Bot, chatId: ChatId) => Sender;
