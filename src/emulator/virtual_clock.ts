/**
 * A virtual clock for tests: time moves only when the test says so, so minutes of flood
 * waits (throttler, autoRetry, the emulator's flood mode) run in milliseconds.
 * @module
 */
import { abortReason } from "../time/timers.ts";
import type { Clock } from "../time/clock.ts";

interface Sleeper {
  at: number;
  order: number;
  resolve: () => void;
}

/**
 * A {@linkcode Clock} whose time only moves with {@linkcode VirtualClock.advance} (or
 * {@linkcode VirtualClock.advanceToNext}). Hand `clock` to `throttler()`/`autoRetry()`,
 * and `() => clock.now()` to `new Emulator({ now })`.
 *
 * @example
 * ```ts
 * import { VirtualClock } from "./virtual_clock.ts";
 * const clock = new VirtualClock(0);
 * const woke = clock.sleep(60_000).then(() => clock.now());
 * clock.advance(60_000);
 * console.log(await woke); // 60000, at once
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;
  #order = 0;
  #sleepers: Sleeper[] = [];

  /**
   * Creates a clock standing still at `start`.
   *
   * @param start the time to start at, in ms (default `Date.now()`)
   */
  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  /** The virtual time in ms. */
  now(): number {
    return this.#now;
  }

  /** Number of sleeps waiting for time to move. */
  get pending(): number {
    return this.#sleepers.length;
  }

  /** When the earliest pending sleep ends, or undefined if none waits. */
  get nextAt(): number | undefined {
    return this.#sleepers[0]?.at;
  }

  /** Resolves when the virtual time has moved `ms` further; rejects when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise((resolve, reject) => {
      const sleeper: Sleeper = {
        at: this.#now + Math.max(0, ms || 0),
        order: this.#order++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const i = this.#sleepers.findIndex((s) => s.at > sleeper.at);
      if (i < 0) this.#sleepers.push(sleeper);
      else this.#sleepers.splice(i, 0, sleeper);
    });
  }

  /** Moves time forward by `ms`, waking (in time order) every sleep that ends by then. */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError("VirtualClock.advance: ms must be >= 0");
    this.#wakeUntil(this.#now + ms);
  }

  /** Moves time to the end of the earliest pending sleep (if any) and wakes it; returns the time. */
  advanceToNext(): number {
    const next = this.#sleepers[0];
    if (next !== undefined) this.#wakeUntil(Math.max(this.#now, next.at));
    return this.#now;
  }

  #wakeUntil(target: number): void {
    while (this.#sleepers.length > 0 && this.#sleepers[0].at <= target) {
      const s = this.#sleepers.shift()!;
      this.#now = Math.max(this.#now, s.at);
      s.resolve();
    }
    this.#now = target;
  }
}
