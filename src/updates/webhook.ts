/**
 * Webhooks: a web-standard `(Request) => Promise<Response>` that checks what Telegram
 * sends and hands each update to the bot's `handle()`, the same path polling takes.
 * It runs unchanged under `Deno.serve`, `Bun.serve`, Cloudflare Workers and any other
 * fetch-style server (see `webhook_node.ts` for node:http).
 * @module
 */

import type { Update } from "../core/types.ts";
import { readBounded } from "../files/bytes.ts";
import { handled, handOver, THREW, type UpdateHandler } from "./hand_over.ts";
import type { ErrorHook } from "./report.ts";
import { DEFAULT_DEDUPE_WINDOW, RecentUpdateIds } from "./dedupe.ts";
import { isThenable } from "../time/timers.ts";

/** What a webhook feeds: a Bot (or anything with its `handle(msg, update)`). */
export interface UpdateReceiver {
  /** Handles one update: `msg` is its payload (`update.message`, ...), `update` the whole. */
  handle(msg: unknown, update: Update): unknown;
  /** A Bot's transformer hook (`Bot.use`): used to see the Bot API calls an update sets off. */
  use?(
    ...transformers: ((
      next: (method: string, params: Record<string, unknown>, options: object) => Promise<unknown>,
      method: string,
      params: Record<string, unknown>,
      options: object,
    ) => Promise<unknown>)[]
  ): unknown;
}

/** Options of {@linkcode webhookCallback}. */
export interface WebhookOptions {
  /**
   * The `secret_token` given to setWebhook. When set, a request whose
   * `X-Telegram-Bot-Api-Secret-Token` header differs (compared in constant time) is
   * answered 401 and nothing is handled. 1-256 characters `A-Z a-z 0-9 _ -`.
   */
  secretToken?: string;
  /** Largest accepted body in bytes; a larger one is answered 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Milliseconds to wait for the work of an update (see `awaitCalls`) before
   * answering 200 anyway; the work goes on after the answer (Telegram re-sends
   * updates answered late or not with 2xx). Default 5000.
   */
  answerWithin?: number;
  /**
   * Besides `handle()`'s promise, wait for the Bot API calls the update set off
   * (a DelegatorBot's delegates run on their own: their calls are what there is to
   * wait for). Seen through a transformer installed on the bot (`bot.use`). On
   * platforms that end a request's work once it is answered (Cloudflare Workers),
   * this is what lets a delegate's answer go out. Default true.
   */
  awaitCalls?: boolean;
  /**
   * Receives errors of `handle()` (the update is still answered 200, as polling
   * confirms an update whose handler failed). Default: one log line each.
   */
  onError?: ErrorHook;
  /**
   * Keeps work that outlives the answer alive (Cloudflare Workers' `ctx.waitUntil`).
   * A platform argument with a `waitUntil` method (the Workers `ctx`) is used too.
   */
  waitUntil?: (work: Promise<unknown>) => void;
  /**
   * How many recent update_ids to remember, so a re-sent update (its first answer got
   * lost or came late) is answered 200 without being handled twice; memory stays
   * bounded by this number (see `RecentUpdateIds`). 0 turns it off. Default 1000.
   */
  dedupe?: number;
}

/**
 * A fetch-style request handler: `Deno.serve(cb)`, `Bun.serve({ fetch: cb })`,
 * `export default { fetch: cb }` (Workers). Extra arguments the platform passes are
 * looked at only for a `waitUntil` method.
 */
export type WebhookCallback = (request: Request, ...platform: unknown[]) => Promise<Response>;

/** Default largest body: updates are a few KiB; 1 MiB leaves room and bounds memory. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Default milliseconds before a webhook request is answered while `handle()` still runs. */
export const DEFAULT_ANSWER_WITHIN = 5000;
/** Default number of recent update_ids remembered to drop re-sent updates. */
export const DEFAULT_DEDUPE: number = DEFAULT_DEDUPE_WINDOW;

const SECRET_RE = /^[A-Za-z0-9_-]{1,256}$/;
const SECRET_HEADER = "x-telegram-bot-api-secret-token";
const encoder = new TextEncoder();

