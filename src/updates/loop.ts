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
  backoff,
  deadline,
  delay,
  isThenable,
  startTimer,
  timeoutSignal,
} from "../time/timers.ts";
import { DEFAULT_DEDUPE_WINDOW, RecentUpdateIds } from "./dedupe.ts";
import { TelepotError } from "../core/errors/base.ts";
import { payloadOf, rememberKind } from "./kind.ts";
import { type ErrorHook, report } from "./report.ts";

/**
 * Handles one update: `msg` is its payload (`update.message`,
 * `update.callback_query`, ... whatever kind it is, even one newer than this
 * code), `update` the whole Update. May return a promise: the loop awaits it
 * before handing over the next update. May return a {@linkcode Settlement}: the
 * loop goes on at once, and waits for it before confirming the update.
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
  /**
   * How many update_ids to remember so that one handed over before is not handed over
   * again (Telegram re-sends updates whose confirmation got lost, e.g. when the loop
   * ended by an error or its final confirmation failed). The window belongs to the
   * bot and outlives one `messageLoop()` run; memory is bounded by it. 0 turns it off.
   * Default 1000.
   */
  dedupe?: number;
  /**
   * Milliseconds an update's deferred work (the {@linkcode Settlement} its handler
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

/**
 * What a handler returns to hand an update over at once while its work goes on:
 * `settled` resolves to `true` when the work is done, to `false` when it was given
 * up. The loop does not confirm the update to Telegram before that (see
 * `LoopOptions.settleTimeout`). A DelegatorBot's `handle()` returns one while
 * delegates are busy with the update.
 *
 * @example
 * ```ts
 * import { Settlement } from "./loop.ts";
 * const work = Promise.resolve();
 * const s = new Settlement(work.then(() => true, () => true));
 * console.log(await s.settled); // true
 * ```
 */
