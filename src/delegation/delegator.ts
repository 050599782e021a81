/**
 * SpeakerBot (a Bot with a Microphone) and DelegatorBot (one live delegate per
 * seed), telepot's heart.
 * @module
 */

import type { Update } from "../core/types.ts";
import { deadline, startTimer } from "../time/timers.ts";
import { Bot, type BotOptions } from "../bot.ts";
import type { LoopOptions } from "../updates/loop_options.ts";
import { takePayload, type UpdateHandler } from "../updates/hand_over.ts";
import { Settlement } from "../updates/settlement.ts";
import type { SeedTuple } from "./context.ts";
import { StopListening } from "../core/errors/listening.ts";
import type { Delegate } from "./factories.ts";
import { bindOwner, Listener } from "./listener.ts";
import { MessageQueue, Microphone } from "./microphone.ts";
import { type ErrorHook, report } from "../updates/report.ts";
import type { SeedFunction } from "./seeds.ts";
import { Pattern, type SeedRecord, settlementOf } from "./seed_record.ts";

/** The abort reason of every ended delegate's signal (made on first use). */
let delegateEnded: StopListening | undefined;

/**
 * {@linkcode delegateEnded}, made without a stack trace: V8 keeps the functions of a
 * captured stack, and with them the first ended delegate's record, for good.
 */
function endedReason(): StopListening {
  if (delegateEnded !== undefined) return delegateEnded;
  const E = Error as { stackTraceLimit?: number };
  const limit = E.stackTraceLimit;
  if (typeof limit === "number") E.stackTraceLimit = 0;
  try {
    return delegateEnded = new StopListening("the delegate ended");
  } finally {
    if (typeof limit === "number") E.stackTraceLimit = limit;
  }
}

/** Records the update kind of the payload of an update handed to `handle()` directly. */
function note(update: unknown): void {
  if (update !== null && typeof update === "object") takePayload(update as Update);
}

/**
 * A Bot with a {@linkcode Microphone}: `handle()` broadcasts every payload to the
 * listeners made by `createListener()`.
 *
 * @example
 * ```ts
 * import { SpeakerBot } from "../../mod.ts";
 * const bot = new SpeakerBot("123:abc");
 * const listener = bot.createListener();
 * listener.capture({ chat__id: 42 });
 * // bot.messageLoop(); ... const msg = await listener.wait();
 * listener.close();
 * ```
 */
export class SpeakerBot extends Bot {
  /** Broadcasts incoming payloads to listeners. */
  readonly mic: Microphone = new Microphone();

  /** A new listener fed by this bot's microphone; `close()` it when done. */
  createListener(): Listener {
    const queue = new MessageQueue();
    this.mic.add(queue);
    return new Listener(this.mic, queue);
  }

  /** Broadcasts `msg` to every listener that may want it. */
  override handle(msg: unknown, update?: Update): unknown {
    note(update);
    this.mic.send(msg);
    return undefined;
  }
}

/** A delegation pattern: a seed function and the delegate to run per seed. */
export type DelegationPattern = readonly [seed: SeedFunction, delegate: Delegate];

/** Options of {@linkcode DelegatorBot}. */
export interface DelegatorBotOptions extends BotOptions {
  /** Receives errors of seed functions, factories and delegates. Default: one log line each. */
  onError?: ErrorHook;
  /**
   * Milliseconds `stop()` waits for busy delegates to finish the updates they were
   * handed (at most the update loop's `settleTimeout` when a loop ran), and then again
   * for delegates to end after aborting them. Default 5000.
   */
  stopTimeout?: number;
}

/** A payload handed over while stop() aborts the delegates, handled right after it. */
interface Parked {
  readonly msg: unknown;
  readonly update?: Update;
  readonly done: (settled: Promise<boolean>) => void;
}

/**
 * A bot that keeps one live delegate per seed. For every incoming payload, each
 * pattern's seed function computes a seed:
 * - `null`/`undefined`: nothing happens for that pattern;
 * - a primitive, or a non-empty array of primitives (telepot's tuple): keyed. If a
 *   delegate for that seed is live, the payload is just broadcast (its listener
 *   picks it up); otherwise a new delegate starts with it;
 * - any other object (telepot's list, e.g. `{}` or `[]`): a new delegate every time.
 *
 * A delegate is `(seedTuple, signal) => unknown | Promise<unknown>` with
 * `seedTuple = [bot, msg, seed]` (see `createOpen`, `createRun`, `call`). Its signal
 * aborts when it ends or the bot stops. When a delegate ends (returns, throws, idles
 * out, is closed), the next payload for its seed starts a new one; payloads that
 * reached its seed but that it never took (they arrived while it was closing) go to
 * the new delegate, in order. Errors of seed functions, factories and delegates are
 * reported (see `onError`) and never stop the bot. Records of ended delegates are
 * dropped, so memory follows live seeds.
 *
 * Nothing lost: `handle()` tells the update loop (by a `Settlement`) when the
 * delegates an update went to are done with it (they wait for their next message, or
 * ended), and the loop confirms the update to Telegram only then (at most
 * `settleTimeout` later), so a crash never loses an update a delegate had not
 * finished. `stop()` lets busy delegates finish what they were handed, then aborts them.
 *
 * @example
 * ```ts
 * import { DelegatorBot } from "../../mod.ts";
 * import { createOpen, perChatId } from "../../delegate.ts";
 * import { ChatHandler } from "../../helper.ts";
 *
 * class MessageCounter extends ChatHandler {
 *   count = 0;
 *   async onChatMessage() {
 *     this.count++;
 *     await this.sender.sendMessage(String(this.count));
 *   }
 * }
 *
 * const bot = new DelegatorBot("123:abc", [
 *   [perChatId(), createOpen(MessageCounter, { timeout: 10 })],
 * ]);
 * // await bot.messageLoop();
 * ```
 */
