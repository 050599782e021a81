/**
 * SpeakerBot (a Bot with a Microphone) and DelegatorBot (one live delegate per
 * seed), telepot's heart.
 * @module
 */

import type { Update } from "../core/types.ts";
import { deadline, startTimer } from "../time/timers.ts";
import { Bot, type BotOptions } from "../bot.ts";
import { type LoopOptions, Settlement, type UpdateHandler } from "../updates/loop.ts";
import type { SeedTuple } from "./context.ts";
import { StopListening } from "../core/errors/listening.ts";
import type { Delegate } from "./factories.ts";
import { payloadOf, rememberKind } from "../updates/kind.ts";
import { bindOwner, Listener, type ListenerOwner } from "./listener.ts";
import { MessageQueue, Microphone } from "./microphone.ts";
import { type ErrorHook, report } from "../updates/report.ts";
import type { SeedFunction } from "./seeds.ts";

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

/** Records the update kind of a payload handed to `handle()`. */
function note(msg: unknown, update: unknown): void {
  if (update !== null && typeof update === "object") {
    const [kind, payload] = payloadOf(update as Record<string, unknown>);
    if (payload === msg) rememberKind(msg, kind);
  }
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
    note(msg, update);
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

/** No payload. */
const NONE = Symbol("none");

interface Pattern {
  readonly seedFn: SeedFunction;
  readonly delegate: Delegate;
  readonly byValue: Map<unknown, SeedRecord>;
  readonly byTuple: Map<string, SeedRecord>;
}

/** One live delegate: its seed, its signal, its listeners, messages routed to it not yet taken. */
class SeedRecord implements ListenerOwner {
  controller: AbortController | null = null;
  listeners: Listener[] | null = null;
  /** The oldest payload routed to this seed and not yet taken by its delegate (or NONE). */
  owedFirst: unknown = NONE;
  /** The later ones, in order. */
  owedMore: unknown[] | null = null;
  task: Promise<void> | null = null;
  /** Settlements waiting for this seed's delegate to be done with what it was routed. */
  settlers: ((done: boolean) => void)[] | null = null;

  constructor(
    readonly pattern: Pattern,
    readonly map: Map<unknown, SeedRecord> | null,
    readonly key: unknown,
    readonly seed: unknown,
  ) {}

  get signal(): AbortSignal | null {
    return this.controller?.signal ?? null;
  }

  /** Notes that `msg` was routed to this seed while its delegate lives. */
  owe(msg: unknown): void {
    if (this.owedFirst === NONE) this.owedFirst = msg;
    else if (this.owedMore === null) this.owedMore = [msg];
    else this.owedMore.push(msg);
  }

  /** A listener of the delegate took `msg`: it is no longer owed. */
  taken(msg: unknown): void {
    if (this.owedFirst === msg) {
      const more = this.owedMore;
      if (more === null) this.owedFirst = NONE;
      else {
        this.owedFirst = more.shift();
        if (more.length === 0) this.owedMore = null;
      }
    } else if (this.owedMore !== null) {
      const i = this.owedMore.indexOf(msg);
      if (i >= 0) this.owedMore.splice(i, 1);
      if (this.owedMore.length === 0) this.owedMore = null;
    }
  }

  /**
   * Whether the delegate is done with every payload routed to it: it ended, or it
   * took them all and now waits on one of its listeners for more.
   */
  quiet(): boolean {
    if (this.controller === null) return true;
    if (this.owedFirst !== NONE) return false;
    const listeners = this.listeners;
    if (listeners === null) return false;
    for (const l of listeners) if (l.waiting) return true;
    return false;
  }

  /** A listener of the delegate started waiting: settle what is waiting for it. */
  idle(): void {
    if (this.settlers !== null && this.quiet()) this.settle(true);
  }

  /** A settlement that resolves when the delegate is done with what it was routed. */
  settlement(): Promise<boolean> {
    return new Promise((resolve) => (this.settlers ??= []).push(resolve));
  }

  /** Resolves every waiting settlement (true: done; false: given up). */
  settle(done: boolean): void {
    const settlers = this.settlers;
    if (settlers === null) return;
    this.settlers = null;
    for (const s of settlers) s(done);
  }

  /** Takes every owed payload, oldest first. */
  takeOwed(): unknown[] {
    if (this.owedFirst === NONE) return [];
    const all = this.owedMore === null ? [this.owedFirst] : [this.owedFirst, ...this.owedMore];
    this.owedFirst = NONE;
    this.owedMore = null;
    return all;
  }
}

function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === "string" || t === "number" || t === "bigint" || t === "boolean" ||
    t === "undefined";
}

