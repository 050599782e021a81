/**
 * The Bot API emulator: a fetch-compatible handler that speaks the Telegram Bot API,
 * with an emulated world of users and chats, and a user side for tests and demos.
 * @module
 */

import type { Chat, Message, Update, User } from "./types.ts";
import { ApiError } from "./api_error.ts";
import { type Fault, FaultTable, type InjectOptions } from "./faults.ts";
import type { FloodLimits } from "../flood/limits.ts";
import { postsMessage } from "../flood/limits.ts";
import { FloodControl } from "./flood.ts";
import { MAX_DOWNLOAD } from "./files.ts";
import {
  CORS_HEADERS,
  errorBody,
  htmlErrorResponse,
  jsonResponse,
  preflightResponse,
  reasonPhrase,
} from "./http.ts";
import { botIdFromToken, randomToken } from "./ids.ts";
import type { Services } from "./methods/context.ts";
import { chatMember } from "./methods/chat_access.ts";
import { HANDLERS, METHOD_SUPPORT, type MethodSupport } from "./methods/index.ts";
import { Described } from "./methods/updates.ts";
import { CONTROL_PREFIX, handleControl } from "./control.ts";
import { BodyError, canonicalMethod, markInMemory, parseParams } from "./parse.ts";
import { ConnectionReset, listen, type ServeEngine } from "./serve.ts";
import { UpdateQueue } from "./updates.ts";
import { EmulatedUser, type UserHost } from "./user.ts";
import { validateParams } from "./validate.ts";
import { WebhookDeliverer } from "./webhook.ts";
import { FULL_ADMIN_RIGHTS, type MemberRec, type Obj, World } from "./world.ts";
import { timeoutSignal } from "../time/timers.ts";

/** Options of {@linkcode Emulator}. */
export interface EmulatorOptions {
  /** The bot token to accept (default: a random valid-looking one). */
  token?: string;
  /** The clock, in milliseconds (default `Date.now`). */
  now?: () => number;
  /** The bot's first_name (default "Emulated Bot"). */
  botName?: string;
  /** The bot's username (default "emulated_bot"). */
  botUsername?: string;
  /**
   * Privacy mode: in groups where the bot is not an administrator it only gets commands,
   * replies to its messages and mentions (default false: it reads all group messages).
   */
  privacyMode?: boolean;
  /** The fetch used to deliver webhook updates (default the global fetch). */
  webhookFetch?: typeof fetch;
  /** Delays (ms) before each retry of a failed webhook delivery (default 500..8000 ms, 5 retries). */
  webhookRetryDelays?: readonly number[];
  /** How long one webhook delivery may take (ms, default 10000). */
  webhookTimeout?: number;
  /** The fetch used to download files the bot sends by HTTP URL (default the global fetch). */
  fileUrlFetch?: typeof fetch;
  /** Keep every request in `calls` (default true; benchmarks may turn it off). */
  recordCalls?: boolean;
  /**
   * Keep at most this many messages per chat, forgetting the oldest (default: all). Bounds
   * memory in long benchmarks; forgotten messages can no longer be replied to or edited.
   */
  historyLimit?: number;
  /**
   * Flood mode: enforce Telegram's limits on posting messages (about 30 a second
   * overall, one a second per private chat, 20 a minute per group) with 429 answers and
   * `retry_after`, as Telegram does; `true` for Telegram's limits, or other rates. Time
   * comes from `now`. Default off. See {@linkcode Emulator.setFloodLimits}.
   */
  flood?: boolean | FloodLimits;
}

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

/** A running HTTP server of the emulator. */
export interface EmulatorServer {
  /** e.g. "http://127.0.0.1:40123"; hand it to any Bot API client as its API root. */
  readonly apiRoot: string;
  /** The TCP port it listens on. */
  readonly port: number;
  /** Stops this server (pending requests are ended). */
  close(): Promise<void>;
}

/** Options of {@linkcode Emulator.serve}. */
export interface ServeOptions {
  /** TCP port (default 0: any free port). */
  port?: number;
  /** Interface to bind (default "127.0.0.1"). */
  hostname?: string;
  /**
   * "deno" (Deno.serve, the default under Deno) or "node" (node:http, the default
   * elsewhere). Under Deno.serve a "reset" fault sends the status line and then drops the
   * connection; node:http destroys the socket before answering anything.
   */
  engine?: ServeEngine;
  /**
   * Also serve the user side over HTTP under `/_emulator/...` (create users and chats, make
   * users act, read what the bot sent; see docs/emulator.md). Default false.
   */
  control?: boolean;
}