/**
 * Makes a webhook endpoint for a bot: a `(Request) => Promise<Response>` that
 * answers
 * - 405 to anything but POST, 401 when `secretToken` is set and the request's
 *   `X-Telegram-Bot-Api-Secret-Token` does not match, 415 unless the body is JSON,
 *   413 when it is larger than `maxBodyBytes`, 400 when it is not a JSON Update;
 *   in all these cases nothing is handled;
 * - 200 after handing the update's payload to `bot.handle(msg, update)`, as soon as
 *   what `handle()` returned has settled and the Bot API calls the update set off
 *   (a DelegatorBot's delegates) are done, but never later than `answerWithin` ms:
 *   longer work goes on after the answer (kept alive by `waitUntil` where the
 *   platform has one). Errors of `handle()` go to `onError`; the answer is still 200.
 *   An update_id seen recently is answered 200 and not handled again.
 *
 * @param bot the bot (a Bot, SpeakerBot or DelegatorBot: anything with `handle`)
 * @param options `secretToken`, `maxBodyBytes`, `answerWithin`, `awaitCalls`, `onError`,
 *   `waitUntil`, `dedupe`
 * @returns the request handler
 * @throws {RangeError} for a `secretToken` Telegram would refuse, or a negative limit
 * @example
 * ```ts
 * import { Bot } from "../../mod.ts";
 * import { webhookCallback } from "./webhook.ts";
 *
 * class EchoBot extends Bot {
 *   override async handle(msg: { chat: { id: number }; text?: string }) {
 *     if (msg.text) await this.sendMessage(msg.chat.id, msg.text);
 *   }
 * }
 * const bot = new EchoBot("123456:TOKEN");
 * const onRequest = webhookCallback(bot, { secretToken: "s3cret" });
 * // Deno.serve({ port: 8443 }, onRequest);
 * // await bot.setWebhook("https://example.com/", { secret_token: "s3cret" });
 * const res = await onRequest(new Request("http://localhost/", { method: "GET" }));
 * console.log(res.status); // 405
 * ```
 */
export function webhookCallback(
  bot: UpdateReceiver,
  options: WebhookOptions = {},
): WebhookCallback {
  if (bot === null || typeof bot !== "object" || typeof bot.handle !== "function") {
    throw new TypeError("webhookCallback(): the first argument must be a bot (with handle())");
  }
  const secret = options.secretToken;
  if (secret !== undefined && (typeof secret !== "string" || !SECRET_RE.test(secret))) {
    throw new RangeError(
      "webhookCallback(): secretToken must be 1-256 characters of A-Z, a-z, 0-9, _ and -",
    );
  }
  const expected = secret === undefined ? undefined : encoder.encode(secret);
  const maxBody = limit(options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, "maxBodyBytes");
  const answerWithin = limit(options.answerWithin, DEFAULT_ANSWER_WITHIN, "answerWithin");
  const recent = new RecentUpdateIds(
    Math.floor(limit(options.dedupe, DEFAULT_DEDUPE, "dedupe", true)),
  );
  const onError = options.onError;
  const calls = options.awaitCalls === false ? undefined : CallTracker.of(bot);

  const handle: UpdateHandler = (msg, update) => bot.handle(msg, update);

  return async (request: Request, ...platform: unknown[]): Promise<Response> => {
    const update = await receive(request, expected, maxBody);
    if (update instanceof Response) return update;
    const id = update.update_id;
    if (!recent.add(id)) return answer(200);
    const result = handOver(handle, update, onError);
    if (result === THREW || (!isThenable(result) && calls === undefined)) return answer(200);
    const done = isThenable(result) ? handled(result, onError, id) : Promise.resolve();
    const work = calls === undefined ? done : done.then(() => calls.quiet());
    const keepAlive = options.waitUntil ?? platformWaitUntil(platform);
    if (keepAlive !== undefined) {
      try {
        keepAlive(work);
      } catch {
        // A platform that refuses (e.g. called after the request ended) changes nothing here.
      }
    }
    await settledWithin(work, answerWithin);
    return answer(200);
  };
}

/**
 * The Update a request carries, or the answer to a request that carries none: 405 for
 * anything but POST, 401 for a wrong secret, 415 unless JSON, 413 when too large, 400
 * when not an Update.
 */
async function receive(
  request: Request,
  expected: Uint8Array | undefined,
  maxBody: number,
): Promise<Update | Response> {
  if (request.method !== "POST") {
    await discard(request);
    return answer(405, "only POST is accepted", { allow: "POST" });
  }
  if (expected !== undefined && !sameSecret(request.headers.get(SECRET_HEADER), expected)) {
    await discard(request);
    return answer(401, "wrong secret token");
  }
  if (!isJson(request.headers.get("content-type"))) {
    await discard(request);
    return answer(415, "the body must be application/json");
  }
  const body = await readBody(request, maxBody);
  if (body === TOO_LARGE) return answer(413, "the body is too large");
  return parseUpdate(body) ?? answer(400, "the body is not a JSON Update");
}

