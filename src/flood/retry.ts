/**
 * `autoRetry()`: a transformer that repeats a Bot API call only where repeating cannot
 * do anything twice.
 *
 * - A 429 (flood control): Telegram did nothing; wait `retry_after` and repeat, unless
 *   that wait is longer than `maxWait` (then the TooManyRequestsError is thrown at once).
 * - A request that surely never left (connection refused, unknown host): repeat after a
 *   short back-off.
 * - An unclear failure (the connection dropped after the request went out, no answer in
 *   time, a 5xx, a proxy's HTML page): Telegram may have executed it. Read-only methods
 *   (`get*`) are repeated; anything else (a sendMessage could arrive twice) only if the
 *   user opted in with `retryMaybeDelivered`; otherwise its error, which says it may have
 *   been delivered, is thrown.
 *
 * Waits are abortable by the call's signal (and `options.signal`) and safe for any
 * length (timers are split past 2^31-1 ms). getUpdates is left to the update loop, which
 * has its own back-off and reports each wait. A call uploading a ReadableStream cannot
 * be repeated (its bytes were consumed): the repetition fails with InputFile's
 * "can be uploaded only once" TypeError; upload bytes, a Blob or a path to be safe.
 * @module
 */
import type { Transformer } from "../core/transformer.ts";
import { type Clock, realClock } from "../time/clock.ts";
import { backoff } from "../time/timers.ts";
import { BadHTTPResponse, isReadOnlyMethod } from "../core/errors/http.ts";
import { TelegramError, TooManyRequestsError } from "../core/errors/telegram.ts";

/** Options of {@linkcode autoRetry}. */
export interface AutoRetryOptions {
  /**
   * Longest wait for a 429, in seconds (default 60). A `retry_after` above it is not
   * waited for: the TooManyRequestsError is thrown at once. `Infinity`: always wait.
   */
  maxWait?: number;
  /** Most repetitions of one call (default 3). */
  maxRetries?: number;
  /**
   * Also repeat state-changing calls after an unclear failure, accepting that they may
   * run twice: `true` for every method, or a predicate. Default: only read-only
   * (`get*`) methods are repeated after an unclear failure.
   */
  retryMaybeDelivered?: boolean | ((method: string) => boolean);
  /** Back-off after network failures and 5xx, in seconds: `initial` doubling to `max` (0.5, 8). */
  backoff?: { initial?: number; max?: number };
  /** Methods never repeated (default `["getUpdates"]`: the update loop retries it itself). */
  exclude?: readonly string[];
  /** Aborting it ends every pending wait (the call rejects with its reason). */
  signal?: AbortSignal;
  /** Where time comes from (default the wall clock); tests pass a virtual one. */
  clock?: Clock;
}

/** Reads a non-negative number option. */
function option(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (typeof v !== "number" || !(v >= 0)) {
    throw new RangeError(`autoRetry: ${name} must be a number >= 0`);
  }
  return v;
}

/**
 * What to do after a failure: `wait` ms and repeat, or `undefined` (throw it).
 * `attempt` counts the repetitions already made (0 for the first failure).
 */
type Decision = number | undefined;

/**
 * A transformer that repeats calls where it is safe (see the module docs). Install it
 * with `bot.use(autoRetry())` or `new Bot(token, { transformers: [autoRetry()] })`; put a
 * throttler after it (outside), so a chat's queue waits while its call is repeated.
 *
 * Off by default: a Bot without it throws {@linkcode TooManyRequestsError} on a 429, so
 * code with its own deadlines is never held up by a wait it did not ask for.
 *
 * @param options `maxWait` (s), `maxRetries`, `retryMaybeDelivered`, `backoff`, `exclude`, `signal`, `clock`
 * @returns the transformer
 * @example
 * ```ts
 * import { autoRetry, Bot } from "../../mod.ts";
 * const bot = new Bot("123456:TOKEN");
 * bot.use(autoRetry({ maxWait: 30 }));
 * // await bot.sendMessage(chatId, "hi"); // a 429 "retry after 5" waits 5 s and repeats
 * ```
 */
export function autoRetry(options: AutoRetryOptions = {}): Transformer {
  const maxWait = option(options.maxWait, 60, "maxWait") * 1000;
  const maxRetries = option(options.maxRetries, 3, "maxRetries");
  const initial = option(options.backoff?.initial, 0.5, "backoff.initial") * 1000;
  const max = option(options.backoff?.max, 8, "backoff.max") * 1000;
  const exclude = new Set((options.exclude ?? ["getUpdates"]).map((m) => m.toLowerCase()));
  const clock = options.clock ?? realClock;
  const opt = options.retryMaybeDelivered ?? false;
  const unclearOk = (method: string) =>
    isReadOnlyMethod(method) || (typeof opt === "function" ? opt(method) : opt === true);

  const decide = (method: string, err: unknown, attempt: number): Decision => {
    if (attempt >= maxRetries) return undefined;
    const exponential = backoff(attempt, initial, max);
    if (err instanceof TooManyRequestsError || (err as TelegramError)?.errorCode === 429) {
      const seconds = (err as TooManyRequestsError).parameters?.retry_after;
      const wait = (typeof seconds === "number" && seconds >= 0 ? seconds : 1) * 1000;
      return wait <= maxWait ? wait : undefined;
    }
    if (err instanceof BadHTTPResponse) {
      if (!err.maybeDelivered) return exponential;
      return unclearOk(method) ? exponential : undefined;
    }
    if (err instanceof TelegramError && err.errorCode >= 500) {
      return unclearOk(method) ? exponential : undefined;
    }
    return undefined;
  };

  return async (next, method, params, callOptions) => {
    if (exclude.has(method.toLowerCase())) return await next(method, params, callOptions);
    const signals = [callOptions.signal, options.signal].filter((s) => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    for (let attempt = 0;; attempt++) {
      try {
        return await next(method, params, callOptions);
      } catch (err) {
        if (signal?.aborted) throw err;
        const wait = decide(method, err, attempt);
        if (wait === undefined) throw err;
        await clock.sleep(wait, signal);
      }
    }
  };
}
