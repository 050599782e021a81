/**
 * The long-polling update loop behind `bot.messageLoop()`. Nothing lost, nothing twice:
 * - an update is confirmed to Telegram (by the next getUpdates' offset) only after it
 *   was handed to the handler and its work is done: a handler's promise is awaited
 *   (at most `handlerTimeout`), and the deferred work a handler reports with a
 *   {@linkcode Settlement} (a DelegatorBot's delegates) is waited for (at most
 *   `settleTimeout`): the next getUpdates asks from the first update still in progress,
 *   so a crash at any moment loses nothing. With a backlog it goes out once the updates
 *   in progress leave half of its room to new ones (pipelining: new updates are handed
 *   over while older ones are worked on); otherwise once all of them are done;
 * - an update_id handed over before (re-sent after a lost confirmation or a restart)
 *   is not handed over again, within a bounded window (`dedupe`) kept per bot across
 *   runs;
 * - updates reach the handler one at a time, in order; a failing handler is reported
 *   and the loop goes on; network errors, 5xx answers and polls that never answer
 *   (`stallTimeout`) are retried with capped exponential backoff and jitter, 429 waits
 *   `retry_after`; 401/404 (bad token or apiRoot), 409 (webhook set, or a second
 *   instance) and other 4xx end the loop with an error saying so;
 * - `stop()` and the `signal` abort the pending getUpdates or back-off at once, wait
 *   for the work in progress, and confirm everything done, so a restart neither loses
 *   nor repeats an update.
 * @module
 */

import type { ApiMethods } from "../core/types.ts";
import type { Update } from "../core/types.ts";
import {
  abortable,
  deadline,
  delay,
  isThenable,
  startTimer,
  timeoutSignal,
} from "../time/timers.ts";
import { RecentUpdateIds } from "./dedupe.ts";
import { type LoopOptions, type LoopSettings, loopSettings } from "./loop_options.ts";
import { TelepotError } from "../core/errors/base.ts";
import { handled, handOver, type UpdateHandler } from "./hand_over.ts";
import { classify, retryConfirm, retryWait } from "./loop_policy.ts";
import { report } from "./report.ts";
import { HeldUpdates, Settlement } from "./settlement.ts";

export type { UpdateHandler } from "./hand_over.ts";
export type { LoopOptions } from "./loop_options.ts";
export { Settlement } from "./settlement.ts";
export { UpdateLoopError } from "../core/errors/loop.ts";

/** getUpdates' parameters. */
export type GetUpdatesParams = NonNullable<Parameters<ApiMethods<unknown>["getUpdates"]>[0]>;

/** What the loop needs of a bot: a `call()` that reaches getUpdates. */
export interface UpdateSource {
  call(
    method: "getUpdates",
    params: GetUpdatesParams,
    options: { signal?: AbortSignal },
  ): Promise<unknown>;
}

/** The reason the loop's own signal aborts with when stopped. */
class LoopStopped extends Error {
  override name = "LoopStopped";
}

/** What outlives one run of a loop, per bot: the dedupe window and the last run. */
interface SourceState {
  window: RecentUpdateIds | null;
  /** Settles when the latest run of a loop on this bot has ended (confirmation included). */
  last: Promise<void>;
}

const states = new WeakMap<object, SourceState>();

function stateOf(source: object): SourceState {
  let state = states.get(source);
  if (state === undefined) {
    state = { window: null, last: Promise.resolve() };
    states.set(source, state);
  }
  return state;
}

/** The dedupe window of a bot, (re)made with `size` if it has another size. */
function windowOf(state: SourceState, size: number): RecentUpdateIds | null {
  if (size === 0) return null;
  if (state.window === null || state.window.capacity !== size) {
    state.window = new RecentUpdateIds(size);
  }
  return state.window;
}

/** The first update_id after `updates` (at least `cursor`), undefined when none has an id. */
function nextOffset(cursor: number | undefined, updates: readonly Update[]): number | undefined {
  let next = cursor ?? -Infinity;
  for (const u of updates) {
    const id = u?.update_id;
    if (typeof id === "number" && Number.isSafeInteger(id) && id >= next) next = id + 1;
  }
  return next === -Infinity ? undefined : next;
}

