/**
 * Openable delegates: ChatHandler, UserHandler, Monitor and `openable()`. An
 * openable object has a listener and `open`, `onMessage`, `onClose`, `close`;
 * `createOpen()` runs it: open, then onMessage for every captured message until
 * it is closed, idles too long, fails, or its bot stops; then onClose(reason).
 * @module
 */

import type { Criteria } from "./capture.ts";
import { ChatContext, ListenerContext, type SeedTuple, UserContext } from "./context.ts";
import { StopListening } from "../core/errors/listening.ts";
import { kindOf, routeName } from "../updates/kind.ts";
import type { Listener } from "./listener.ts";

/** What `createOpen()` drives. */
export interface Openable {
  /** The listener whose messages go to `onMessage`. */
  readonly listener: Listener;
  /** Called with the message that started the delegate; return true if it consumed it. */
  open?(initialMsg: unknown, seed: unknown): unknown;
  /** Called with every captured message (and the first, unless `open` consumed it). */
  onMessage(msg: unknown): unknown;
  /** Called once at the end with why: WaitTooLong, StopListening, an error, or the stop reason. */
  onClose?(reason: unknown): unknown;
  /** Ends the delegate after the current message. */
  close?(reason?: unknown): void;
}

/** Turns `close()`'s argument into the reason the listener closes with. */
function closeReason(reason: unknown): unknown {
  if (reason === undefined) return new StopListening();
  if (typeof reason === "string") return new StopListening(reason);
  return reason;
}

/**
 * Sends `msg` to the method named after its kind, if the object has one:
 * `onChatMessage`, `onEditedChatMessage`, `onCallbackQuery`, `onInlineQuery`, ...
 */
export function routeMessage(target: object, msg: unknown): unknown {
  const name = routeName(kindOf(msg) ?? "message");
  const fn = (target as Record<string, unknown>)[name];
  if (typeof fn === "function") return fn.call(target, msg);
  return undefined;
}

/** Options of {@linkcode ChatHandler}. */
export interface ChatHandlerOptions {
  /** Seconds of silence after which the handler closes with WaitTooLong. Default: never. */
  timeout?: number | null;
  /**
   * Also capture callback queries from messages in this chat (pressed inline
   * buttons). Default true.
   */
  includeCallbackQuery?: boolean;
}

function isCallbackQuery(msg: unknown): boolean {
  return kindOf(msg) === "callback_query";
}

function chatIdOf(msg: unknown): number | string {
  const m = msg as { chat?: { id?: number }; message?: { chat?: { id?: number } } } | null;
  const id = m?.chat?.id ?? m?.message?.chat?.id;
  if (id === undefined) {
    throw new TypeError("ChatHandler needs a seed message with a chat (use it with perChatId())");
  }
  return id;
}

/**
 * A delegate for one chat: captures that chat's messages (and callback queries
 * from its messages), closes after `timeout` idle seconds. Override
 * `onChatMessage(msg)` (or `onMessage` to see everything), `open`, `onClose`.
 *
 * @example
 * ```ts
 * import { ChatHandler } from "../../helper.ts";
 *
 * class MessageCounter extends ChatHandler {
 *   count = 0;
 *   async onChatMessage() {
 *     this.count++;
 *     await this.sender.sendMessage(String(this.count));
 *   }
 * }
 * // new DelegatorBot(token, [[perChatId(), createOpen(MessageCounter, { timeout: 10 })]])
 * ```
 */
export class ChatHandler extends ChatContext implements Openable {
  /**
   * Creates the handler for the chat of the seed message.
   *
   * @param seedTuple `[bot, msg, seed]` from the DelegatorBot
   * @param options `{ timeout, includeCallbackQuery }`, or just the timeout in seconds
   */
  constructor(seedTuple: SeedTuple, options: ChatHandlerOptions | number | null = {}) {
    const [bot, msg, seed] = seedTuple;
    const opts = typeof options === "number" || options === null ? { timeout: options } : options;
    const chatId = chatIdOf(msg);
    super(bot, seed, chatId);
    this.listener.setOptions({ timeout: opts.timeout ?? null });
    this.listener.capture({ chat__id: chatId });
    if (opts.includeCallbackQuery ?? true) {
      this.listener.capture({ message__chat__id: chatId, _: isCallbackQuery });
    }
  }
}

/** ChatHandler's default `open`, `onMessage`, `onClose`, `close`: {@linkcode OpenableDefaults}. */
export interface ChatHandler extends OpenableDefaults {}

/** Options of {@linkcode UserHandler}. */
export interface UserHandlerOptions {
  /** Seconds of silence after which the handler closes with WaitTooLong. Default: never. */
  timeout?: number | null;
  /** Only these update kinds (`"message"`, `"inline_query"`, ...). Default: all. */
  kinds?: readonly string[];
}

/**
 * A delegate for one user, wherever they write from (`from.id`): chats, inline
 * queries, callback queries. Use it with `perFromId()` or `perInlineFromId()`.
 *
 * @example
 * ```ts
 * import { UserHandler } from "../../helper.ts";
 * class InlineAnswerer extends UserHandler {
 *   async onInlineQuery(q: { id: string; query: string }) {
 *     await this.bot.answerInlineQuery(q.id, []);
 *   }
 * }
 * ```
 */
