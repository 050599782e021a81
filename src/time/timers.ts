/**
 * Small promise helpers with AbortSignal support: {@linkcode delay},
 * {@linkcode deadline} and {@linkcode abortable}. Pure web APIs (timers,
 * AbortSignal, DOMException), so they run in every runtime.
 * @module
 */

/** The longest timeout a single `setTimeout` accepts (2^31 - 1 ms). */
const MAX_TIMER = 2 ** 31 - 1;

/** Options of {@linkcode delay}. */
export interface DelayOptions {
  /** Aborting it rejects the delay with `signal.reason` and clears the timer. */
  signal?: AbortSignal;
}

/** The reason of an aborted signal, or a generic AbortError if it has none. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted.", "AbortError");
}

/**
 * Resolves after `ms` milliseconds. Rejects with `signal.reason` as soon as the
 * signal aborts (and at once if it already has); the timer and the abort listener
 * are removed either way. Delays longer than 2^31-1 ms are split into several timers.
 *
 * @param ms How long to wait, in milliseconds (negative counts as 0).
 * @param options An optional AbortSignal.
 * @example
 * ```ts
 * import { delay } from "./timers.ts";
 * const controller = new AbortController();
 * await delay(10, { signal: controller.signal });
 * ```
 */
export function delay(ms: number, options: DelayOptions = {}): Promise<void> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const infinite = ms === Infinity;
    let left = infinite ? MAX_TIMER : Math.max(0, ms || 0);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const arm = () => {
      const step = Math.min(left, MAX_TIMER);
      timer = setTimeout(() => {
        if (!infinite) left -= step;
        if (left > 0) return arm();
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, step);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    arm();
  });
}

/** Thrown by {@linkcode deadline} when the time is up (a `DOMException` named `TimeoutError`). */
export function timeoutError(ms: number): DOMException {
  return new DOMException(`Deadline of ${ms} ms exceeded.`, "TimeoutError");
}

/** Options of {@linkcode deadline}. */
export interface DeadlineOptions {
  /** Aborting it rejects at once with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Settles like `promise`, unless `ms` milliseconds pass first: then it rejects with a
 * `DOMException` named `TimeoutError`. The timer never outlives the returned promise.
 * The original promise is not cancelled (pass it an AbortSignal for that).
 *
 * @param promise What to wait for.
 * @param ms The time limit in milliseconds.
 * @param options An optional AbortSignal that rejects the wait early.
 * @example
 * ```ts
 * import { deadline, delay } from "./timers.ts";
 * await deadline(delay(5), 1000);
 * ```
 */
export function deadline<T>(
  promise: PromiseLike<T>,
  ms: number,
  options: DeadlineOptions = {},
): Promise<T> {
  const controller = new AbortController();
  const signals = options.signal ? [controller.signal, options.signal] : [controller.signal];
  const timer = delay(ms, { signal: AbortSignal.any(signals) }).then(() => {
    throw timeoutError(ms);
  });
  return Promise.race([Promise.resolve(promise), timer]).finally(() => controller.abort());
}

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal`
 * aborts, whichever comes first. Removes its abort listener when done.
 *
 * @param promise What to wait for.
 * @param signal The signal that ends the wait early.
 * @example
 * ```ts
 * import { abortable } from "./timers.ts";
 * const controller = new AbortController();
 * const never = new Promise(() => {});
 * const waiting = abortable(never, controller.signal);
 * controller.abort(new Error("stop"));
 * await waiting.catch((err) => err.message); // "stop"
 * ```
 */
export function abortable<T>(promise: PromiseLike<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return Promise.resolve(promise);
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    Promise.resolve(promise).then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (err) => {
        signal.removeEventListener("abort", onAbort);
        reject(err);
      },
    );
  });
}
