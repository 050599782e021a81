/**
 * The transport: turns `(method, params, signal)` into one HTTP request to the Bot API
 * and its answer into a value or an error. It knows nothing of the 180 methods.
 *
 * - JSON body when no file is present, multipart when one is (`multipart.ts`, loaded
 *   only then);
 * - a per-request timeout (`getUpdates`' long-poll `timeout` seconds are added to it)
 *   combined with the caller's AbortSignal; an abort rejects with the signal's reason;
 * - `ok: false` answers become {@linkcode TelegramError}s (by `ERROR_RULES`), anything
 *   else that is not a Bot API answer a {@linkcode BadHTTPResponse}, which says whether
 *   the request may have been delivered (only a refused connection surely was not);
 * - JSON calls go through a {@linkcode Transport}: `fetch` by default; under Node a
 *   keep-alive `node:http` transport (`runtime/node_transport.ts`, imported lazily on the
 *   first call, so nothing runtime-specific is in the core's import graph). Uploads and
 *   downloads always use fetch. Nothing here repeats a request by itself;
 * - the token never leaves this file except in the request URL (and `fileUrl`): error
 *   messages name the method, and errors from the runtime are kept as `cause` only
 *   after the token was removed from them.
 * @module
 */
import { TelepotError } from "./errors/base.ts";
import { BadHTTPResponse, isReadOnlyMethod, RequestTimeoutError } from "./errors/http.ts";
import { neverSent } from "./never_sent.ts";
import { telegramError } from "./errors/telegram.ts";
import type { ResponseParameters } from "./types.ts";
import { hasUpload } from "../files/uploads.ts";
import type {
  TimedTransport,
  Transport,
  TransportRequest,
  TransportResponse,
} from "../runtime/transport.ts";
import { tokenInPath } from "./token.ts";
import type { ApiCaller, CallOptions } from "./transformer.ts";
import { timeoutSignal } from "../time/timers.ts";

/** Where and how requests go. */
export interface ClientOptions {
  /** Where the Bot API lives. Default `https://api.telegram.org`. */
  apiRoot?: string;
  /** The fetch to use. Default the global one, looked up at each call. */
  fetch?: typeof fetch;
  /**
   * What sends JSON calls (everything but uploads and downloads, which use `fetch`):
   * a {@linkcode Transport}, or `"fetch"` for `fetch`. Default: under Node (not Deno or
   * Bun) and with no `fetch` given, a keep-alive `node:http` transport (Node's `fetch`
   * costs about four times the CPU per request); elsewhere `fetch`.
   */
  transport?: Transport | "fetch";
  /**
   * Per-request timeout in milliseconds, default 60 000; `0` or `Infinity`: none.
   * getUpdates' long-poll `timeout` (seconds) is added to it.
   */
  timeout?: number;
}

/** Removes the token from texts and errors (`redact.ts`, loaded on the first error). */
export interface Redaction {
  /** The text with every spelling of the token replaced. */
  text(text: string): string;
  /** A copy of an error (its causes too) with the token removed everywhere. */
  error(err: unknown): unknown;
}

/** The default per-request timeout in milliseconds. */
export const DEFAULT_TIMEOUT = 60_000;

/** The HTTP side of a Bot: one instance per token. */
export class Client {
  /** Where the Bot API lives, without a trailing slash. */
  declare readonly apiRoot: string;
  /** Per-request timeout in milliseconds (0: none). */
  declare readonly timeout: number;
  readonly #token: string;
  readonly #base: string;
  readonly #fetch: typeof fetch;
  /** undefined: fetch; null: not chosen yet (Node: load the node:http transport first). */
  #transport: Transport | undefined | null;
  /** The transport's `timed`, once the transport is known to have one. */
  #timed: TimedTransport["timed"] | undefined;
  #redaction: Promise<Redaction> | undefined;

