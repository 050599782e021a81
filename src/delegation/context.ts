/**
 * Contexts a delegate lives in: the bot, an id, a listener of its own, and for
 * chats and users a Sender bound to them.
 * @module
 */

import type { Bot } from "../bot.ts";
import type { Listener } from "./listener.ts";
import { type ChatId, Sender } from "./sender.ts";

/** A bot that can create listeners: a SpeakerBot or DelegatorBot. */
export type SpeakerLike = Bot & { createListener(): Listener };

/**
 * What a DelegatorBot hands every delegate: `[bot, msg, seed]`, the bot, the message
 * that started the delegate, and the seed it computed for it.
 */
// deno-lint-ignore no-explicit-any
export type SeedTuple<S = any> = readonly [bot: SpeakerLike, msg: any, seed: S];

const signals = new WeakMap<object, AbortSignal>();
let never: AbortSignal | undefined;

/** Gives a context its delegate's AbortSignal (done by createOpen / createRun). */
export function attachSignal(context: object, signal: AbortSignal): void {
  signals.set(context, signal);
}

/**
 * A delegate's context: its bot, its id (the seed), and a listener of its own.
 *
 * @example
 * ```ts
 * import { ListenerContext } from "../../helper.ts";
 * import { SpeakerBot } from "../../mod.ts";
 * const bot = new SpeakerBot("123:abc");
 * const ctx = new ListenerContext(bot, "some-id");
 * ctx.listener.capture({ text: "ping" });
 * ctx.listener.close();
 * ```
 */
export class ListenerContext {
  /** The bot this context belongs to. */
  readonly bot: SpeakerLike;
  /** The context id (a DelegatorBot uses the seed). */
  readonly id: unknown;
  /** A listener created for this context. */
  readonly listener: Listener;
  /**
   * Creates the context and a listener for it.
   *
   * @param bot a bot with `createListener()`
   * @param contextId the id of this context
   */
  constructor(bot: SpeakerLike, contextId: unknown) {
    this.bot = bot;
    this.id = contextId;
    this.listener = bot.createListener();
  }

  /**
   * The delegate's AbortSignal: aborted when the delegate ends or its bot stops.
   * Pass it to long operations (`sendMessage(..., { signal })`, `delay(ms, { signal })`)
   * so they end with the delegate. A signal that never aborts until a delegator sets it.
   */
  get signal(): AbortSignal {
    return signals.get(this) ?? (never ??= new AbortController().signal);
  }
}

/**
 * What ChatContext and UserContext share: a listener context whose `sender` is bound to
 * one chat (a user's private chat has the user's id). Not exported from the entry files:
 * users extend ChatContext or UserContext.
 * @internal
 */
abstract class BoundContext extends ListenerContext {
  /** The bot's send/forward/copy methods bound to the context's chat. */
  readonly sender: Sender;

  constructor(bot: SpeakerLike, contextId: unknown, chatId: ChatId) {
    super(bot, contextId);
    this.sender = new Sender(bot, chatId);
  }
}

/**
 * A context bound to one chat: `chatId` and a `sender` for it.
 *
 * @example
 * ```ts
 * import { ChatContext } from "../../helper.ts";
 * import { SpeakerBot } from "../../mod.ts";
 * const bot = new SpeakerBot("123:abc");
 * const ctx = new ChatContext(bot, 42, 42);
 * // await ctx.sender.sendMessage("hello");
 * ctx.listener.close();
 * ```
 */
export class ChatContext extends BoundContext {
  /** The chat this context talks to. */
  readonly chatId: ChatId;
  /** The bot's send/forward/copy methods bound to `chatId`. */
  declare readonly sender: Sender;

  /**
   * Creates the context, a listener and a sender for the chat.
   *
   * @param bot a bot with `createListener()`
   * @param contextId the id of this context
   * @param chatId the chat (defaults to the context id)
   */
  constructor(bot: SpeakerLike, contextId: unknown, chatId: ChatId = contextId as ChatId) {
    super(bot, contextId, chatId);
    this.chatId = chatId;
  }
}

/**
 * A context bound to one user: `userId` and a `sender` to their private chat.
 *
 * @example
 * ```ts
 * import { UserContext } from "../../helper.ts";
 * import { SpeakerBot } from "../../mod.ts";
 * const bot = new SpeakerBot("123:abc");
 * const ctx = new UserContext(bot, 7, 7);
 * ctx.listener.close();
 * ```
 */
export class UserContext extends BoundContext {
  /** The user this context is about. */
  readonly userId: number;
  /** The bot's send methods bound to the user's private chat. */
  declare readonly sender: Sender;

  /**
   * Creates the context, a listener and a sender for the user.
   *
   * @param bot a bot with `createListener()`
   * @param contextId the id of this context
   * @param userId the user (defaults to the context id)
   */
  constructor(bot: SpeakerLike, contextId: unknown, userId: number = contextId as number) {
    super(bot, contextId, userId);
    this.userId = userId;
  }
}
