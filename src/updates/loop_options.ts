/**
 * The options of an update loop ({@linkcode LoopOptions}), and the settings a loop
 * runs by: checked, with the defaults filled in.
 * @module
 */

import { DEFAULT_DEDUPE_WINDOW } from "./dedupe.ts";
import type { Backoff } from "./loop_policy.ts";
import type { ErrorHook } from "./report.ts";

/** Options of `UpdateLoop` (and `bot.messageLoop()`). */
export interface LoopOptions {
  /** Seconds to pause after each getUpdates round (telepot's `relax`). Default 0. */
  relax?: number;
  /** Long-poll timeout in seconds, passed to getUpdates. Default 20. */
  timeout?: number;
  /** Update kinds to receive (getUpdates' `allowed_updates`); Telegram remembers the last setting. */
  allowedUpdates?: readonly string[];
  /** The first update_id to ask for (getUpdates' `offset`). Default: what Telegram has pending. */
  offset?: number;
  /** Most updates per getUpdates (1-100). Default: Telegram's (100). */
  limit?: number;
  /** Aborting it stops the loop like `stop()`. */
  signal?: AbortSignal;
  /** Receives handler errors and retried getUpdates failures. Default: one log line each. */
  onError?: ErrorHook;
  /** Retry delays after network errors and 5xx answers, in seconds: `initial` doubling to `max`. */
  backoff?: { initial?: number; max?: number };
  /** Milliseconds the final offset confirmation may take on stop. Default 5000. */
  confirmTimeout?: number;
  /**
   * How many update_ids to remember so that one handed over before is not handed over
   * again (Telegram re-sends updates whose confirmation got lost, e.g. when the loop
   * ended by an error or its final confirmation failed). The window belongs to the
   * bot and outlives one `messageLoop()` run; memory is bounded by it. 0 turns it off.
   * Default 1000.
   */
  dedupe?: number;
  /**
   * Milliseconds an update's deferred work (the `Settlement` its handler
   * returned: a DelegatorBot's delegates) may hold back its confirmation. Until it is
   * done, getUpdates asks from that update on, so a crash loses nothing; work still
   * running after this is confirmed anyway (reported as `"settle"`, once per run): a
   * crash during it would lose it. 0: do not wait: an update is confirmed once it is
   * received, as grammY and Telegraf do (while the handlers hand updates over at once,
   * as a DelegatorBot's do, the next getUpdates goes out before the batch is handed
   * over; a handler's promise is still awaited before the updates after it are
   * confirmed). Default 1000.
   */
  settleTimeout?: number;
  /**
   * Milliseconds to await a handler's promise before handing over the next update
   * anyway (the handler goes on alone; reported as `"handler"`). Default 60000;
   * `Infinity`: always wait.
   */
  handlerTimeout?: number;
  /**
   * Milliseconds a getUpdates may take beyond its long-poll `timeout` before the loop
   * gives up on it and polls again (a connection that died silently). Default 15000.
   */
  stallTimeout?: number;
}

function checkMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0)) {
    throw new RangeError(`${name} must be a number of milliseconds >= 0, got ${value}`);
  }
  return value;
}

/** What a loop runs by: {@linkcode LoopOptions} checked, with the defaults filled in. */
export interface LoopSettings {
  /** Milliseconds deferred work may hold back a confirmation. */
  readonly settleTimeout: number;
  /** Milliseconds a handler's promise is awaited. */
  readonly handlerTimeout: number;
  /** Milliseconds a getUpdates may take beyond its long-poll timeout. */
  readonly stallTimeout: number;
  /** Size of the dedupe window (0: off). */
  readonly dedupe: number;
  /** Long-poll timeout in seconds. */
  readonly timeout: number;
  /** Most updates per getUpdates. */
  readonly limit: number;
  /** Retry delays in milliseconds. */
  readonly backoff: Backoff;
}

/** Checks `options` and fills in the defaults; throws a RangeError for a bad value. */
export function loopSettings(options: LoopOptions): LoopSettings {
  const limit = options.limit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
    throw new RangeError(`limit must be an integer from 1 to 100, got ${limit}`);
  }
  const settleTimeout = checkMs("settleTimeout", options.settleTimeout, 1000);
  const handlerTimeout = checkMs("handlerTimeout", options.handlerTimeout, 60_000);
  const stallTimeout = checkMs("stallTimeout", options.stallTimeout, 15_000);
  const dedupe = options.dedupe ?? DEFAULT_DEDUPE_WINDOW;
  if (!Number.isSafeInteger(dedupe) || dedupe < 0) {
    throw new RangeError(`dedupe must be an integer >= 0, got ${dedupe}`);
  }
  return {
    settleTimeout,
    handlerTimeout,
    stallTimeout,
    dedupe,
    timeout: options.timeout ?? 20,
    limit: limit ?? 100,
    backoff: {
      initial: (options.backoff?.initial ?? 0.5) * 1000,
      max: (options.backoff?.max ?? 30) * 1000,
    },
  };
}
