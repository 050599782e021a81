/**
 * Routing one Bot API request: the token, the method, injected faults, flood limits,
 * validation, the method's handler, and the answer (result or Telegram's error), each
 * recorded as an {@linkcode ApiCall}. File downloads (`/file/bot<token>/<path>`) too.
 * @module
 */

import { ApiError } from "./api_error.ts";
import { type Fault, FaultTable } from "./faults.ts";
import { postsMessage } from "../flood/limits.ts";
import type { FloodControl } from "./flood.ts";
import { MAX_DOWNLOAD } from "./files.ts";
import {
  CORS_HEADERS,
  errorBody,
  htmlErrorResponse,
  jsonResponse,
  preflightResponse,
  reasonPhrase,
} from "./http.ts";
import type { Services } from "./methods/context.ts";
import { HANDLERS } from "./methods/index.ts";
import { Described } from "./methods/updates.ts";
import { BodyError, canonicalMethod, parseParams } from "./parse.ts";
import { ConnectionReset } from "./serve.ts";
import { validateParams } from "./validate.ts";
import type { Obj, World } from "./world.ts";

/** One Bot API request the emulator received. */
export interface ApiCall {
  /** Canonical method name, e.g. "sendMessage" (as sent when the method is unknown). */
  method: string;
  /** Decoded parameters: JSON-serialized fields parsed, numbers as numbers, uploads as `File`s. */
  params: Record<string, unknown>;
  /** Whether the answer was `ok: true`. */
  ok: boolean;
  /** The `result` of a successful answer. */
  result?: unknown;
  /** The `error_code` of a failed answer (0 for a dropped connection). */
  error_code?: number;
  /** The `description` of the answer, if it had one. */
  description?: string;
  /** The injected fault that answered this call, if any. */
  fault?: Fault["kind"];
}

/** What the dispatcher needs from the emulator. */
export interface DispatchHost {
  readonly token: string;
  readonly world: World;
  readonly services: Services;
  /** Keep every call in `calls`. */
  readonly record: boolean;
  /** Whether the emulator is closed (requests then fail like a dropped connection). */
  closed(): boolean;
  /** Registers a cleanup to run when the emulator closes; returns its remover. */
  onClose(fn: () => void): () => void;
}

/** An answer before it becomes a Response. */
interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

const ROUTE = /^\/bot([^/]+)\/([^/]*)\/?$/;
const NOT_FOUND = JSON.stringify(errorBody(404, "Not Found"));
const JSON_HEADERS = { "content-type": "application/json", ...CORS_HEADERS };

function notFound(): Response {
  return new Response(NOT_FOUND, { status: 404, headers: JSON_HEADERS });
}

function tooManyRequests(retry: number): Response {
  const description = `Too Many Requests: retry after ${retry}`;
  return jsonResponse(429, errorBody(429, description, { retry_after: retry }), {
    "retry-after": String(retry),
  });
}

/** The path of a request URL, without parsing the whole URL (the hot path). */
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  const q = url.indexOf("?", start);
  return start < 0 ? "/" : url.slice(start, q < 0 ? undefined : q);
}

function decodeToken(token: string): string {
  if (!token.includes("%")) return token;
  try {
    return decodeURIComponent(token);
  } catch {
    return token;
  }
}

/** Answers Bot API and file requests on behalf of an emulator. */
export class Dispatcher {
  /** Every Bot API request received, in order (when recording). */
  readonly calls: ApiCall[] = [];
  /** Faults injected and not yet used. */
  readonly faults: FaultTable = new FaultTable();
  /** Flood mode: the limits' windows, or null when off. */
  flood: FloodControl | null = null;
  readonly #host: DispatchHost;

  constructor(host: DispatchHost) {
    this.#host = host;
  }