/** Options of {@linkcode Emulator.group}, {@linkcode Emulator.supergroup} and {@linkcode Emulator.channel}. */
export interface ChatOptions {
  /** Public @username of a supergroup or channel. */
  username?: string;
  /** The bot's membership (default "member" in groups, "administrator" in channels). */
  botStatus?: "member" | "administrator" | "left";
  /** Supergroups only: a forum with topics. */
  forum?: boolean;
}

/**
 * Some clients (grammY's npm build) pass an AbortSignal polyfill that `Request` refuses;
 * follow such a signal with a native one.
 */
function adoptSignal(init: RequestInit | undefined): RequestInit | undefined {
  const signal = init?.signal as unknown;
  if (!signal || signal instanceof AbortSignal) return init;
  const foreign = signal as {
    aborted?: boolean;
    addEventListener?: (type: string, fn: () => void, o?: unknown) => void;
  };
  const ctrl = new AbortController();
  if (foreign.aborted) ctrl.abort();
  else foreign.addEventListener?.("abort", () => ctrl.abort(), { once: true });
  return { ...init, signal: ctrl.signal };
}

/** Whether a request built from `input` and `init` has its body in memory (not a stream). */
function bodyInMemory(input: RequestInfo | URL, init: RequestInit | undefined): boolean {
  const body = init?.body;
  if (body === undefined || body === null) return !(input instanceof Request);
  return typeof body === "string" || body instanceof ArrayBuffer || ArrayBuffer.isView(body) ||
    body instanceof Blob || body instanceof FormData || body instanceof URLSearchParams;
}

const ROUTE = /^\/bot([^/]+)\/([^/]*)\/?$/;
const NOT_FOUND = JSON.stringify(errorBody(404, "Not Found"));
const JSON_HEADERS = { "content-type": "application/json", ...CORS_HEADERS };

/**
 * An offline Telegram Bot API: hand `emulator.fetch` and `emulator.apiRoot` to a bot, or
 * `serve()` it over HTTP, then play users with `emulator.user()`.
 *
 * @example
 * ```ts
 * import { Emulator } from "../../testing.ts";
 * const emu = new Emulator();
 * const alice = emu.user("Alice");
 * await alice.send("hi");
 * const res = await emu.fetch(`${emu.apiRoot}/bot${emu.token}/getUpdates`);
 * const { result } = await res.json();
 * console.log(result[0].message.text); // "hi"
 * await emu.close();
 * ```
 */
export class Emulator {
  /** Every Bot API method and how the emulator supports it. */
  static readonly methodSupport: Readonly<Record<string, MethodSupport>> = METHOD_SUPPORT;
  /** The methods that have real effects on the emulated state. */
  static readonly methodsWithEffects: readonly string[] = Object.keys(METHOD_SUPPORT).filter(
    (m) => METHOD_SUPPORT[m] === "effect",
  );

  /** The bot token this emulator accepts. */
  readonly token: string;
  /** The API root for in-process use with {@linkcode Emulator.fetch}. */
  readonly apiRoot = "http://emulator.test";
  /** Every Bot API request received, in order. */
  readonly calls: ApiCall[] = [];

  readonly #world: World;
  readonly #queue: UpdateQueue;
  readonly #webhook: WebhookDeliverer;
  readonly #faults = new FaultTable();
  readonly #services: Services;
  readonly #host: UserHost;
  readonly #servers = new Set<EmulatorServer>();
  readonly #onClose = new Set<() => void>();
  readonly #users = new Map<number, EmulatedUser>();
  readonly #record: boolean;
  readonly #fileUrlFetch: typeof fetch;
  #flood: FloodControl | null = null;
  #closed = false;
  #closing?: Promise<void>;

