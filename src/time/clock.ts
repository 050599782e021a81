/**
 * Time as the retry and throttling transformers see it: `now()` and an abortable
 * `sleep()`. The real clock uses timers (split past 2^31-1 ms by `delay`); tests hand in
 * a virtual one (`VirtualClock` from testing.ts) so hours of flood waits take no time.
 * @module
 */
import { delay } from "./timers.ts";

/** A source of time: milliseconds, and a sleep that an AbortSignal can cut short. */
export interface Clock {
  /** The current time in milliseconds (any origin; only differences matter). */
  now(): number;
  /**
   * Resolves after `ms` milliseconds; rejects with `signal.reason` when it aborts.
   * Must handle any duration, including ones past 2^31-1 ms.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * The wall clock: `Date.now()` and timers.
 *
 * @example
 * ```ts
 * import { realClock } from "./clock.ts";
 * const t0 = realClock.now();
 * await realClock.sleep(5);
 * console.log(realClock.now() >= t0 + 5); // true
 * ```
 */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, { signal }),
};