  constructor(token: string, options: ClientOptions = {}) {
    if (typeof token !== "string" || token === "") {
      throw new TypeError("Bot: the token must be a non-empty string");
    }
    this.#token = token;
    this.apiRoot = (options.apiRoot ?? "https://api.telegram.org").replace(/\/+$/, "");
    this.#base = `${this.apiRoot}/bot${tokenInPath(token)}/`;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    const transport = options.transport;
    if (transport !== undefined && transport !== "fetch" && typeof transport !== "function") {
      throw new TypeError('Bot: options.transport must be a function or "fetch"');
    }
    this.#transport = typeof transport === "function"
      ? transport
      : transport === undefined && options.fetch === undefined && underNode()
      ? null
      : undefined;
    if (typeof transport === "function") this.#timed = (transport as Partial<TimedTransport>).timed;
    const timeout = options.timeout ?? DEFAULT_TIMEOUT;
    if (typeof timeout !== "number" || !(timeout >= 0)) {
      throw new RangeError("Bot: options.timeout must be a number of milliseconds >= 0");
    }
    this.timeout = timeout;
  }

  /** The token's redaction, loaded when first needed (error paths only). */
  redaction(): Promise<Redaction> {
    return this.#redaction ??= import("./redact.ts").then(({ redactor, redactError }) => {
      const text = redactor(this.#token);
      return { text, error: (err: unknown) => redactError(err, text) };
    });
  }

  /** Performs one Bot API call. */
  readonly call: ApiCaller = (method, params, options) => {
    const timed = this.#timed;
    if (timed === undefined) return this.#call(method, params, options);
    // The common case once a timed transport is loaded (Node): no async frame here.
    try {
      const ms = this.#timeoutOf(method, params);
      options.signal?.throwIfAborted();
      if (hasUpload(params)) return this.#call(method, params, options);
      const body = JSON.stringify(params);
      const req = { method: "POST", headers: { "content-type": "application/json" }, body };
      return this.#timedCall(method, req, ms, options.signal, timed);
    } catch (err) {
      return Promise.reject(err);
    }
  };

  /** The request timeout of a call: getUpdates' long-poll seconds come on top. */
  #timeoutOf(method: string, params: Record<string, unknown>): number {
    const longPoll = params.timeout;
    return this.timeout > 0 && typeof longPoll === "number" &&
        method.toLowerCase() === "getupdates"
      ? this.timeout + Math.max(0, longPoll) * 1000
      : this.timeout;
  }

  async #call(method: string, params: Record<string, unknown>, { signal }: CallOptions) {
    const ms = this.#timeoutOf(method, params);
    signal?.throwIfAborted();
    const init: RequestInit & { duplex?: "half" } = { method: "POST" };
    let dispose: ((reason?: unknown) => Promise<void>) | undefined;
    let send: Transport | undefined; // uploads always go through fetch
    if (hasUpload(params)) {
      const { multipartBody } = await import("../files/multipart.ts");
      const mp = await multipartBody(params);
      init.body = mp.body;
      dispose = mp.dispose;
      if (mp.contentType) {
        init.headers = { "content-type": mp.contentType };
        init.duplex = "half";
      }
    } else {
      const body = JSON.stringify(params);
      if (this.#transport === null) {
        this.#transport = await loadNodeTransport();
        this.#timed = (this.#transport as Partial<TimedTransport> | undefined)?.timed;
      }
      const headers = { "content-type": "application/json" };
      const timed = this.#timed;
      if (timed !== undefined) {
        return await this.#timedCall(method, { method: "POST", headers, body }, ms, signal, timed);
      }
      init.headers = headers;
      init.body = body;
      send = this.#transport;
    }
    try {
      return await this.request(
        method,
        this.#base + method,
        init,
        ms,
        signal,
        (res) => this.#answer(method, res),
        send as ((url: string, init: RequestInit) => Promise<TransportResponse>) | undefined,
      );
    } finally {
      await dispose?.();
    }
  }

  /**
   * The URL of a file on Telegram's file server. It contains the bot token: never log
   * it, never show it to users.
   */
  fileUrl(filePath: string, method = "getFileUrl"): string {
    return `${this.apiRoot}/file/bot${tokenInPath(this.#token)}/${safeFilePath(filePath, method)}`;
  }

  /**
   * Sends one request with the timeout and signal applied until `consume` is done with
   * the response. A failed fetch becomes a {@linkcode BadHTTPResponse} (network failure)
   * whose cause has the token removed; an abort rejects with the signal's reason; the
   * timeout with a {@linkcode RequestTimeoutError}. Errors `consume` throws pass as they are.
   */
  async request<T, R extends TransportResponse = Response>(
    method: string,
    url: string,
    init: RequestInit,
    ms: number,
    signal: AbortSignal | undefined,
    consume: (res: R) => Promise<T>,
    send?: (url: string, init: RequestInit) => Promise<R>,
  ): Promise<T> {
    signal?.throwIfAborted();
    let timedOut: RequestTimeoutError | undefined;
    const timeout = () => timedOut = timeoutError(method, ms);
    const timed = (send as Partial<TimedTransport> | undefined)?.timed;
    let start: () => Promise<R>;
    let cleanup: (() => void) | undefined;
    if (timed !== undefined) {
      start = () => timed(url, init as TransportRequest, ms, signal, timeout) as Promise<R>;
    } else {
      const limit = timeoutSignal(ms, timeout, signal);
      cleanup = limit.clear;
      start = () =>
        send
          ? send(url, { ...init, signal: limit.signal })
          : this.#fetch(url, { ...init, signal: limit.signal }) as unknown as Promise<R>;
    }
    try {
      let res: R;
      try {
        res = await start();
      } catch (err) {
        throw await this.#sendFailed(method, err, signal, timedOut);
      }
      try {
        return await consume(res);
      } catch (err) {
        throw endedBy(err, signal, timedOut);
      }
    } finally {
      cleanup?.();
    }
  }

  /**
   * The error for a request that got no answer: the signal's reason on abort, the
   * timeout's error, else a {@linkcode BadHTTPResponse} (network failure) whose cause has
   * the token removed and that says whether the request may have been delivered.
   */
  async #sendFailed(
    method: string,
    err: unknown,
    signal: AbortSignal | undefined,
    timedOut: RequestTimeoutError | undefined,
  ): Promise<unknown> {
    const ended = endedBy(undefined, signal, timedOut);
    if (ended !== undefined) return ended;
    const cause = (await this.redaction()).error(err);
    if (neverSent(err)) {
      return new BadHTTPResponse(method, undefined, "network failure (no connection; not sent)", {
        cause,
        maybeDelivered: false,
      });
    }
    return new BadHTTPResponse(
      method,
      undefined,
      `network failure (no answer)${mayHaveBeenDelivered(method)}`,
      { cause },
    );
  }

  /**
   * A JSON call through a {@linkcode TimedTransport}: what {@linkcode request} with
   * {@linkcode parseAnswer} does, in one async function (no closures for starting and
   * consuming, no promise hops through request, #answer and parseAnswer): the common
   * `ok: true` answer is read right here; anything else goes the long way.
   */
  async #timedCall(
    method: string,
    init: Omit<TransportRequest, "signal">,
    ms: number,
    signal: AbortSignal | undefined,
    timed: TimedTransport["timed"],
  ): Promise<unknown> {
    signal?.throwIfAborted();
    let timedOut: RequestTimeoutError | undefined;
    const timeout = () => timedOut = timeoutError(method, ms);
    let res: TransportResponse;
    try {
      res = await timed(this.#base + method, init, ms, signal, timeout);
    } catch (err) {
      throw await this.#sendFailed(method, err, signal, timedOut);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw endedBy(undefined, signal, timedOut) ?? await this.#cutOff(method, res, err);
    }
    const body = parseJson(text);
    if (isOk(body)) return body.result;
    try {
      return await parseAnswer(method, res, text, () => this.redaction(), body);
    } catch (err) {
      throw endedBy(err, signal, timedOut);
    }
  }

  async #answer(method: string, res: TransportResponse): Promise<unknown> {
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw await this.#cutOff(method, res, err);
    }
    return await parseAnswer(method, res, text, () => this.redaction());
  }

  /** The error for an answer whose body broke off (`err`, kept with the token removed). */
  async #cutOff(method: string, res: TransportResponse, err: unknown): Promise<BadHTTPResponse> {
    return new BadHTTPResponse(
      method,
      res.status,
      `network failure (answer cut off)${mayHaveBeenDelivered(method)}`,
      { cause: (await this.redaction()).error(err) },
    );
  }
}