export class Settlement {
  /**
   * @param settled resolves to true when the update's work is done, false when given up
   */
  constructor(readonly settled: Promise<boolean>) {}
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

function checkMs(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0)) {
    throw new RangeError(`${name} must be a number of milliseconds >= 0, got ${value}`);
  }
  return value;
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
  /** Still counted in the loop's number of updates being worked on. */
  counted: boolean;
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
  readonly #settleTimeout: number;
  readonly #handlerTimeout: number;
  readonly #stallTimeout: number;
  readonly #dedupe: number;
  #stopped = false;
  #running: Promise<void> | undefined;
  /** The waiter of `#progress()`, woken once no held update below `#bound` is in progress. */
  #wake: (() => void) | undefined;
  #bound = -Infinity;
  /** Held updates below `#bound` still in progress (while `#progress()` waits). */
  #below = 0;
  #toldUnsettled = false;
  /** A handler of the current batch returned a promise (the loop awaited it). */
  #awaited = true;

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
    this.#settleTimeout = checkMs("settleTimeout", options.settleTimeout, 1000);
    this.#handlerTimeout = checkMs("handlerTimeout", options.handlerTimeout, 60_000);
    this.#stallTimeout = checkMs("stallTimeout", options.stallTimeout, 15_000);
    const dedupe = options.dedupe ?? DEFAULT_DEDUPE_WINDOW;
    if (!Number.isSafeInteger(dedupe) || dedupe < 0) {
      throw new RangeError(`dedupe must be an integer >= 0, got ${dedupe}`);
    }
    this.#dedupe = dedupe;
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

  async #run(state: SourceState): Promise<void> {
    const o = this.#options;
    const signal = this.#controller.signal;
    const outer = o.signal;
    const onOuterAbort = () => this.#halt();
    if (outer?.aborted) this.#halt();
    else outer?.addEventListener("abort", onOuterAbort, { once: true });

    const window = windowOf(state, this.#dedupe);
    const timeout = o.timeout ?? 20;
    const initial = (o.backoff?.initial ?? 0.5) * 1000;
    const max = (o.backoff?.max ?? 30) * 1000;
    /** The next update_id to hand over (what the next getUpdates confirms below). */
    let cursor = o.offset;
    /** The offset the last successful getUpdates sent (what Telegram has confirmed). */
    let confirmed = cursor;
    let allowed = o.allowedUpdates;
    let failures = 0;
    let fatal: UpdateLoopError | undefined;
    /** Handed over, work not yet known to be done, in update_id order. */
    let held: Held[] = [];
    /** The last getUpdates filled its limit: more are likely waiting. */
    let full = false;
    const limit = o.limit ?? 100;
    /** A getUpdates sent before the batch it confirms was handed over (settleTimeout 0). */
    let ahead: { offset: number; result: Promise<unknown> } | undefined;
    const pollParams = (offset: number | undefined): GetUpdatesParams => {
      const params: GetUpdatesParams = { timeout };
      if (offset !== undefined) params.offset = offset;
      if (o.limit !== undefined) params.limit = o.limit;
      if (allowed !== undefined) {
        params.allowed_updates = allowed as GetUpdatesParams["allowed_updates"];
      }
      return params;
    };

    try {
      while (!this.#stopped) {
        if (held.length > 0) {
          // Pipelining within the guarantee: an update is confirmed only once its work is
          // done, so the next getUpdates asks from the first update still in progress; it
          // and the others in progress come again (skipped below) and take room in the
          // answer (`limit`). With a backlog, poll once the updates in progress leave half
          // the room to new ones; otherwise wait for all of them (a poll would return at
          // once with them instead of long polling). Each waits at most settleTimeout.
          const bound = full ? cursor! - Math.floor(limit / 2) : Infinity;
          held = await this.#progress(held, bound, signal);
          if (this.#stopped) break; // the final wait below takes over
        }
        let result: unknown;
        const sent = ahead?.offset ?? (held.length > 0 ? held[0].id : cursor);
        try {
          if (ahead !== undefined) {
            const pending = ahead.result;
            ahead = undefined;
            result = await pending;
          } else result = await this.#poll(pollParams(sent), signal, timeout);
        } catch (err) {
          if (this.#stopped) break;
          const verdict = classify(err);
          if (verdict.fatal) {
            fatal = verdict.fatal;
            break;
          }
          failures++;
          const wait = verdict.wait ?? backoff(failures - 1, initial, max, true);
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
        full = updates.length >= limit;
        if (this.#settleTimeout === 0 && !this.#awaited && !o.relax && updates.length > 0) {
          // Confirmed once handed over, and the last batch went to handlers that hand
          // over at once (a DelegatorBot's): ask for the next batch before handing this
          // one over, so the round trip overlaps the work of starting its delegates.
          let next = cursor ?? -Infinity;
          for (const u of updates) {
            const id = u?.update_id;
            if (typeof id === "number" && Number.isSafeInteger(id) && id >= next) next = id + 1;
          }
          if (next !== -Infinity && next !== cursor) {
            const request = this.#poll(pollParams(next), signal, timeout);
            request.catch(() => {}); // awaited (and its failure handled) on the next round
            ahead = { offset: next, result: request };
          }
        }
        this.#awaited = false;
        // A batch whose successor was asked for is confirmed: hand all of it over even
        // when stopped meanwhile (a stopping DelegatorBot handles it after its stop).
        const committed = ahead !== undefined;
        for (const update of updates) {
          if (this.#stopped && !committed) break;
          const id = update?.update_id;
          if (typeof id !== "number" || !Number.isSafeInteger(id)) continue;
          if (cursor !== undefined && id < cursor) continue; // confirmed, or handed over in this run
          cursor = id + 1;
          if (window !== null && !window.add(id)) continue; // handed over before: a repeat
          const settlement = await this.#handOver(update, id, signal);
          if (settlement !== undefined && this.#settleTimeout > 0) {
            held.push(this.#hold(id, settlement));
          }
        }
        if (o.relax && o.relax > 0 && !this.#stopped) {
          await delay(o.relax * 1000, { signal }).catch(() => {});
        }
      }
    } finally {
      outer?.removeEventListener("abort", onOuterAbort);
      this.#stopped = true;
    }
    if (fatal) throw fatal;
    // Stopped: wait for the work in progress, then confirm below the first update whose
    // work is not done (it and what follows come again on the next start: nothing lost).
    if (held.length > 0) held = await this.#settle(held);
    let offset = cursor;
    for (const h of held) {
      if (offset === undefined || h.id < offset) offset = h.id;
      window?.delete(h.id); // not done: handle it again when it comes back
    }
    if (held.length > 0) this.#reportUnsettled(held);
    if (offset !== undefined && offset !== confirmed) await this.#confirm(offset);
  }

  /** One getUpdates, given up after its long-poll timeout plus `stallTimeout`. */
  async #poll(params: GetUpdatesParams, signal: AbortSignal, timeout: number): Promise<unknown> {
    const limit = Math.max(0, timeout) * 1000 + this.#stallTimeout;
    if (!Number.isFinite(limit)) return await this.#source.call("getUpdates", params, { signal });
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

  /** Calls the handler (an update counts as handed over once it was called) and awaits it. */
  async #handOver(
    update: Update,
    id: number,
    signal: AbortSignal,
  ): Promise<Settlement | undefined> {
    const onError = this.#options.onError;
    const [kind, payload] = payloadOf(update as unknown as Record<string, unknown>);
    rememberKind(payload, kind);
    let result: unknown;
    try {
      result = this.#handler(payload, update);
    } catch (err) {
      report(onError, err, { source: "handler", updateId: id });
      return undefined;
    }
    if (result instanceof Settlement) return result;
    if (!isThenable(result)) return undefined;
    this.#awaited = true;
    const pending = Promise.resolve(result);
    const ms = this.#handlerTimeout;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let late = false;
    const waited = ms === Infinity ? pending : Promise.race([
      pending,
      new Promise<void>((resolve) => {
        timer = startTimer(() => {
          late = true;
          resolve();
        }, ms);
      }),
    ]);
    try {
      await abortable(waited, signal);
      if (late) {
        report(
          onError,
          new TelepotError(
            `the handler of update ${id} is still running after ${ms} ms (handlerTimeout); ` +
              "the loop goes on with the next update while it runs",
          ),
          { source: "handler", updateId: id },
        );
        pending.catch((err) => report(onError, err, { source: "handler", updateId: id }));
      }
    } catch (err) {
      if (signal.aborted && err === signal.reason) {
        // Stopped while the handler runs: it goes on alone; still report its failure.
        pending.catch((e) => report(onError, e, { source: "handler", updateId: id }));
        return undefined;
      }
      report(onError, err, { source: "handler", updateId: id });
    } finally {
      clearTimeout(timer);
    }
    return undefined;
  }

  /** Tracks the settlement of an update handed over. */
  #hold(id: number, settlement: Settlement): Held {
    const h: Held = {
      id,
      done: undefined,
      known: undefined as unknown as Promise<void>,
      until: Date.now() + this.#settleTimeout,
      counted: true,
    };
    h.known = settlement.settled.then(
      (ok) => this.#settled(h, ok === true),
      () => this.#settled(h, false),
    );
    return h;
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
   * settleTimeout passes, or `signal` aborts); returns those still in progress, in
   * order. Work given up, or still running after settleTimeout, is confirmed anyway and
   * reported, once per run (a delegate that keeps working is not an error each time).
   */
  async #progress(held: Held[], bound: number, signal: AbortSignal): Promise<Held[]> {
    for (;;) {
      const now = Date.now();
      let dropped: Held[] | undefined;
      const working: Held[] = [];
      for (const h of held) {
        if (h.done === true) continue;
        if (h.done === false || now >= h.until) {
          this.#uncount(h);
          (dropped ??= []).push(h);
        } else working.push(h);
      }
      if (dropped !== undefined && !this.#toldUnsettled) {
        this.#toldUnsettled = true;
        this.#reportUnsettled(dropped);
      }
      held = working;
      let below = 0;
      while (below < held.length && held[below].id < bound) below++;
      if (below === 0 || signal.aborted) return held;
      // Deadlines grow with update_id: the first held update's comes first.
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          signal.removeEventListener("abort", wake);
          this.#wake = undefined;
          this.#bound = -Infinity;
          resolve();
        };
        const timer = startTimer(wake, held[0].until - now);
        signal.addEventListener("abort", wake, { once: true });
        this.#wake = wake;
        this.#bound = bound;
        this.#below = below;
      });
    }
  }

  /**
   * Waits until every held update's work is done, `settleTimeout` passes or `signal`
   * aborts; returns those not done.
   */
  async #settle(held: Held[], signal?: AbortSignal): Promise<Held[]> {
    const ms = this.#settleTimeout;
    if (ms > 0 && !signal?.aborted) {
      // One promise for the batch: resolved by the last settlement, the timer or the signal.
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
        const timer = startTimer(wake, ms);
        const onAbort = () => wake();
        signal?.addEventListener("abort", onAbort, { once: true });
        await woken;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      }
    }
    return held.filter((h) => h.done !== true);
  }

  #reportUnsettled(held: Held[]): void {
    const ids = held.map((h) => h.id);
    const shown = ids.length > 5 ? `${ids.slice(0, 5).join(", ")}, ...` : ids.join(", ");
    const text = this.#stopped
      ? "still in progress when the stopping loop gave up waiting for them; they are not " +
        "confirmed and come again on the next start"
      : `still in progress after ${this.#settleTimeout} ms (settleTimeout); confirmed ` +
        "anyway, the work goes on (said once per run)";
    report(
      this.#options.onError,
      new TelepotError(`${ids.length} update(s) (${shown}) ${text}`),
      { source: "settle", updateId: ids[0] },
    );
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
