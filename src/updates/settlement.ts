/**
 * The deferred work of updates handed over: a handler returns a {@linkcode Settlement}
 * to say "handed over, work goes on"; the update loop keeps such updates in
 * {@linkcode HeldUpdates} and confirms them to Telegram only once their work is done
 * (or `settleTimeout` passed).
 * @module
 */

import { TelepotError } from "../core/errors/base.ts";
import { startTimer } from "../time/timers.ts";
import { type ErrorHook, report } from "./report.ts";

/**
 * What a handler returns to hand an update over at once while its work goes on:
 * `settled` resolves to `true` when the work is done, to `false` when it was given
 * up. The loop does not confirm the update to Telegram before that (see
 * `LoopOptions.settleTimeout`). A DelegatorBot's `handle()` returns one while
 * delegates are busy with the update.
 *
 * @example
 * ```ts
 * import { Settlement } from "./settlement.ts";
 * const work = Promise.resolve();
 * const s = new Settlement(work.then(() => true, () => true));
 * console.log(await s.settled); // true
 * ```
 */
export class Settlement {
  /** Resolves to true when the update's work is done, false when given up. */
  declare readonly settled: Promise<boolean>;

  /**
   * @param settled resolves to true when the update's work is done, false when given up
   */
  constructor(settled: Promise<boolean>) {
    this.settled = settled;
  }
}

/** An update handed over whose work is not known to be done yet. */
interface Held {
  readonly id: number;
  /** undefined while running; true done; false given up. */
  done: boolean | undefined;
  /** Resolves once `done` is set. */
  known: Promise<void>;
  /** When the loop stops waiting for it (handed over + settleTimeout), ms since epoch. */
  readonly until: number;
  /** Still counted in the number of updates being worked on below the bound. */
  counted: boolean;
}

/**
 * The updates of one loop run that were handed over with a {@linkcode Settlement} and
 * whose work is not known to be done, in update_id order (so deadlines grow too).
 */
export class HeldUpdates {
  declare readonly settleTimeout: number;
  declare readonly onError: ErrorHook | undefined;
  #held: Held[] = [];
  /** The waiter of `progress()`, woken once no held update below `#bound` is in progress. */
  #wake: (() => void) | undefined;
  #bound = -Infinity;
  /** Held updates below `#bound` still in progress (while `progress()` waits). */
  #below = 0;
  #toldUnsettled = false;

  /**
   * @param settleTimeout milliseconds an update's work may hold back its confirmation
   * @param onError where work still running after it is reported (`"settle"`)
   */
  constructor(settleTimeout: number, onError: ErrorHook | undefined) {
    this.settleTimeout = settleTimeout;
    this.onError = onError;
  }

  /** How many updates are held. */
  get size(): number {
    return this.#held.length;
  }

  /** The update_id of the first held update (what the next getUpdates asks from). */
  get first(): number | undefined {
    return this.#held[0]?.id;
  }

  /** Tracks the settlement of update `id`, just handed over. */
  hold(id: number, settlement: Settlement): void {
    const h: Held = {
      id,
      done: undefined,
      known: undefined as unknown as Promise<void>,
      until: Date.now() + this.settleTimeout,
      counted: true,
    };
    h.known = settlement.settled.then(
      (ok) => this.#settled(h, ok === true),
      () => this.#settled(h, false),
    );
    this.#held.push(h);
  }

  #settled(h: Held, ok: boolean): void {
    h.done = ok;
    this.#uncount(h);
  }

  #uncount(h: Held): void {
    if (!h.counted) return;
    h.counted = false;
    if (h.id < this.#bound && --this.#below === 0) this.#wake?.();
  }

  /**
   * Waits until no held update below `bound` is still in progress (or the first one's
   * settleTimeout passes, or `signal` aborts: the loop stops); keeps those still in
   * progress. Work given up, or still running after settleTimeout, is confirmed anyway
   * and reported, once per run (a delegate that keeps working is not an error each time).
   */
  async progress(bound: number, signal: AbortSignal): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.#sweep(now, signal.aborted);
      let below = 0;
      while (below < this.#held.length && this.#held[below].id < bound) below++;
      if (below === 0 || signal.aborted) return;
      // Deadlines grow with update_id: the first held update's comes first.
      await this.#sleep(bound, below, this.#held[0].until - now, signal);
    }
  }

  /** Lets go of the updates done, given up or past their deadline (reporting the latter). */
  #sweep(now: number, stopping: boolean): void {
    let dropped: number[] | undefined;
    const working: Held[] = [];
    for (const h of this.#held) {
      if (h.done === true) continue;
      if (h.done === false || now >= h.until) {
        this.#uncount(h);
        (dropped ??= []).push(h.id);
      } else working.push(h);
    }
    this.#held = working;
    if (dropped !== undefined && !this.#toldUnsettled) {
      this.#toldUnsettled = true;
      this.report(dropped, stopping);
    }
  }

  /** Sleeps until the `below` updates under `bound` are done, `ms` pass or `signal` aborts. */
  #sleep(bound: number, below: number, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", wake);
        this.#wake = undefined;
        this.#bound = -Infinity;
        resolve();
      };
      const timer = startTimer(wake, ms);
      signal.addEventListener("abort", wake, { once: true });
      this.#wake = wake;
      this.#bound = bound;
      this.#below = below;
    });
  }

  /**
   * Waits until every held update's work is done or `settleTimeout` passes; returns
   * the update_ids of those not done (they are let go of).
   */
  async settle(): Promise<number[]> {
    const held = this.#held;
    this.#held = [];
    if (this.settleTimeout > 0) {
      // One promise for the batch: resolved by the last settlement or the timer.
      let wake!: () => void;
      const woken = new Promise<void>((resolve) => (wake = resolve));
      let left = 0;
      for (const h of held) {
        if (h.done !== undefined) continue;
        left++;
        void h.known.then(() => {
          if (--left === 0) wake();
        });
      }
      if (left > 0) {
        const timer = startTimer(wake, this.settleTimeout);
        await woken;
        clearTimeout(timer);
      }
    }
    return held.filter((h) => h.done !== true).map((h) => h.id);
  }

  /**
   * Reports updates whose work is still in progress: confirmed anyway (the loop goes
   * on), or left unconfirmed (`stopping`: they come again on the next start).
   */
  report(ids: number[], stopping: boolean): void {
    const shown = ids.length > 5 ? `${ids.slice(0, 5).join(", ")}, ...` : ids.join(", ");
    const text = stopping
      ? "still in progress when the stopping loop gave up waiting for them; they are not " +
        "confirmed and come again on the next start"
      : `still in progress after ${this.settleTimeout} ms (settleTimeout); confirmed ` +
        "anyway, the work goes on (said once per run)";
    report(
      this.onError,
      new TelepotError(`${ids.length} update(s) (${shown}) ${text}`),
      { source: "settle", updateId: ids[0] },
    );
  }
}