  /** Creates an emulator; nothing listens until {@linkcode Emulator.serve}. */
  constructor(options: EmulatorOptions = {}) {
    const token = options.token ?? randomToken();
    const botId = botIdFromToken(token);
    if (botId === undefined) {
      throw new TypeError("Emulator: a token must look like <bot id>:<secret>");
    }
    this.token = token;
    this.#record = options.recordCalls ?? true;
    this.#fileUrlFetch = options.fileUrlFetch ?? ((input, init) => fetch(input, init));
    this.#world = new World({
      botId,
      botFirstName: options.botName ?? "Emulated Bot",
      botUsername: options.botUsername ?? "emulated_bot",
      now: options.now ?? Date.now,
      historyLimit: options.historyLimit,
    });
    if (options.privacyMode) this.#world.capabilities.can_read_all_group_messages = false;
    if (options.flood) this.setFloodLimits(options.flood);
    this.#queue = new UpdateQueue();
    this.#webhook = new WebhookDeliverer(this.#queue, {
      fetch: options.webhookFetch ?? ((input, init) => fetch(input, init)),
      retryDelays: options.webhookRetryDelays ?? [500, 1000, 2000, 4000, 8000],
      timeoutMs: options.webhookTimeout ?? 10_000,
      now: () => this.#world.now(),
      execute: async (method, params) => {
        const name = canonicalMethod(method);
        if (name) await this.#execute(name, params);
      },
    });
    this.#queue.onPush = () => this.#webhook.kick();
    this.#services = {
      queue: this.#queue,
      webhook: this.#webhook,
      fetchFileUrl: (url, signal) => this.#downloadUrl(url, signal),
    };
    this.#host = {
      world: this.#world,
      push: (payload) => {
        this.#queue.push(payload);
      },
      onClose: (fn) => {
        this.#onClose.add(fn);
        return () => this.#onClose.delete(fn);
      },
      privacyMode: options.privacyMode ?? false,
      setBlocked: (userId, blocked) => this.#setBlocked(userId, blocked),
    };
  }

  /** The bot's User object (what getMe returns). */
  get bot(): User {
    return this.#world.me() as unknown as User;
  }

  /** Number of updates queued and not yet confirmed (or delivered to the webhook). */
  get pendingUpdateCount(): number {
    return this.#queue.size;
  }

  /** The fetch-compatible handler: answers one Bot API (or file) request. */
  readonly handle = (req: Request): Promise<Response> =>
    // req.signal is read only when needed: under Deno.serve reading it costs an operation.
    this.#handle(req, () => req.signal);

  /**
   * A `fetch` that serves the Bot API in-process. Like fetch, it rejects with a TypeError
   * on a (injected) connection reset and with the signal's reason when aborted.
   */
  readonly fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    let req: Request;
    try {
      req = new Request(input, adoptSignal(init));
    } catch (err) {
      return Promise.reject(err);
    }
    if (bodyInMemory(input, init)) markInMemory(req);
    const signal = req.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    const answer = this.#handle(req, () => signal);
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      answer.then(
        (res) => {
          signal.removeEventListener("abort", onAbort);
          resolve(res);
        },
        (err) => {
          signal.removeEventListener("abort", onAbort);
          reject(
            err instanceof ConnectionReset ? new TypeError("fetch failed: connection reset") : err,
          );
        },
      );
    });
  };

  /** Serves the emulator over HTTP on 127.0.0.1 (any free port unless `port` is given). */
  async serve(options: ServeOptions = {}): Promise<EmulatorServer> {
    if (this.#closed) throw new Error("Emulator: serve() after close()");
    const control = options.control === true;
    const server = await listen(async (req, signal) => {
      if (control && req.url.includes(CONTROL_PREFIX)) {
        const answer = await handleControl(this, req, signal);
        if (answer) return answer;
      }
      return this.#handle(req, () => signal);
    }, options);
    const host = server.hostname.includes(":") ? `[${server.hostname}]` : server.hostname;
    const handle: EmulatorServer = {
      apiRoot: `http://${host}:${server.port}`,
      port: server.port,
      close: () => {
        this.#servers.delete(handle);
        return server.close();
      },
    };
    this.#servers.add(handle);
    return handle;
  }

  /** Stops servers and webhook delivery, ends pending long polls (empty) and waits. */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    this.#queue.closeWaiter();
    for (const fn of [...this.#onClose]) fn();
    this.#onClose.clear();
    this.#closing = (async () => {
      await this.#webhook.close();
      await Promise.all([...this.#servers].map((s) => s.close()));
    })();
    return this.#closing;
  }

  /** Forgets the recorded calls. */
  clearCalls(): void {
    this.calls.length = 0;
  }

  // ---- the user side -------------------------------------------------------------------

  /** Creates a user who has a private chat with the bot. */
  user(
    firstName?: string,
    options: { lastName?: string; username?: string; languageCode?: string; isPremium?: boolean } =
      {},
  ): EmulatedUser {
    const rec = this.#world.addUser(firstName, options);
    const user = new EmulatedUser(rec, this.#host);
    this.#users.set(rec.user.id, user);
    return user;
  }

  /** Creates a basic group with these members (the first one owns it) and the bot. */
  group(title: string, members: readonly EmulatedUser[] = [], options: ChatOptions = {}): Chat {
    return this.#makeChat("group", title, members, options);
  }

  /** Creates a supergroup with these members (the first one owns it) and the bot. */
  supergroup(
    title: string,
    members: readonly EmulatedUser[] = [],
    options: ChatOptions = {},
  ): Chat {
    return this.#makeChat("supergroup", title, members, options);
  }

  /** Creates a channel where the bot is an administrator; `members` are subscribers. */
  channel(title: string, options: ChatOptions & { members?: readonly EmulatedUser[] } = {}): Chat {
    return this.#makeChat("channel", title, options.members ?? [], {
      botStatus: "administrator",
      ...options,
    });
  }

  #makeChat(
    type: "group" | "supergroup" | "channel",
    title: string,
    members: readonly EmulatedUser[],
    options: ChatOptions,
  ): Chat {
    const rec = this.#world.addChat(type, title, {
      username: options.username,
      isForum: options.forum,
    });
    members.forEach((u, i) => {
      rec.members.set(u.id, {
        status: i === 0 ? "creator" : "member",
        fields: i === 0 ? { is_anonymous: false } : {},
      });
    });
    const botStatus = options.botStatus ?? "member";
    if (botStatus !== "left") {
      const member: MemberRec = botStatus === "administrator"
        ? { status: "administrator", fields: { ...FULL_ADMIN_RIGHTS } }
        : { status: "member", fields: {} };
      rec.members.set(this.#world.bot.id, member);
    }
    return rec.chat as unknown as Chat;
  }

  /**
   * The user blocks the bot: the bot's messages to them now fail with 403, and the bot
   * gets a my_chat_member update (status "kicked"), as in Telegram.
   */
  block(user: EmulatedUser): void {
    this.#setBlocked(user.id, true);
  }

  /** The user unblocks the bot (my_chat_member back to "member"). */
  unblock(user: EmulatedUser): void {
    this.#setBlocked(user.id, false);
  }

  /** The user deletes their account: sends to them answer 403 `user is deactivated`. */
  deactivate(user: EmulatedUser): void {
    this.#world.userOf(user.id).deactivated = true;
  }

  /**
   * Upgrades a basic group to a supergroup, as Telegram does: the group gets a
   * `migrate_to_chat_id` service message, the new supergroup a `migrate_from_chat_id` one,
   * and the bot's sends to the old id answer 400 with `parameters.migrate_to_chat_id`.
   * Returns the supergroup.
   */
  migrate(group: Chat | number): Chat {
    const id = typeof group === "number" ? group : group.id;
    const old = this.#world.chats.get(id);
    if (!old || old.chat.type !== "group") throw new TypeError("migrate: not a basic group");
    if (old.migratedTo !== undefined) throw new TypeError("migrate: already upgraded");
    const rec = this.#world.addChat("supergroup", String(old.chat.title));
    for (const [userId, m] of old.members) {
      rec.members.set(userId, { ...m, fields: { ...m.fields } });
    }
    old.migratedTo = rec.id;
    const creator = [...old.members].find(([, m]) => m.status === "creator")?.[0];
    const from = (creator !== undefined ? this.#world.userObject(creator) : undefined) ??
      this.#world.bot;
    const inOld = this.#world.addMessage(old, { migrate_to_chat_id: rec.id }, {
      from,
      byBot: false,
    });
    const inNew = this.#world.addMessage(rec, { migrate_from_chat_id: id }, {
      senderChat: old.chat,
      byBot: false,
    });
    const bot = this.#world.botMember(old).status;
    if (bot !== "left" && bot !== "kicked") {
      this.#queue.push({ message: inOld });
      this.#queue.push({ message: inNew });
    }
    return rec.chat as unknown as Chat;
  }

  /**
   * Changes the bot's own membership in a group, supergroup or channel (e.g. an admin
   * kicks it or promotes it); queues my_chat_member as Telegram does.
   */
  setBotStatus(chat: Chat | number, status: "member" | "administrator" | "left" | "kicked"): void {
    const id = typeof chat === "number" ? chat : chat.id;
    const rec = this.#world.chats.get(id);
    if (!rec || rec.chat.type === "private") {
      throw new TypeError("setBotStatus: not a group, supergroup or channel");
    }
    const bot = this.#world.bot;
    const old = this.#world.botMember(rec);
    const next: MemberRec = status === "administrator"
      ? { status, fields: { ...FULL_ADMIN_RIGHTS } }
      : status === "kicked"
      ? { status, fields: { until_date: 0 } }
      : { status, fields: {} };
    rec.members.set(bot.id, next);
    const creator = [...rec.members].find(([, m]) => m.status === "creator")?.[0];
    const from = (creator !== undefined ? this.#world.userObject(creator) : undefined) ?? bot;
    this.#queue.push({
      my_chat_member: {
        chat: rec.chat,
        from,
        date: this.#world.now(),
        old_chat_member: chatMember(bot, old),
        new_chat_member: chatMember(bot, next),
      },
    });
  }

  #setBlocked(userId: number, blocked: boolean): void {
    const rec = this.#world.userOf(userId);
    if (rec.blocked === blocked) return;
    rec.blocked = blocked;
    const bot = this.#world.bot;
    this.#queue.push({
      my_chat_member: {
        chat: rec.chat.chat,
        from: rec.user,
        date: this.#world.now(),
        old_chat_member: blocked
          ? { status: "member", user: bot }
          : { status: "kicked", user: bot, until_date: 0 },
        new_chat_member: blocked
          ? { status: "kicked", user: bot, until_date: 0 }
          : { status: "member", user: bot },
      },
    });
  }

  /** Every message of a chat (both directions, current versions, deleted ones left out). */
  messages(chatId: number): Message[] {
    const chat = this.#world.chats.get(chatId);
    return chat ? [...chat.messages.values()] as unknown as Message[] : [];
  }

  /** One message of a chat (its current version), if it exists. */
  message(chatId: number, messageId: number): Message | undefined {
    return this.#world.chats.get(chatId)?.messages.get(messageId) as unknown as
      | Message
      | undefined;
  }

  /** The chat actions (typing, upload_photo...) the bot sent to a chat, oldest first. */
  chatActions(chatId: number): string[] {
    return [...(this.#world.chats.get(chatId)?.actions ?? [])];
  }

  /** The draft the bot is streaming to a private chat with sendMessageDraft, if any. */
  draft(chatId: number): { draft_id: number; text: string; entities?: unknown[] } | undefined {
    return this.#world.store.drafts.get(chatId);
  }

  /** The bot's answer to a callback query (answerCallbackQuery's parameters), if given yet. */
  callbackAnswer(queryId: string): Record<string, unknown> | undefined {
    return this.#world.callbackQueries.get(queryId)?.answer;
  }

  /** The bot's answer to an inline query (answerInlineQuery's parameters), if given yet. */
  inlineAnswer(queryId: string): Record<string, unknown> | undefined {
    return this.#world.inlineQueries.get(queryId)?.answer;
  }

  /** A stored file (uploaded by the bot or a user) by file_id. */
  file(fileId: string):
    | { bytes: Uint8Array; file_path: string; file_name?: string; mime_type?: string }
    | undefined {
    const rec = this.#world.files.get(fileId);
    return rec && {
      bytes: rec.bytes,
      file_path: rec.file_path,
      file_name: rec.file_name,
      mime_type: rec.mime_type,
    };
  }

  /**
   * Queues any update (any kind, even unknown ones, regardless of allowed_updates); the
   * update_id is assigned here. Returns the queued update.
   */
  pushUpdate(update: Record<string, unknown>): Update {
    return this.#queue.push(update, true) as unknown as Update;
  }

  /**
   * Makes the next `times` calls of `method` ("*" for any) misbehave.
   *
   * @example
   * ```ts
   * import { Emulator } from "../../testing.ts";
   * const emu = new Emulator();
   * emu.inject("sendMessage", { kind: "429", retryAfter: 3 }, { times: 1 });
   * ```
   */
  inject(method: string, fault: Fault, options: InjectOptions = {}): void {
    const name = method === "*" ? "*" : canonicalMethod(method);
    if (!name) throw new RangeError(`inject: unknown Bot API method "${method}"`);
    this.#faults.add(name, fault, options.times ?? 1);
  }

  /**
   * Turns flood mode on (`true`: Telegram's limits; or other rates, e.g. scaled down for
   * a test) or off (`false`). In flood mode every call that posts a message (`send*` but
   * chat actions and drafts, forwards, copies) counts against its chat's window and the
   * overall one; a call over a limit is not executed and answers 429
   * `Too Many Requests: retry after N` with `parameters.retry_after`. Turning it on
   * starts with empty windows.
   *
   * @example
   * ```ts
   * import { Emulator } from "../../testing.ts";
   * const emu = new Emulator();
   * emu.setFloodLimits({ privateChat: { limit: 1, interval: 1000 } }); // others as Telegram's
   * emu.setFloodLimits(false);
   * ```
   */
  setFloodLimits(limits: boolean | FloodLimits): void {
    this.#flood = limits === false ? null : new FloodControl(limits === true ? {} : limits);
  }

  /** Removes every injected fault not yet used. */
  clearFaults(): void {
    this.#faults.clear();
  }

  /** The emulated user with this id, if it was created by {@linkcode Emulator.user}. */
  userById(id: number): EmulatedUser | undefined {
    return this.#users.get(id);
  }

  /** Resolves when pending webhook deliveries are done (or given up). */
  webhookIdle(): Promise<void> {
    return this.#webhook.idle();
  }

  // ---- request handling ----------------------------------------------------------------

  async #handle(req: Request, signalOf: () => AbortSignal): Promise<Response> {
    if (this.#closed) throw new ConnectionReset("the emulator is closed");
    if (req.method === "OPTIONS") return preflightResponse(req);
    const url = req.url;
    const start = url.indexOf("/", url.indexOf("//") + 2);
    const q = url.indexOf("?", start);
    const path = start < 0 ? "/" : url.slice(start, q < 0 ? undefined : q);
    if (path.startsWith("/file/bot")) return this.#download(path);
    const m = ROUTE.exec(path);
    if (!m) return new Response(NOT_FOUND, { status: 404, headers: JSON_HEADERS });
    let token = m[1];
    if (token.includes("%")) {
      try {
        token = decodeURIComponent(token);
      } catch { /* keep as is */ }
    }
    if (token !== this.token) {
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
      return new Response(NOT_FOUND, { status: 404, headers: JSON_HEADERS });
    }
    const fault = this.#faults.take(method);
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
    if (this.#flood !== null && postsMessage(method)) {
      const flooded = this.#floodCheck(this.#flood, method, raw);
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
  ): Promise<{ status: number; body: string; headers?: Record<string, string> }> {
    const checked = validateParams(method, raw);
    if (!checked.ok) {
      this.#log({
        method,
        params: raw,
        ok: false,
        error_code: 400,
        description: checked.description,
        fault: faultKind,
      });
      return { status: 400, body: JSON.stringify(errorBody(400, checked.description)) };
    }
    const params = checked.params;
    try {
      let result = HANDLERS[method]({
        world: this.#world,
        p: params,
        method,
        get signal() {
          return signalOf?.();
        },
        services: this.#services,
      });
      if (result instanceof Promise) result = await result;
      if (result instanceof Described) {
        this.#log({
          method,
          params,
          ok: true,
          result: result.result,
          description: result.description,
          fault: faultKind,
        });
        return {
          status: 200,
          body: JSON.stringify({
            ok: true,
            result: result.result,
            description: result.description,
          }),
        };
      }
      this.#log({ method, params, ok: true, result, fault: faultKind });
      return { status: 200, body: JSON.stringify({ ok: true, result }) };
    } catch (err) {
      if (err instanceof ApiError) {
        this.#log({
          method,
          params,
          ok: false,
          error_code: err.code,
          description: err.description,
          fault: faultKind,
        });
        const headers = err.parameters?.retry_after !== undefined
          ? { ...JSON_HEADERS, "retry-after": String(err.parameters.retry_after) }
          : undefined;
        return {
          status: err.code,
          body: JSON.stringify(errorBody(err.code, err.description, err.parameters)),
          headers,
        };
      }
      // A bug in the emulator: answer like a server error, never with details.
      const description = "Internal Server Error";
      this.#log({ method, params, ok: false, error_code: 500, description, fault: faultKind });
      return { status: 500, body: JSON.stringify(errorBody(500, description)) };
    }
  }

  async #fault(method: string, params: Obj, fault: Fault, signal: AbortSignal): Promise<Response> {
    const log = (error_code: number, description: string) =>
      this.#log({ method, params, ok: false, error_code, description, fault: fault.kind });
    switch (fault.kind) {
      case "429": {
        const retry = fault.retryAfter ?? 1;
        const description = `Too Many Requests: retry after ${retry}`;
        log(429, description);
        return jsonResponse(429, errorBody(429, description, { retry_after: retry }), {
          "retry-after": String(retry),
        });
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
        await this.#untilAborted(signal);
        throw new ConnectionReset();
      default:
        throw new ConnectionReset();
    }
  }

  /** A 429 answer if posting to raw.chat_id now is over a flood limit, else undefined. */
  #floodCheck(flood: FloodControl, method: string, raw: Obj): Response | undefined {
    const id = raw.chat_id;
    let chatId: number | undefined;
    if (typeof id === "number") chatId = id;
    else if (typeof id === "string" && id.startsWith("@")) {
      chatId = this.#world.usernames.get(id.slice(1).toLowerCase());
    } else if (typeof id === "string" && id !== "") chatId = Number(id);
    const rec = chatId === undefined ? undefined : this.#world.chats.get(chatId);
    if (rec === undefined) return undefined; // answered "chat not found" by the method
    const wait = flood.admit(rec.id, rec.chat.type === "private", this.#world.nowMs());
    if (wait <= 0) return undefined;
    const retry = Math.max(1, Math.ceil(wait / 1000));
    const description = `Too Many Requests: retry after ${retry}`;
    this.#log({ method, params: raw, ok: false, error_code: 429, description });
    return jsonResponse(429, errorBody(429, description, { retry_after: retry }), {
      "retry-after": String(retry),
    });
  }

  #untilAborted(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted || this.#closed) return resolve();
      const done = () => {
        signal.removeEventListener("abort", done);
        this.#onClose.delete(done);
        resolve();
      };
      signal.addEventListener("abort", done, { once: true });
      this.#onClose.add(done);
    });
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted || this.#closed) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.#onClose.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.#onClose.add(done);
    });
  }

  #log(call: ApiCall): void {
    if (!this.#record) return;
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
      return new Response(NOT_FOUND, { status: 404, headers: JSON_HEADERS });
    }
    if (token !== this.token) return jsonResponse(401, errorBody(401, "Unauthorized"));
    // Exact lookups only: "../" or absolute paths can never reach anything else.
    const rec = filePath.split("/").some((s) => s === ".." || s === ".")
      ? undefined
      : this.#world.files.byPath(filePath);
    if (!rec || rec.bytes.length > MAX_DOWNLOAD) {
      return new Response(NOT_FOUND, { status: 404, headers: JSON_HEADERS });
    }
    return new Response(rec.bytes.slice(), {
      status: 200,
      headers: {
        "content-type": rec.mime_type ?? "application/octet-stream",
        "content-length": String(rec.bytes.length),
        ...CORS_HEADERS,
      },
    });
  }

  async #downloadUrl(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    // Aborted on the caller's signal, or after 10 s, with a plain AbortError either way.
    const limit = timeoutSignal(10_000, () => undefined, signal);
    try {
      const res = await this.#fileUrlFetch(url, { signal: limit.signal });
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      return new Uint8Array(await res.arrayBuffer());
    } finally {
      limit.clear();
    }
  }
}