export class DelegatorBot extends SpeakerBot {
  readonly #patterns: Pattern[];
  readonly #onError: ErrorHook | undefined;
  readonly #stopTimeout: number;
  readonly #live = new Set<SeedRecord>();
  #binding: SeedRecord | null = null;
  #stopping = false;
  /** Payloads handed over while stop() aborts the delegates: handled right after it. */
  #parked: Parked[] | null = null;
  /** The update loop's settleTimeout when a loop was started (bounds the drain on stop). */
  #loopSettle: number | undefined;

  /**
   * Creates the bot with its delegation patterns.
   *
   * @param token the bot token
   * @param delegationPatterns `[seedFunction, delegate]` pairs
   * @param options Bot options plus `onError` and `stopTimeout`
   */
  constructor(
    token: string,
    delegationPatterns: readonly DelegationPattern[],
    options: DelegatorBotOptions = {},
  ) {
    super(token, options);
    this.#patterns = delegationPatterns.map(([seedFn, delegate], i) => {
      if (typeof seedFn !== "function" || typeof delegate !== "function") {
        throw new TypeError(`delegation pattern ${i} must be [seedFunction, delegate]`);
      }
      return new Pattern(seedFn, delegate);
    });
    this.#onError = options.onError;
    this.#stopTimeout = options.stopTimeout ?? 5000;
  }

  /** Number of delegates running now. */
  get liveDelegates(): number {
    return this.#live.size;
  }

  /** A new listener; one created while a delegate starts belongs to that delegate. */
  override createListener(): Listener {
    const listener = super.createListener();
    const rec = this.#binding;
    if (rec !== null) {
      bindOwner(listener, rec);
      rec.addListener(listener);
    }
    return listener;
  }

  /**
   * Routes `msg`: payloads for a seed with a live delegate are noted as owed to it,
   * then `msg` is broadcast (listeners that take it settle the debt), then delegates
   * start for seeds that have none live.
   */
  override handle(msg: unknown, update?: Update): unknown {
    if (this.#stopping) return this.#park(msg, update);
    note(update);
    let fresh: SeedRecord[] | null = null;
    let routed: SeedRecord[] | null = null;
    for (const pattern of this.#patterns) {
      const seed = this.#seedOf(pattern, msg, update);
      if (seed === null || seed === undefined) continue;
      const live = pattern.live(seed);
      if (live !== undefined) {
        live.owe(msg);
        (routed ??= []).push(live);
      } else (fresh ??= []).push(pattern.add(seed));
    }
    this.mic.send(msg);
    if (fresh !== null) {
      for (const rec of fresh) {
        if (this.#launch(rec, msg)) (routed ??= []).push(rec);
        else this.#end(rec);
      }
    }
    return routed === null ? undefined : settlementOf(routed);
  }

  /**
   * A loop (or webhook) handed `msg` over while stop() aborts the delegates: it is
   * handled once that is over, by fresh delegates; the loop waits to confirm it.
   */
  #park(msg: unknown, update: Update | undefined): Settlement {
    return new Settlement(
      new Promise((done) => (this.#parked ??= []).push({ msg, update, done })),
    );
  }

  /** The seed `pattern` computes for `msg`; undefined (reported) when its function threw. */
  #seedOf(pattern: Pattern, msg: unknown, update: Update | undefined): unknown {
    try {
      return pattern.seedFn(msg, update);
    } catch (err) {
      report(this.#onError, err, { source: "seed", updateId: update?.update_id });
      return undefined;
    }
  }

  /**
   * Long polling, as {@linkcode Bot.messageLoop}; with the default handler, every
   * update is confirmed once the delegates it went to are done with it (see
   * `settleTimeout` in the loop options).
   */
  override messageLoop(handler?: UpdateHandler, options?: LoopOptions): Promise<void> {
    this.#loopSettle = options?.settleTimeout ?? 1000;
    return super.messageLoop(handler, options);
  }

  /** Starts the delegate of `rec` with `msg`; false if the factory threw. */
  #launch(rec: SeedRecord, msg: unknown): boolean {
    const controller = new AbortController();
    rec.controller = controller;
    const seedTuple: SeedTuple = [this, msg, rec.seed];
    const outer = this.#binding;
    this.#binding = rec;
    let result: unknown;
    try {
      result = rec.pattern.delegate(seedTuple, controller.signal);
    } catch (err) {
      report(this.#onError, err, { source: "factory", seed: rec.seed });
      this.#release(rec);
      return false;
    } finally {
      this.#binding = outer;
    }
    this.#live.add(rec);
    rec.task = Promise.resolve(result).then(
      () => this.#end(rec),
      (err) => {
        report(this.#onError, err, { source: "delegate", seed: rec.seed });
        this.#end(rec);
      },
    );
    return true;
  }

  /** Aborts the delegate's signal and closes its listeners. */
  #release(rec: SeedRecord): void {
    // One shared reason: building an Error (its stack) per ended delegate was a
    // measurable share of a busy bot's CPU, and the reason carries no per-delegate facts.
    rec.controller?.abort(endedReason());
    rec.controller = null;
    rec.closeListeners();
    rec.listeners = null;
    rec.task = null;
    this.#live.delete(rec);
  }

  /**
   * After a delegate ended: payloads routed to its seed that it never took start the
   * next delegate for the seed (the rest queue up for it); else the record goes.
   */
  #end(rec: SeedRecord): void {
    this.#release(rec);
    let pending = rec.takeOwed();
    while (pending.length > 0 && !this.#stopping) {
      const [first, ...rest] = pending;
      for (const m of rest) rec.owe(m);
      if (this.#launch(rec, first)) {
        if (rec.listeners !== null) {
          for (const m of rest) for (const l of rec.listeners) l.queue.put(m);
        }
        return; // its settlements wait for the new delegate
      }
      pending = rec.takeOwed();
    }
    rec.forget();
    rec.settle(pending.length === 0); // stopping with payloads never taken: given up
  }

  /**
   * Stops the update loop, lets busy delegates finish what they were handed (at most
   * the loop's `settleTimeout`, or `stopTimeout` without a loop), so the loop confirms
   * exactly what was done; then aborts every delegate's signal and waits for them, at
   * most `stopTimeout` ms.
   */
  override async stop(): Promise<void> {
    await this.#drain(() => super.stop());
    this.#stopping = true;
    try {
      await this.#abortAll();
    } finally {
      this.#stopping = false;
      this.#unpark();
    }
  }

  /**
   * Runs `stopLoop`, then waits for busy delegates to be done with what they were
   * handed; gives up (settling their updates as given up) after the drain time.
   */
  async #drain(stopLoop: () => Promise<void>): Promise<void> {
    // With a loop, what is not done within its settleTimeout stays unconfirmed (it comes
    // again): stop waiting for it then. Without one (or with settleTimeout 0, where the
    // loop confirmed at once), let delegates finish for up to stopTimeout.
    const settle = this.#loopSettle;
    const drainMs = settle ? Math.min(this.#stopTimeout, settle) : this.#stopTimeout;
    let gaveUp = false;
    const giveUp = () => {
      gaveUp = true;
      for (const rec of this.#live) rec.settle(false);
    };
    const timer = startTimer(giveUp, drainMs);
    try {
      await stopLoop();
      // Delegates fed otherwise (webhooks, handle() called directly) finish too.
      const busy: Promise<boolean>[] = [];
      if (!gaveUp) {
        for (const rec of this.#live) if (!rec.quiet()) busy.push(rec.settlement());
      }
      if (busy.length > 0) await Promise.all(busy);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Aborts every delegate's signal and waits for them to end, at most `stopTimeout`. */
  async #abortAll(): Promise<void> {
    const reason = new StopListening("the bot is stopping");
    const tasks: Promise<void>[] = [];
    for (const rec of [...this.#live]) {
      if (rec.task !== null) tasks.push(rec.task);
      rec.controller?.abort(reason);
      // Waits on the delegate's own signal end by closing its listeners.
      rec.closeListeners(reason);
    }
    if (tasks.length === 0) return;
    try {
      await deadline(Promise.all(tasks), this.#stopTimeout);
    } catch (err) {
      report(this.#onError, err, { source: "stop" });
    }
  }

  /** Handles the payloads parked while stopping, now that stop() is over. */
  #unpark(): void {
    const parked = this.#parked;
    this.#parked = null;
    for (const p of parked ?? []) {
      const s = this.handle(p.msg, p.update);
      p.done(s instanceof Settlement ? s.settled : Promise.resolve(true));
    }
  }
}
