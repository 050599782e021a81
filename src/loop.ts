/**
 * The long-polling update loop behind `bot.messageLoop()`. Nothing lost: an update
 * is confirmed to Telegram (by the next getUpdates' offset) only after it was handed
 * to the handler; updates reach the handler one at a time, in order; a failing
 * handler is reported and the loop goes on; network errors and 5xx answers are
 * retried with capped exponential backoff and jitter, 429 waits `retry_after`;
 * 401/404 (bad token or apiRoot) and 409 (webhook set, or a second instance) end
 * the loop with an error saying so. `stop()` and the `signal` abort the pending
 * getUpdates at once and confirm everything handed over, so a restart neither
 * loses nor repeats an update.
 * @module
 */

import type { ApiMethods } from "./types.ts";
import type { Update } from "./types.ts";
import { abortable, deadline, delay } from "./async_util.ts";
import { TelepotError } from "./errors.ts";
import { payloadOf, rememberKind } from "./helper/kind.ts";
import { type ErrorHook, report } from "./helper/report.ts";

/**
 * Handles one update: `msg` is its payload (`update.message`,
 * `update.callback_query`, ... whatever kind it is, even one newer than this
 * code), `update` the whole Update. May return a promise: the loop awaits it
 * before handing over the next update.
 */
export type UpdateHandler = (
  // deno-lint-ignore no-explicit-any
  msg: any,
  update: Update,
) => unknown;

/** Options of {@linkcode UpdateLoop} (and `bot.messageLoop()`). */
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
}

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

/**
 * The update loop ended because polling cannot succeed: a wrong token (401), a
 * wrong apiRoot or token path (404), a webhook or a second instance (409), or
 * getUpdates refused its parameters (400). `cause` holds the Bot API error.
 *
 * @example
 * ```ts
 * import { UpdateLoopError } from "./loop.ts";
 * const err = new UpdateLoopError("getUpdates refused", 409);
 * console.log(err.errorCode); // 409
 * ```
 */
export class UpdateLoopError extends TelepotError {
  /** Always `"UpdateLoopError"`. */
  override name = "UpdateLoopError";
  /** The HTTP status or Bot API error code that ended the loop. */
  readonly errorCode: number | undefined;

  /**
   * Makes the error that ends a message loop.
   *
   * @param message what went wrong and what to do
   * @param errorCode the status or error code
   * @param options `cause`: the original error
   */
  constructor(message: string, errorCode?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.errorCode = errorCode;
  }
}

interface Verdict {
  fatal?: UpdateLoopError;
  wait?: number;
}

function codeOf(err: unknown): number | undefined {
  const e = err as { errorCode?: unknown; status?: unknown } | null;
  if (typeof e?.errorCode === "number") return e.errorCode;
  if (typeof e?.status === "number") return e.status;
  return undefined;
}

/** Decides what a failed getUpdates means: end the loop, or wait and retry. */
export function classify(err: unknown): Verdict {
  const code = codeOf(err);
  const e = err as {
    errorCode?: number;
    description?: string;
    parameters?: { retry_after?: number };
  };
  const said = e?.description ? ` (Telegram said: "${e.description}")` : "";
  if (code === 429) {
    const seconds = e?.parameters?.retry_after ?? (err as { retryAfter?: number }).retryAfter ?? 1;
    return { wait: Math.max(0, seconds) * 1000 };
  }
  if (code === 401) {
    return {
      fatal: new UpdateLoopError(
        `getUpdates was refused with 401 Unauthorized${said}: the bot token is wrong or was ` +
          "revoked. The update loop stopped; get a valid token from @BotFather and start again.",
        code,
        { cause: err },
      ),
    };
  }
  if (code === 404) {
    return {
      fatal: new UpdateLoopError(
        `getUpdates answered 404 Not Found${said}: the bot token or the apiRoot is wrong ` +
          "(Telegram answers 404 for a malformed token). The update loop stopped.",
        code,
        { cause: err },
      ),
    };
  }
  if (code === 409) {
    return {
      fatal: new UpdateLoopError(
        `getUpdates answered 409 Conflict${said}: Telegram gives updates to one receiver only. ` +
          "Either a webhook is set for this bot (call deleteWebhook() before polling, or keep " +
          "the webhook and do not poll), or another instance of this bot is polling with the " +
          "same token (stop it). The update loop stopped.",
        code,
        { cause: err },
      ),
    };
  }
  if (e?.errorCode !== undefined && code !== undefined && code >= 400 && code < 500) {
    return {
      fatal: new UpdateLoopError(
        `getUpdates was refused with ${code}${said}; retrying cannot help. The update loop stopped.`,
        code,
        { cause: err },
      ),
    };
  }
  return {};
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function";
}

/** The reason the loop's own signal aborts with when stopped. */
class LoopStopped extends Error {
  override name = "LoopStopped";
}