function limit(
  value: number | undefined,
  fallback: number,
  name: string,
  finite = false,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !(value >= 0) || (finite && !Number.isFinite(value))) {
    throw new RangeError(
      `webhookCallback(): ${name} must be a ${finite ? "finite " : ""}number >= 0`,
    );
  }
  return value;
}

function answer(status: number, text?: string, headers: Record<string, string> = {}): Response {
  if (text === undefined) return new Response(null, { status, headers });
  return new Response(text, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/** Compares the header with the secret in time that depends on the secret's length only. */
function sameSecret(given: string | null, expected: Uint8Array): boolean {
  const got = encoder.encode(given ?? "");
  let diff = got.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) {
    diff |= expected[i] ^ (i < got.length ? got[i] : 0);
  }
  return diff === 0;
}

function isJson(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = contentType.split(";", 1)[0].trim().toLowerCase();
  return type === "application/json";
}

/** Lets go of a body nobody will read (so the connection can be reused). */
async function discard(request: Request): Promise<void> {
  try {
    await request.body?.cancel();
  } catch {
    // Already consumed or errored: nothing to free.
  }
}

const TOO_LARGE = Symbol("too large");

/** Reads at most `max` bytes of the body; more (announced or sent) is {@linkcode TOO_LARGE}. */
async function readBody(request: Request, max: number): Promise<Uint8Array | typeof TOO_LARGE> {
  const announced = request.headers.get("content-length");
  if (announced !== null && Number(announced) > max) {
    await discard(request);
    return TOO_LARGE;
  }
  if (request.body === null) return new Uint8Array(0);
  try {
    return await readBounded(request.body, max) ?? TOO_LARGE;
  } catch {
    // The client went away mid-body: what arrived is not a whole update.
    return new Uint8Array(0);
  }
}

/** The Update in `body`, or undefined when it is not UTF-8 JSON of an object with an update_id. */
function parseUpdate(body: Uint8Array): Update | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(body));
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
  const id = (value as { update_id?: unknown }).update_id;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) return undefined;
  return value as Update;
}

/** The `waitUntil` of a platform argument (the Workers ExecutionContext), if one has it. */
function platformWaitUntil(platform: unknown[]): ((p: Promise<unknown>) => void) | undefined {
  for (const arg of platform) {
    const ctx = arg as { waitUntil?: unknown } | null;
    if (ctx !== null && typeof ctx === "object" && typeof ctx.waitUntil === "function") {
      const waitUntil = ctx.waitUntil as (p: Promise<unknown>) => void;
      return (p) => waitUntil.call(ctx, p);
    }
  }
  return undefined;
}

/** Resolves when `work` settles or after `ms`, whichever comes first; leaves no timer behind. */
function settledWithin(work: Promise<void>, ms: number): Promise<void> {
  if (ms > 2_147_483_647) return work; // beyond setTimeout's range: wait for the work
  let timer: ReturnType<typeof setTimeout> | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([work, elapsed]).finally(() => clearTimeout(timer));
}

function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** A transformer as the bot's `use` takes it. */
type CallTransformer = Parameters<NonNullable<UpdateReceiver["use"]>>[number];

/** Sees a bot's Bot API calls in flight (one tracker per bot, installed with `bot.use`). */
class CallTracker {
  static readonly #trackers = new WeakMap<object, CallTracker>();
  readonly #inflight = new Set<Promise<void>>();

  /** The bot's tracker; undefined if it has no `use` hook. */
  static of(bot: UpdateReceiver): CallTracker | undefined {
    if (typeof bot.use !== "function") return undefined;
    let tracker = CallTracker.#trackers.get(bot);
    if (tracker === undefined) {
      tracker = new CallTracker();
      bot.use(tracker.#transformer);
      CallTracker.#trackers.set(bot, tracker);
    }
    return tracker;
  }

  readonly #transformer: CallTransformer = (next, method, params, options) => {
    const call = next(method, params, options);
    const settled = call.then(() => {}, () => {});
    this.#inflight.add(settled);
    settled.then(() => this.#inflight.delete(settled));
    return call;
  };

  /**
   * Resolves once no call is in flight, looking again after each round (a call's
   * continuation may start the next call) and after a macrotask (so calls that work
   * started by `handle()` makes in its first steps are seen).
   */
  async quiet(): Promise<void> {
    await tick();
    while (this.#inflight.size > 0) {
      await Promise.all(this.#inflight);
      await tick();
    }
  }
}