/** The report of a handler still running after `ms` (handlerTimeout). */
function lateHandler(id: number, ms: number): TelepotError {
  return new TelepotError(
    `the handler of update ${id} is still running after ${ms} ms (handlerTimeout); ` +
      "the loop goes on with the next update while it runs",
  );
}

/**
 * Polls getUpdates and hands each update's payload to a handler, in order.
 * `Bot.messageLoop()` creates one; use it directly with any object that has `call()`.
 *
 * @example
 * ```ts
 * import { Bot } from "../../mod.ts";
 * import { UpdateLoop } from "./loop.ts";
 * const bot = new Bot("123:abc");
 * const loop = new UpdateLoop(bot, (msg) => console.log(msg), { timeout: 30 });
 * const done = loop.run(); // resolves after loop.stop(); rejects on 401/404/409
 * await loop.stop();
 * await done;
 * ```
 */
export class UpdateLoop {
  readonly #source: UpdateSource;
  readonly #handler: UpdateHandler;
  readonly #options: LoopOptions;
  readonly #controller = new AbortController();
  readonly #settings: LoopSettings;
  #stopped = false;
  #running: Promise<void> | undefined;
  /** A handler of the current batch returned a promise (the loop awaited it). */
  #awaited = true;
  // What one run keeps track of (a loop runs once).
  #window: RecentUpdateIds | null = null;
  /** The next update_id to hand over (what the next getUpdates confirms below). */
  #cursor: number | undefined;
  /** The offset the last successful getUpdates sent (what Telegram has confirmed). */
  #confirmed: number | undefined;
  #allowed: readonly string[] | undefined;
  #failures = 0;
  /** Handed over, work not yet known to be done, in update_id order. */
  readonly #held: HeldUpdates;
  /** The last getUpdates filled its limit: more are likely waiting. */
  #full = false;
  /** A getUpdates sent before the batch it confirms was handed over (settleTimeout 0). */
  #ahead: { offset: number; result: Promise<unknown> } | undefined;

  /**
   * @param source the bot (anything with `call("getUpdates", params, { signal })`)
   * @param handler receives `(payload, update)` for every update
   * @param options polling options
   */
  constructor(source: UpdateSource, handler: UpdateHandler, options: LoopOptions = {}) {
    this.#source = source;
    this.#handler = handler;
    this.#options = options;
    this.#settings = loopSettings(options);
    this.#cursor = this.#confirmed = options.offset;
    this.#allowed = options.allowedUpdates;
    this.#held = new HeldUpdates(this.#settings.settleTimeout, options.onError);
  }

  /** Whether the loop is polling (started and not yet ended). */
  get running(): boolean {
    return this.#running !== undefined && !this.#stopped;
  }

  /**
   * Runs until `stop()` or the signal (then it resolves), or until polling cannot
   * succeed (then it rejects with an {@linkcode UpdateLoopError}). Calling it again
   * returns the same promise. A run on a bot whose previous loop is still ending (its
   * final confirmation) starts polling after it.
   */
  run(): Promise<void> {
    if (this.#running === undefined) {
      const state = stateOf(this.#source);
      const previous = state.last;
      this.#running = previous.then(() => this.#run(state));
      state.last = this.#running.catch(() => {});
    }
    return this.#running;
  }

  /**
   * Ends the loop: aborts the pending getUpdates (or back-off wait), stops awaiting the
   * handler, waits for the deferred work of the updates handed over (at most
   * `settleTimeout`), confirms the offset of everything done, and resolves when all
   * that is done.
   */
  async stop(): Promise<void> {
    this.#halt();
    await this.#running?.catch(() => {});
  }

  #halt(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#controller.abort(new LoopStopped("the update loop was stopped"));
  }

  /** Rounds until stopped, then the final confirmation; rejects when polling cannot succeed. */
  async #run(state: SourceState): Promise<void> {
    const unfollow = this.#followSignal();
    this.#window = windowOf(state, this.#settings.dedupe);
    try {
      while (!this.#stopped) await this.#round();
    } finally {
      unfollow();
      this.#stopped = true;
    }
    await this.#finish();
  }

