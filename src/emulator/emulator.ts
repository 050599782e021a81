/**
 * The Bot API emulator: a fetch-compatible handler that speaks the Telegram Bot API,
 * with an emulated world of users and chats, and a user side for tests and demos.
 * @module
 */

import type { Chat, Message, Update, User } from "./types.ts";
import type { Fault, InjectOptions } from "./faults.ts";
import type { FloodLimits } from "../flood/limits.ts";
import { FloodControl } from "./flood.ts";
import { controlApi } from "./control.ts";
import { type ApiCall, Dispatcher } from "./dispatch.ts";
import { botIdFromToken, randomToken } from "./ids.ts";
import { inProcessFetch } from "./in_process.ts";
import { METHOD_SUPPORT, type MethodSupport } from "./methods/index.ts";
import { canonicalMethod } from "./parse.ts";
import { type ChatOptions, makeChat, migrateGroup, setBlocked, setBotStatus } from "./scenario.ts";
import { listen, type ServeEngine } from "./serve.ts";
import { UpdateQueue } from "./updates.ts";
import { EmulatedUser, type UserHost } from "./user.ts";
import { WebhookDeliverer } from "./webhook.ts";
import { World } from "./world.ts";
import { timeoutSignal } from "../time/timers.ts";

export type { ApiCall } from "./dispatch.ts";
export type { ChatOptions } from "./scenario.ts";

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
  readonly calls: ApiCall[];

  readonly #world: World;
  readonly #queue: UpdateQueue;
  readonly #webhook: WebhookDeliverer;
  readonly #dispatch: Dispatcher;
  readonly #host: UserHost;
  readonly #servers = new Set<EmulatorServer>();
  readonly #onClose = new Set<() => void>();
  readonly #users = new Map<number, EmulatedUser>();
  readonly #fileUrlFetch: typeof fetch;
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
    this.#fileUrlFetch = options.fileUrlFetch ?? ((input, init) => fetch(input, init));
    this.#world = new World({
      botId,
      botFirstName: options.botName ?? "Emulated Bot",
      botUsername: options.botUsername ?? "emulated_bot",
      now: options.now ?? Date.now,
      historyLimit: options.historyLimit,
    });
    if (options.privacyMode) this.#world.capabilities.can_read_all_group_messages = false;
    this.#queue = new UpdateQueue();
    this.#webhook = this.#webhookDeliverer(options);
    this.#queue.onPush = () => this.#webhook.kick();
    const onClose = (fn: () => void) => {
      this.#onClose.add(fn);
      return () => this.#onClose.delete(fn);
    };
    this.#dispatch = this.#dispatcher(token, options, onClose);
    this.calls = this.#dispatch.calls;
    if (options.flood) this.setFloodLimits(options.flood);
    this.#host = {
      world: this.#world,
      push: this.#push,
      onClose,
      privacyMode: options.privacyMode ?? false,
      setBlocked: (userId, blocked) => setBlocked(this.#world, this.#push, userId, blocked),
    };
  }

  /** Delivers queued updates to a webhook once one is set; a reply's method call runs here. */
  #webhookDeliverer(options: EmulatorOptions): WebhookDeliverer {
    return new WebhookDeliverer(this.#queue, {
      fetch: options.webhookFetch ?? ((input, init) => fetch(input, init)),
      retryDelays: options.webhookRetryDelays ?? [500, 1000, 2000, 4000, 8000],
      timeoutMs: options.webhookTimeout ?? 10_000,
      now: () => this.#world.now(),
      execute: async (method, params) => {
        const name = canonicalMethod(method);
        if (name) await this.#dispatch.execute(name, params);
      },
    });
  }

  /** Runs Bot API calls against the world, the queue and the webhook. */
  #dispatcher(
    token: string,
    options: EmulatorOptions,
    onClose: (fn: () => void) => () => void,
  ): Dispatcher {
    return new Dispatcher({
      token,
      world: this.#world,
      services: {
        queue: this.#queue,
        webhook: this.#webhook,
        fetchFileUrl: (url, signal) => this.#downloadUrl(url, signal),
      },
      record: options.recordCalls ?? true,
      closed: () => this.#closed,
      onClose,
    });
  }

  readonly #push = (payload: Record<string, unknown>): void => {
    this.#queue.push(payload);
  };

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
    this.#dispatch.handle(req, () => req.signal);

  /**
   * A `fetch` that serves the Bot API in-process. Like fetch, it rejects with a TypeError
   * on a (injected) connection reset and with the signal's reason when aborted.
   */
  readonly fetch: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> =
    inProcessFetch((req, signalOf) => this.#dispatch.handle(req, signalOf));

  /** Serves the emulator over HTTP on 127.0.0.1 (any free port unless `port` is given). */
  async serve(options: ServeOptions = {}): Promise<EmulatorServer> {
    if (this.#closed) throw new Error("Emulator: serve() after close()");
    // The user side plugs in front of the Bot API: it answers only its own paths.
    const front = options.control === true ? controlApi(this) : undefined;
    const server = await listen(async (req, signal) => {
      const answer = front && await front(req, signal);
      return answer ?? this.#dispatch.handle(req, () => signal);
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
    const rec = makeChat(this.#world, type, title, members.map((u) => u.id), options);
    return rec.chat as unknown as Chat;
  }

  /**
   * The user blocks the bot: the bot's messages to them now fail with 403, and the bot
   * gets a my_chat_member update (status "kicked"), as in Telegram.
   */
  block(user: EmulatedUser): void {
    setBlocked(this.#world, this.#push, user.id, true);
  }

  /** The user unblocks the bot (my_chat_member back to "member"). */
  unblock(user: EmulatedUser): void {
    setBlocked(this.#world, this.#push, user.id, false);
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
    return migrateGroup(this.#world, this.#push, id).chat as unknown as Chat;
  }

  /**
   * Changes the bot's own membership in a group, supergroup or channel (e.g. an admin
   * kicks it or promotes it); queues my_chat_member as Telegram does.
   */
  setBotStatus(chat: Chat | number, status: "member" | "administrator" | "left" | "kicked"): void {
    setBotStatus(this.#world, this.#push, typeof chat === "number" ? chat : chat.id, status);
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
    this.#dispatch.faults.add(name, fault, options.times ?? 1);
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
    this.#dispatch.flood = limits === false
      ? null
      : new FloodControl(limits === true ? {} : limits);
  }

  /** Removes every injected fault not yet used. */
  clearFaults(): void {
    this.#dispatch.faults.clear();
  }

  /** The emulated user with this id, if it was created by {@linkcode Emulator.user}. */
  userById(id: number): EmulatedUser | undefined {
    return this.#users.get(id);
  }

  /** Resolves when pending webhook deliveries are done (or given up). */
  webhookIdle(): Promise<void> {
    return this.#webhook.idle();
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