/**
 * Reads a Bot API answer: the `result` of `ok: true`, a {@linkcode TelegramError} for
 * `ok: false`, a {@linkcode BadHTTPResponse} for anything else.
 */
export async function parseAnswer(
  method: string,
  res: TransportResponse,
  text: string,
  redaction: () => Promise<Redaction>,
  body: unknown = parseJson(text),
): Promise<unknown> {
  if (
    body === null || typeof body !== "object" || typeof (body as { ok?: unknown }).ok !== "boolean"
  ) {
    const type = res.headers.get("content-type")?.split(";")[0];
    throw new BadHTTPResponse(
      method,
      res.status,
      `HTTP ${res.status}, not a Bot API answer${type ? ` (${type})` : ""}${
        mayHaveBeenDelivered(method)
      }`,
      { body: (await redaction()).text(text.slice(0, 512)) },
    );
  }
  const answer = body as {
    ok: boolean;
    result?: unknown;
    error_code?: unknown;
    description?: unknown;
    parameters?: unknown;
  };
  if (answer.ok) return answer.result;
  const redact = (await redaction()).text;
  const params = answer.parameters && typeof answer.parameters === "object"
    ? answer.parameters as ResponseParameters
    : {};
  throw telegramError(
    method,
    typeof answer.error_code === "number" ? answer.error_code : res.status,
    redact(typeof answer.description === "string" ? answer.description : ""),
    params,
  );
}