  /** Stops the loop when the caller's signal aborts; returns what stops following it. */
  #followSignal(): () => void {
    const outer = this.#options.signal;
    const onOuterAbort = () => this.#halt();
    if (outer?.aborted) this.#halt();
    else outer?.addEventListener("abort", onOuterAbort, { once: true });
    return () => outer?.removeEventListener("abort", onOuterAbort);
  }

  /** One round: make room, poll, ask ahead, hand the batch over, relax. */
  async #round(): Promise<void> {
    if (this.#held.size > 0) {
      await this.#makeRoom();
      if (this.#stopped) return; // the final wait takes over
    }
    const updates = await this.#fetch();
    if (updates === undefined) return;
    this.#askAhead(updates);
    await this.#handOverAll(updates);
    const relax = this.#options.relax;
    if (relax && relax > 0 && !this.#stopped) {
      await delay(relax * 1000, { signal: this.#controller.signal }).catch(() => {});
    }
  }

  /**
   * Pipelining within the guarantee: an update is confirmed only once its work is
   * done, so the next getUpdates asks from the first update still in progress; it
   * and the others in progress come again (skipped as handed over) and take room in
   * the answer (`limit`). With a backlog, poll once the updates in progress leave half
   * the room to new ones; otherwise wait for all of them (a poll would return at
   * once with them instead of long polling). Each waits at most settleTimeout.
   */
  async #makeRoom(): Promise<void> {
    const bound = this.#full ? this.#cursor! - Math.floor(this.#settings.limit / 2) : Infinity;
    await this.#held.progress(bound, this.#controller.signal);
  }

  /**
   * The next batch: the getUpdates asked ahead, or a new one. Undefined when it failed
   * (reported, and waited before the next round) or the loop stopped meanwhile; throws
   * the {@linkcode UpdateLoopError} that ends the loop.
   */
  async #fetch(): Promise<Update[] | undefined> {
    const ahead = this.#ahead;
    this.#ahead = undefined;
    const sent = ahead?.offset ?? this.#held.first ?? this.#cursor;
    let result: unknown;
    try {
      result = await (ahead?.result ?? this.#poll(this.#params(sent)));
    } catch (err) {
      await this.#failed(err);
      return undefined;
    }
    this.#failures = 0;
    this.#allowed = undefined;
    this.#confirmed = sent;
    const updates = Array.isArray(result) ? result as Update[] : [];
    this.#full = updates.length >= this.#settings.limit;
    return updates;
  }

  /** A getUpdates failed: ends the loop (throws), or reports it and backs off. */
  async #failed(err: unknown): Promise<void> {
    if (this.#stopped) return;
    const verdict = classify(err);
    if (verdict.fatal) throw verdict.fatal;
    const wait = retryWait(verdict, ++this.#failures, this.#settings.backoff);
    report(this.#options.onError, err, { source: "getUpdates", retryIn: Math.round(wait) });
    // Aborted only by stop(): the loop ends at the next check.
    await delay(wait, { signal: this.#controller.signal }).catch(() => {});
  }

  /**
   * Confirmed once handed over (settleTimeout 0), and the last batch went to handlers
   * that hand over at once (a DelegatorBot's): ask for the next batch before handing
   * this one over, so the round trip overlaps the work of starting its delegates.
   */
  #askAhead(updates: Update[]): void {
    if (this.#settings.settleTimeout !== 0 || this.#awaited || this.#options.relax) return;
    if (updates.length === 0) return;
    const next = nextOffset(this.#cursor, updates);
    if (next === undefined || next === this.#cursor) return;
    const request = this.#poll(this.#params(next));
    request.catch(() => {}); // awaited (and its failure handled) on the next round
    this.#ahead = { offset: next, result: request };
  }

  /** Hands over the updates of a batch that are new, in order. */
  async #handOverAll(updates: Update[]): Promise<void> {
    this.#awaited = false;
    // A batch whose successor was asked for is confirmed: hand all of it over even
    // when stopped meanwhile (a stopping DelegatorBot handles it after its stop).
    const committed = this.#ahead !== undefined;
    for (const update of updates) {
      if (this.#stopped && !committed) break;
      const id = this.#take(update);
      if (id === undefined) continue;
      const settlement = await this.#handOver(update, id);
      if (settlement !== undefined && this.#settings.settleTimeout > 0) {
        this.#held.hold(id, settlement);
      }
    }
  }

  /** The update_id of `update` when it is to be handed over; moves the cursor past it. */
  #take(update: Update): number | undefined {
    const id = update?.update_id;
    if (typeof id !== "number" || !Number.isSafeInteger(id)) return undefined;
    const cursor = this.#cursor;
    if (cursor !== undefined && id < cursor) return undefined; // confirmed, or handed over in this run
    this.#cursor = id + 1;
    if (this.#window !== null && !this.#window.add(id)) return undefined; // handed over before: a repeat
    return id;
  }

  /** Calls the handler (an update counts as handed over once it was called) and awaits it. */
  async #handOver(update: Update, id: number): Promise<Settlement | undefined> {
    const result = handOver(this.#handler, update, this.#options.onError);
    if (result instanceof Settlement) return result;
    if (isThenable(result)) {
      this.#awaited = true;
      await this.#awaitHandler(result, id);
    }
    return undefined;
  }

  /**
   * Awaits a handler's promise, at most `handlerTimeout` (then reports it is late) and
   * only until the loop stops; a handler left running still reports its failure.
   */
  async #awaitHandler(result: PromiseLike<unknown>, id: number): Promise<void> {
    const onError = this.#options.onError;
    const ms = this.#settings.handlerTimeout;
    const done = handled(result, onError, id).then(() => false);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waited = ms === Infinity ? done : Promise.race([
      done,
      new Promise<boolean>((resolve) => (timer = startTimer(() => resolve(true), ms))),
    ]);
    try {
      const late = await abortable(waited, this.#controller.signal);
      if (late) report(onError, lateHandler(id, ms), { source: "handler", updateId: id });
    } catch {
      // Stopped while the handler runs: it goes on alone (its failure is still reported).
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stopped: waits for the work in progress, then confirms below the first update whose
   * work is not done (it and what follows come again on the next start: nothing lost).
   */
  async #finish(): Promise<void> {
    const left = this.#held.size > 0 ? await this.#held.settle() : [];
    let offset = this.#cursor;
    for (const id of left) {
      if (offset === undefined || id < offset) offset = id;
      this.#window?.delete(id); // not done: handle it again when it comes back
    }
    if (left.length > 0) this.#held.report(left, true);
    if (offset !== undefined && offset !== this.#confirmed) await this.#confirm(offset);
  }

  /** getUpdates' parameters for a poll from `offset`. */
  #params(offset: number | undefined): GetUpdatesParams {
    const params: GetUpdatesParams = { timeout: this.#settings.timeout };
    if (offset !== undefined) params.offset = offset;
    if (this.#options.limit !== undefined) params.limit = this.#options.limit;
    if (this.#allowed !== undefined) {
      params.allowed_updates = this.#allowed as GetUpdatesParams["allowed_updates"];
    }
    return params;
  }

  /** One getUpdates, given up after its long-poll timeout plus `stallTimeout`. */
  async #poll(params: GetUpdatesParams): Promise<unknown> {
    const signal = this.#controller.signal;
    const limit = Math.max(0, this.#settings.timeout) * 1000 + this.#settings.stallTimeout;
    // No timer when the limit is infinite: timeoutSignal then only follows `signal`.
    const stall = timeoutSignal(
      limit,
      () =>
        new TelepotError(
          `getUpdates: no answer within ${Math.round(limit)} ms (the long-poll timeout plus ` +
            "stallTimeout); the connection is taken for dead and the loop polls again",
        ),
      signal,
    );
    try {
      return await this.#source.call("getUpdates", params, { signal: stall.signal });
    } finally {
      stall.clear();
    }
  }

  /** Tells Telegram everything below `offset` was handled, without taking new updates. */
  async #confirm(offset: number): Promise<void> {
    // getUpdates confirms every update below `offset`; what it returns (at most one,
    // at once) stays unconfirmed, so the next run gets it again: nothing lost.
    const ms = this.#options.confirmTimeout ?? 5000;
    for (let attempt = 1;; attempt++) {
      const controller = new AbortController();
      try {
        await deadline(
          this.#source.call("getUpdates", { offset, limit: 1, timeout: 0 }, {
            signal: controller.signal,
          }),
          ms,
        );
        return;
      } catch (err) {
        controller.abort();
        if (retryConfirm(err, attempt)) {
          await delay(50 * attempt);
          continue;
        }
        report(this.#options.onError, err, { source: "confirm" });
        return;
      }
    }
  }
}