export class UserHandler extends UserContext implements Openable {
  /**
   * Creates the handler for the sender of the seed message.
   *
   * @param seedTuple `[bot, msg, seed]` from the DelegatorBot
   * @param options `{ timeout, kinds }`, or just the timeout in seconds
   */
  constructor(seedTuple: SeedTuple, options: UserHandlerOptions | number | null = {}) {
    const [bot, msg, seed] = seedTuple;
    const opts = typeof options === "number" || options === null ? { timeout: options } : options;
    const userId = (msg as { from?: { id?: number } } | null)?.from?.id;
    if (userId === undefined) {
      throw new TypeError("UserHandler needs a seed message with a sender (from.id)");
    }
    super(bot, seed, userId);
    this.listener.setOptions({ timeout: opts.timeout ?? null });
    const kinds = opts.kinds;
    if (kinds === undefined) this.listener.capture({ from__id: userId });
    else {
      const wanted = new Set(kinds);
      this.listener.capture({ from__id: userId, _: (m: unknown) => wanted.has(kindOf(m) ?? "") });
    }
  }
}

/** UserHandler's default `open`, `onMessage`, `onClose`, `close`: {@linkcode OpenableDefaults}. */
export interface UserHandler extends OpenableDefaults {}

/** Options of {@linkcode Monitor}. */
export interface MonitorOptions {
  /** The criteria to capture; a message matching any of them is seen. */
  capture: readonly Criteria[];
}

/**
 * A delegate that watches every message matching its criteria, from any chat.
 * Typically seeded with `perApplication()` so exactly one exists.
 *
 * @example
 * ```ts
 * import { Monitor } from "../../helper.ts";
 * class Logger extends Monitor {
 *   seen: unknown[] = [];
 *   onChatMessage(msg: unknown) {
 *     this.seen.push(msg);
 *   }
 * }
 * // [perApplication(), createOpen(Logger, { capture: [{ _: () => true }] })]
 * ```
 */
export class Monitor extends ListenerContext implements Openable {
  /**
   * Creates the monitor with its criteria.
   *
   * @param seedTuple `[bot, msg, seed]` from the DelegatorBot
   * @param options `{ capture: [criteria, ...] }`
   */
  constructor(seedTuple: SeedTuple, options: MonitorOptions) {
    const [bot, , seed] = seedTuple;
    super(bot, seed);
    for (const c of options.capture) this.listener.capture(c);
  }
}

/** Monitor's default `open`, `onMessage`, `onClose`, `close`: {@linkcode OpenableDefaults}. */
export interface Monitor extends OpenableDefaults {}

/**
 * The members {@linkcode ChatHandler}, {@linkcode UserHandler} and {@linkcode Monitor}
 * have by default, and {@linkcode openable} fills in: override any of them.
 */
export interface OpenableDefaults {
  /** Called with the first message; return true if it was consumed. Default: not consumed. */
  open(initialMsg: unknown, seed: unknown): unknown;
  /**
   * Routes by kind to `onChatMessage`, `onEditedChatMessage`, `onCallbackQuery`,
   * `onInlineQuery`, ... (see {@linkcode routeMessage}).
   */
  onMessage(msg: unknown): unknown;
  /** Called once when the delegate ends, with the reason. Default: nothing. */
  onClose(reason: unknown): unknown;
  /** Ends the delegate after the current message (a string becomes a StopListening reason). */
  close(reason?: unknown): void;
}

/** The one copy of the defaults, put on each class by {@linkcode openable}. */
const DEFAULTS = {
  open(_initialMsg: unknown, _seed: unknown): unknown {
    return undefined;
  },
  onMessage(this: object, msg: unknown): unknown {
    return routeMessage(this, msg);
  },
  onClose(_reason: unknown): unknown {
    return undefined;
  },
  close(this: { listener?: Listener }, reason?: unknown): void {
    if (!this.listener) throw new TypeError("close(): this object has no listener");
    this.listener.close(closeReason(reason));
  },
};

/** Any class. */
// deno-lint-ignore no-explicit-any
export type Constructor = abstract new (...args: any[]) => object;

/**
 * Fills in what `createOpen()` needs on a class that lacks it: `open` (consumes
 * nothing), `onMessage` (routes by kind to `onChatMessage`, `onCallbackQuery`, ...),
 * `onClose` (does nothing), `close` (closes the listener). The class must have a
 * `listener` (extend ListenerContext, ChatContext or UserContext).
 *
 * @example
 * ```ts
 * import { ChatContext, openable, type SeedTuple } from "../../helper.ts";
 * const Echo = openable(class extends ChatContext {
 *   constructor(seedTuple: SeedTuple) {
 *     super(seedTuple[0], seedTuple[2], seedTuple[1].chat.id);
 *     this.listener.capture({ chat__id: this.chatId });
 *   }
 *   onChatMessage(msg: { text?: string }) {
 *     return this.sender.sendMessage(msg.text ?? "?");
 *   }
 * });
 * ```
 */
export function openable<T extends Constructor>(cls: T): T {
  const proto = cls.prototype as Record<string, unknown>;
  for (const [name, fn] of Object.entries(DEFAULTS)) {
    if (typeof proto[name] !== "function") {
      Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
    }
  }
  return cls;
}

// The handlers take their defaults from the one copy above.
openable(ChatHandler);
openable(UserHandler);
openable(Monitor);