  /** Answers one request; `signalOf` gives the request's signal when needed. */
  async handle(req: Request, signalOf: () => AbortSignal): Promise<Response> {
    if (this.#host.closed()) throw new ConnectionReset("the emulator is closed");
    if (req.method === "OPTIONS") return preflightResponse(req);
    const path = pathOf(req.url);
    if (path.startsWith("/file/bot")) return this.#download(path);
    const m = ROUTE.exec(path);
    if (!m) return notFound();
    if (decodeToken(m[1]) !== this.#host.token) {
      this.#log({
        method: m[2],
        params: {},
        ok: false,
        error_code: 401,
        description: "Unauthorized",
      });
      return jsonResponse(401, errorBody(401, "Unauthorized"));
    }
    const method = canonicalMethod(m[2]);
    if (!method) {
      this.#log({ method: m[2], params: {}, ok: false, error_code: 404, description: "Not Found" });
      return notFound();
    }
    return await this.#call(method, req, signalOf);
  }

  /** Runs a method with its raw parameters (as webhook answers do). */
  async execute(method: string, raw: Obj): Promise<void> {
    await this.#execute(method, raw);
  }

  async #call(method: string, req: Request, signalOf: () => AbortSignal): Promise<Response> {
    const fault = this.faults.take(method);
    let raw: Obj;
    try {
      raw = await parseParams(req);
    } catch (err) {
      if (fault && fault.kind !== "delay") return this.#fault(method, {}, fault, signalOf());
      const description = err instanceof BodyError
        ? err.message
        : "Bad Request: can't parse request body";
      this.#log({ method, params: {}, ok: false, error_code: 400, description });
      return jsonResponse(400, errorBody(400, description));
    }
    if (fault && fault.kind !== "delay") return this.#fault(method, raw, fault, signalOf());
    if (this.flood !== null && postsMessage(method)) {
      const flooded = this.#floodCheck(this.flood, method, raw);
      if (flooded) return flooded;
    }
    const out = await this.#execute(method, raw, signalOf, fault?.kind);
    if (fault?.kind === "delay") await this.#sleep(fault.ms, signalOf());
    return new Response(out.body, { status: out.status, headers: out.headers ?? JSON_HEADERS });
  }

  async #execute(
    method: string,
    raw: Obj,
    signalOf?: () => AbortSignal,
    faultKind?: Fault["kind"],
  ): Promise<Answer> {
    const checked = validateParams(method, raw);
    if (!checked.ok) {
      const description = checked.description;
      this.#log({ method, params: raw, ok: false, error_code: 400, description, fault: faultKind });
      return { status: 400, body: JSON.stringify(errorBody(400, description)) };
    }
    const params = checked.params;
    try {
      let result = HANDLERS[method]({
        world: this.#host.world,
        p: params,
        method,
        get signal() {
          return signalOf?.();
        },
        services: this.#host.services,
      });
      if (result instanceof Promise) result = await result;
      if (result instanceof Described) {
        const { result: value, description } = result;
        this.#log({ method, params, ok: true, result: value, description, fault: faultKind });
        return { status: 200, body: JSON.stringify({ ok: true, result: value, description }) };
      }
      this.#log({ method, params, ok: true, result, fault: faultKind });
      return { status: 200, body: JSON.stringify({ ok: true, result }) };
    } catch (err) {
      return this.#failed(method, params, err, faultKind);
    }
  }

  /** The answer to a handler that threw: Telegram's error, or a bare 500 for a bug. */
  #failed(method: string, params: Obj, err: unknown, faultKind?: Fault["kind"]): Answer {
    if (err instanceof ApiError) {
      const { code, description, parameters } = err;
      this.#log({ method, params, ok: false, error_code: code, description, fault: faultKind });
      const headers = parameters?.retry_after !== undefined
        ? { ...JSON_HEADERS, "retry-after": String(parameters.retry_after) }
        : undefined;
      return {
        status: code,
        body: JSON.stringify(errorBody(code, description, parameters)),
        headers,
      };
    }
    // A bug in the emulator: answer like a server error, never with details.
    const description = "Internal Server Error";
    this.#log({ method, params, ok: false, error_code: 500, description, fault: faultKind });
    return { status: 500, body: JSON.stringify(errorBody(500, description)) };
  }

  async #fault(method: string, params: Obj, fault: Fault, signal: AbortSignal): Promise<Response> {
    const log = (error_code: number, description: string) =>
      this.#log({ method, params, ok: false, error_code, description, fault: fault.kind });
    switch (fault.kind) {
      case "429": {
        const retry = fault.retryAfter ?? 1;
        log(429, `Too Many Requests: retry after ${retry}`);
        return tooManyRequests(retry);
      }
      case "5xx": {
        const status = fault.status ?? 500;
        const description = fault.description ?? reasonPhrase(status);
        log(status, description);
        return jsonResponse(status, errorBody(status, description));
      }
      case "html": {
        const status = fault.status ?? 502;
        log(status, `${status} ${reasonPhrase(status)} (HTML)`);
        return htmlErrorResponse(status);
      }
      case "reset":
        log(0, "connection reset");
        throw new ConnectionReset();
      case "hang":
        log(0, "no answer");
        await this.#sleep(Infinity, signal);
        throw new ConnectionReset();
      default:
        throw new ConnectionReset();
    }
  }

  /** A 429 answer if posting to raw.chat_id now is over a flood limit, else undefined. */
  #floodCheck(flood: FloodControl, method: string, raw: Obj): Response | undefined {
    const world = this.#host.world;
    const id = raw.chat_id;
    let chatId: number | undefined;
    if (typeof id === "number") chatId = id;
    else if (typeof id === "string" && id.startsWith("@")) {
      chatId = world.usernames.get(id.slice(1).toLowerCase());
    } else if (typeof id === "string" && id !== "") chatId = Number(id);
    const rec = chatId === undefined ? undefined : world.chats.get(chatId);
    if (rec === undefined) return undefined; // answered "chat not found" by the method
    const wait = flood.admit(rec.id, rec.chat.type === "private", world.nowMs());
    if (wait <= 0) return undefined;
    const retry = Math.max(1, Math.ceil(wait / 1000));
    const description = `Too Many Requests: retry after ${retry}`;
    this.#log({ method, params: raw, ok: false, error_code: 429, description });
    return tooManyRequests(retry);
  }

  /** Waits `ms` (Infinity: until aborted), or less when aborted or closed. */
  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted || this.#host.closed()) return resolve();
      const done = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal.removeEventListener("abort", done);
        removeClose();
        resolve();
      };
      const timer = ms === Infinity ? undefined : setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      const removeClose = this.#host.onClose(done);
    });
  }

  #log(call: ApiCall): void {
    if (!this.#host.record) return;
    if (call.fault === undefined) delete call.fault;
    this.calls.push(call);
  }

  #download(path: string): Response {
    const m = /^\/file\/bot([^/]+)\/(.+)$/.exec(path);
    let token = m?.[1] ?? "";
    let filePath = m?.[2] ?? "";
    try {
      token = decodeURIComponent(token);
      filePath = decodeURIComponent(filePath);
    } catch {
      return notFound();
    }
    if (token !== this.#host.token) return jsonResponse(401, errorBody(401, "Unauthorized"));
    // Exact lookups only: "../" or absolute paths can never reach anything else.
    const rec = filePath.split("/").some((s) => s === ".." || s === ".")
      ? undefined
      : this.#host.world.files.byPath(filePath);
    if (!rec || rec.bytes.length > MAX_DOWNLOAD) return notFound();
    return new Response(rec.bytes.slice(), {
      status: 200,
      headers: {
        "content-type": rec.mime_type ?? "application/octet-stream",
        "content-length": String(rec.bytes.length),
        ...CORS_HEADERS,
      },
    });
  }
}