/** The key of a tuple seed (an array of primitives), unambiguous per element type. */
function tupleKey(seed: readonly unknown[]): string {
  return seed.map((v) => typeof v === "string" ? JSON.stringify(v) : `${typeof v}:${String(v)}`)
    .join(",");
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
  #parked: { msg: unknown; update?: Update; done: (settled: Promise<boolean>) => void }[] | null =
    null;
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
      return { seedFn, delegate, byValue: new Map(), byTuple: new Map() };
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
      rec.listeners = rec.listeners === null ? [listener] : [...rec.listeners, listener];
    }
    return listener;
  }

  /**
   * Routes `msg`: payloads for a seed with a live delegate are noted as owed to it,
   * then `msg` is broadcast (listeners that take it settle the debt), then delegates
   * start for seeds that have none live.
   */
  override handle(msg: unknown, update?: Update): unknown {
    if (this.#stopping) {
      // A loop (or webhook) started while stop() aborts the delegates: the payload is
      // handled once that is over, by fresh delegates; the loop waits to confirm it.
      return new Settlement(
        new Promise((done) => (this.#parked ??= []).push({ msg, update, done })),
      );
    }
    note(msg, update);
    let fresh: SeedRecord[] | null = null;
    let routed: SeedRecord[] | null = null;
    for (const pattern of this.#patterns) {
      let seed: unknown;
      try {
        seed = pattern.seedFn(msg, update);
      } catch (err) {
        report(this.#onError, err, { source: "seed", updateId: update?.update_id });
        continue;
      }
      if (seed === null || seed === undefined) continue;
      let map: Map<unknown, SeedRecord> | null;
      let key: unknown;
      if (isPrimitive(seed) || typeof seed === "symbol") {
        map = pattern.byValue;
        key = seed;
      } else if (Array.isArray(seed) && seed.length > 0 && seed.every(isPrimitive)) {
        map = pattern.byTuple as Map<unknown, SeedRecord>;
        key = tupleKey(seed);
      } else {
        map = null;
      }
      if (map !== null) {
        const live = map.get(key);
        if (live !== undefined) {
          live.owe(msg);
          (routed ??= []).push(live);
          continue;
        }
      }
      const rec = new SeedRecord(pattern, map, key, seed);
      map?.set(key, rec);
      (fresh ??= []).push(rec);
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
    if (rec.listeners !== null) { for (const l of rec.listeners) l.close(); }
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
    if (rec.map !== null && rec.map.get(rec.key) === rec) rec.map.delete(rec.key);
    rec.settle(pending.length === 0); // stopping with payloads never taken: given up
  }

  /**
   * Stops the update loop, lets busy delegates finish what they were handed (at most
   * the loop's `settleTimeout`, or `stopTimeout` without a loop), so the loop confirms
   * exactly what was done; then aborts every delegate's signal and waits for them, at
   * most `stopTimeout` ms.
   */
  override async stop(): Promise<void> {
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
      await super.stop();
      // Delegates fed otherwise (webhooks, handle() called directly) finish too.
      const busy: Promise<boolean>[] = [];
      if (!gaveUp) {
        for (const rec of this.#live) if (!rec.quiet()) busy.push(rec.settlement());
      }
      if (busy.length > 0) await Promise.all(busy);
    } finally {
      clearTimeout(timer);
    }
    this.#stopping = true;
    try {
      const reason = new StopListening("the bot is stopping");
      const tasks: Promise<void>[] = [];
      for (const rec of [...this.#live]) {
        if (rec.task !== null) tasks.push(rec.task);
        rec.controller?.abort(reason);
        // Waits on the delegate's own signal end by closing its listeners.
        if (rec.listeners !== null) { for (const l of rec.listeners) l.close(reason); }
      }
      if (tasks.length === 0) return;
      try {
        await deadline(Promise.all(tasks), this.#stopTimeout);
      } catch (err) {
        report(this.#onError, err, { source: "stop" });
      }
    } finally {
      this.#stopping = false;
      const parked = this.#parked;
      this.#parked = null;
      for (const p of parked ?? []) {
        const s = this.handle(p.msg, p.update);
        p.done(s instanceof Settlement ? s.settled : Promise.resolve(true));
      }
    }
  }
}

/** The settlement of an update routed to `recs`: undefined when they are all done already. */
function settlementOf(recs: SeedRecord[]): Settlement | undefined {
  let one: Promise<boolean> | undefined;
  let more: Promise<boolean>[] | undefined;
  for (const rec of recs) {
    if (rec.quiet()) continue;
    const p = rec.settlement();
    if (one === undefined) one = p;
    else (more ??= [one]).push(p);
  }
  if (one === undefined) return undefined;
  if (more === undefined) return new Settlement(one);
  return new Settlement(Promise.all(more).then((all) => all.every(Boolean)));
}
