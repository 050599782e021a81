/**
 * The one home of timer and abort plumbing: {@linkcode delay}, {@linkcode deadline},
 * {@linkcode abortable}, {@linkcode timeoutSignal}, {@linkcode startTimer},
 * {@linkcode backoff} and {@linkcode isThenable}. Pure web APIs (timers, AbortSignal,
 * DOMException), so they run in every runtime.
 * @module
 */

/** The longest timeout a single `setTimeout` accepts (2^31 - 1 ms); longer ones fire at once. */
export const MAX_TIMER = 2 ** 31 - 1;

/** Whether `v` is a promise or another thenable (what `await` would wait for). */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function";
}

/**
 * `setTimeout(fn, ms)` with `ms` clamped to `[0, MAX_TIMER]`, so a long limit waits the
 * longest a timer can instead of firing at once.
 *
 * @example
 * ```ts
 * import { startTimer } from "./timers.ts";
 * clearTimeout(startTimer(() => {}, Infinity));
 * ```
 */
export function startTimer(fn: () => void, ms: number): ReturnType<typeof setTimeout> {
  return setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER));
}

/** A signal that aborts on a parent's abort or when time is up; `clear()` when done. */
export interface TimeoutSignal {
  /** Aborts with the parent's reason, or with `onTimeout()` after `ms`. */
  readonly signal: AbortSignal;
  /** Removes the timer and the listener on the parent. */
  clear(): void;
}

/**
 * A signal for one operation: it aborts with `parent`'s reason when `parent` aborts, or
 * with `onTimeout()` once `ms` milliseconds pass (no timer when `ms` is not a positive
 * finite number). Call `clear()` when the operation ends, whatever the outcome.
 *
 * @example
 * ```ts
 * import { timeoutSignal } from "./timers.ts";
 * const t = timeoutSignal(1000, () => new Error("too slow"));
 * try {
 *   // await fetch(url, { signal: t.signal });
 * } finally {
 *   t.clear();
 * }
 * ```
 */
export function timeoutSignal(
  ms: number,
  onTimeout: () => unknown,
  parent?: AbortSignal,
): TimeoutSignal {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent!.reason);
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener("abort", onAbort, { once: true });
  const timer = ms > 0 && Number.isFinite(ms)
    ? startTimer(() => controller.abort(onTimeout()), ms)
    : undefined;
  return {
    signal: controller.signal,
    clear() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}

/**
 * Capped exponential backoff: `initial * 2^attempt` milliseconds, at most `max`; with
 * `jitter`, a random point in the upper half of that (so retries of many clients spread).
 *
 * @example
 * ```ts
 * import { backoff } from "./timers.ts";
 * backoff(3, 500, 30_000); // 4000
 * ```
 */
export function backoff(attempt: number, initial: number, max: number, jitter = false): number {
  const ms = Math.min(max, initial * 2 ** attempt);
  return jitter ? ms * (0.5 + Math.random() / 2) : ms;
}

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