/**
 * Checks a file_path from getFile and percent-encodes its segments. Refuses `.` and
 * `..` segments: a URL would resolve them and leave the bot's file directory.
 */
export function safeFilePath(filePath: string, method: string): string {
  if (typeof filePath !== "string" || filePath === "") {
    throw new TypeError(`${method}: file_path must be a non-empty string`);
  }
  const segments = filePath.replace(/^\/+/, "").split("/");
  if (segments.some((s) => s === "." || s === "..")) {
    throw new TelepotError(`${method}: refusing a file_path with '.' or '..' segments`);
  }
  return segments.map(encodeURIComponent).join("/");
}

/** `text` parsed as JSON, `undefined` when it is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether a parsed answer is `{ ok: true, ... }`. */
function isOk(body: unknown): body is { ok: true; result?: unknown } {
  return body !== null && typeof body === "object" && (body as { ok?: unknown }).ok === true;
}

/**
 * What a failed request rejects with: the signal's reason when the caller aborted, the
 * timeout's error when time ran out, else `err` (the request's own failure).
 */
function endedBy(
  err: unknown,
  signal: AbortSignal | undefined,
  timedOut: RequestTimeoutError | undefined,
): unknown {
  if (signal?.aborted) return signal.reason;
  return timedOut ?? err;
}

/** The error of a request that got no (whole) answer within `ms`. */
function timeoutError(method: string, ms: number): RequestTimeoutError {
  return new RequestTimeoutError(
    method,
    undefined,
    `no answer within ${ms} ms${mayHaveBeenDelivered(method)}`,
  );
}

/** The note a failure of a state-changing call carries when it may have been executed. */
function mayHaveBeenDelivered(method: string): string {
  return isReadOnlyMethod(method) ? "" : "; it may have been delivered";
}

/** Node (not Deno or Bun, which also have `process.versions.node`). */
function underNode(): boolean {
  const g = globalThis as {
    Deno?: unknown;
    Bun?: unknown;
    process?: { versions?: { node?: string } };
  };
  return g.Deno === undefined && g.Bun === undefined &&
    typeof g.process?.versions?.node === "string";
}

/**
 * The node:http keep-alive transport, loaded on first use; `undefined` (fetch) when it
 * cannot load (a bundle for workers where `process` exists but node:http does not).
 */
async function loadNodeTransport(): Promise<Transport | undefined> {
  try {
    return (await import("../runtime/node_transport.ts")).nodeTransport();
  } catch {
    return undefined;
  }
}