/**
 * Polls getUpdates and hands each update's payload to a handler, in order.
 * `Bot.messageLoop()` creates one; use it directly with any object that has `call()`.
 *
 * @example
 * ```ts
 * import { Bot } from "../mod.ts";
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
  #stopped = false;
  #running: Promise<void> | undefined;

  /**
   * @param source the bot (anything with `call("getUpdates", params, { signal })`)
   * @param handler receives `(payload, update)` for every update
   * @param options polling options
   */
  constructor(source: UpdateSource, handler: UpdateHandler, options: LoopOptions = {}) {
    this.#source = source;
    this.#handler = handler;
    this.#options = options;
    const limit = options.limit;
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100)) {
      throw new RangeError(`limit must be an integer from 1 to 100, got ${limit}`);
    }
  }

  /** Whether the loop is polling (started and not yet ended). */
  get running(): boolean {
    return this.#running !== undefined && !this.#stopped;
  }

  /**
   * Runs until `stop()` or the signal (then it resolves), or until polling cannot
   * succeed (then it rejects with an {@linkcode UpdateLoopError}). Calling it again
   * returns the same promise.
   */
  run(): Promise<void> {
    return this.#running ??= this.#run();
  }

  /**
   * Ends the loop: aborts the pending getUpdates, stops awaiting the handler, confirms
   * the offset of every update handed over, and resolves when all that is done.
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

  async #run(): Promise<void> {
    const o = this.#options;
    const signal = this.#controller.signal;
    const outer = o.signal;
    const onOuterAbort = () => this.#halt();
    if (outer?.aborted) this.#halt();
    else outer?.addEventListener("abort", onOuterAbort, { once: true });

    const timeout = o.timeout ?? 20;
    const initial = (o.backoff?.initial ?? 0.5) * 1000;
    const max = (o.backoff?.max ?? 30) * 1000;
    let offset = o.offset;
    let confirmed = offset;
    let allowed = o.allowedUpdates;
    let failures = 0;
    let fatal: UpdateLoopError | undefined;

    try {
      while (!this.#stopped) {
        let result: unknown;
        const sent = offset;
        try {
          const params: GetUpdatesParams = { timeout };
          if (offset !== undefined) params.offset = offset;
          if (o.limit !== undefined) params.limit = o.limit;
          if (allowed !== undefined) {
            params.allowed_updates = allowed as GetUpdatesParams["allowed_updates"];
          }
          result = await this.#source.call("getUpdates", params, { signal });
        } catch (err) {
          if (this.#stopped) break;
          const verdict = classify(err);
          if (verdict.fatal) {
            fatal = verdict.fatal;
            break;
          }
          failures++;
          const wait = verdict.wait ??
            Math.min(max, initial * 2 ** (failures - 1)) * (0.5 + Math.random() / 2);
          report(o.onError, err, { source: "getUpdates", retryIn: Math.round(wait) });
          try {
            await delay(wait, { signal });
          } catch {
            break;
          }
          continue;
        }
        failures = 0;
        allowed = undefined;
        confirmed = sent;
        const updates = Array.isArray(result) ? result as Update[] : [];
        for (const update of updates) {
          if (this.#stopped) break;
          const id = update?.update_id;
          if (typeof id !== "number") continue;
          if (offset !== undefined && id < offset) continue;
          await this.#handOver(update, id, signal);
          offset = id + 1;
        }
        if (o.relax && o.relax > 0 && !this.#stopped) {
          await delay(o.relax * 1000, { signal }).catch(() => {});
        }
      }
    } finally {
      outer?.removeEventListener("abort", onOuterAbort);
      this.#stopped = true;
    }
    if (!fatal && offset !== undefined && offset !== confirmed) await this.#confirm(offset);
    if (fatal) throw fatal;
  }

  /** Calls the handler (an update counts as handed over once it was called) and awaits it. */
  async #handOver(update: Update, id: number, signal: AbortSignal): Promise<void> {
    const onError = this.#options.onError;
    const [kind, payload] = payloadOf(update as unknown as Record<string, unknown>);
    rememberKind(payload, kind);
    let result: unknown;
    try {
      result = this.#handler(payload, update);
    } catch (err) {
      report(onError, err, { source: "handler", updateId: id });
      return;
    }
    if (!isThenable(result)) return;
    const pending = Promise.resolve(result);
    try {
      await abortable(pending, signal);
    } catch (err) {
      if (signal.aborted && err === signal.reason) {
        // Stopped while the handler runs: it goes on alone; still report its failure.
        pending.catch((late) => report(onError, late, { source: "handler", updateId: id }));
        return;
      }
      report(onError, err, { source: "handler", updateId: id });
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
        if (codeOf(err) === 409 && attempt < 3) {
          await delay(50 * attempt);
          continue;
        }
        report(this.#options.onError, err, { source: "confirm" });
        return;
      }
    }
  }
}
