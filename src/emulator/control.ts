/**
 * The user side over HTTP (`/_emulator/...`), for the standalone emulator: lets tools and
 * bots in other processes create users and chats, make users act, and read what the bot
 * sent. Documented in docs/emulator.md. A table of routes (method + path pattern ->
 * handler) over the emulator's public methods; it knows the emulator only through
 * {@linkcode ControlHost}, and plugs into `serve()` in front of the Bot API.
 * @module
 */

import type { Chat, Message, Update, User } from "./types.ts";
import type { ApiCall } from "./dispatch.ts";
import type { Fault, InjectOptions } from "./faults.ts";
import { CORS_HEADERS } from "./http.ts";
import type { ChatOptions } from "./scenario.ts";
import type { EmulatedUser } from "./user.ts";

/** The path prefix of the control API. */
export const CONTROL_PREFIX = "/_emulator";

type Json = Record<string, unknown>;

/** The emulator as the control API sees it: its public user side. */
export interface ControlHost {
  readonly bot: User;
  readonly token: string;
  readonly pendingUpdateCount: number;
  readonly calls: readonly ApiCall[];
  user(
    firstName?: string,
    options?: { lastName?: string; username?: string; languageCode?: string },
  ): EmulatedUser;
  userById(id: number): EmulatedUser | undefined;
  group(title: string, members?: readonly EmulatedUser[], options?: ChatOptions): Chat;
  supergroup(title: string, members?: readonly EmulatedUser[], options?: ChatOptions): Chat;
  channel(title: string, options?: ChatOptions & { members?: readonly EmulatedUser[] }): Chat;
  messages(chatId: number): Message[];
  message(chatId: number, messageId: number): Message | undefined;
  callbackAnswer(queryId: string): Record<string, unknown> | undefined;
  inlineAnswer(queryId: string): Record<string, unknown> | undefined;
  clearCalls(): void;
  pushUpdate(update: Record<string, unknown>): Update;
  inject(method: string, fault: Fault, options?: InjectOptions): void;
  clearFaults(): void;
  block(user: EmulatedUser): void;
  unblock(user: EmulatedUser): void;
}

/** Answers a request under {@linkcode CONTROL_PREFIX}, or undefined for any other path. */
export type ControlApi = (req: Request, signal?: AbortSignal) => Promise<Response | undefined>;

class ControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function reply(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body, fileReplacer), {
    status,
    headers: { "content-type": "application/json", ...CORS_HEADERS },
  });
}

function fileReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Blob) {
    return {
      file: value instanceof File ? value.name : "blob",
      size: value.size,
      type: value.type,
    };
  }
  return value;
}

async function body(req: Request): Promise<Json> {
  if (req.method === "GET" || req.method === "HEAD") return {};
  const text = await req.text();
  if (text.trim() === "") return {};
  try {
    const value = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Json;
  } catch { /* fall through */ }
  throw new ControlError(400, "the body must be a JSON object");
}

function num(v: unknown, name: string): number {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  if (typeof n !== "number" || !Number.isFinite(n)) {
    throw new ControlError(400, `${name} must be a number`);
  }
  return n;
}

function optNum(v: unknown, name: string): number | undefined {
  return v === undefined || v === null || v === "" ? undefined : num(v, name);
}

function str(v: unknown, name: string): string {
  if (typeof v !== "string") throw new ControlError(400, `${name} must be a string`);
  return v;
}

function bytesOf(v: unknown): Uint8Array<ArrayBuffer> | undefined {
  if (v === undefined) return undefined;
  try {
    return Uint8Array.from(atob(str(v, "data_base64")), (c) => c.charCodeAt(0));
  } catch (err) {
    if (err instanceof ControlError) throw err;
    throw new ControlError(400, "data_base64 must be base64");
  }
}

/** What a route's handler gets. */
interface RouteCtx {
  readonly host: ControlHost;
  readonly req: Request;
  /** The `:name` segments of the path. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly signal?: AbortSignal;
}

/** One route: a method, a path pattern under the prefix ("users/:id/send"), a handler. */
interface Route {
  readonly method: string;
  readonly segments: readonly string[];
  readonly run: (c: RouteCtx) => unknown;
}

function route(method: string, pattern: string, run: (c: RouteCtx) => unknown): Route {
  return { method, segments: pattern.split("/").filter(Boolean), run };
}

/** The `:name` values when `parts` fit the route's pattern, else undefined. */
function match(r: Route, parts: readonly string[]): Record<string, string> | undefined {
  if (r.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = r.segments[i];
    if (seg.startsWith(":")) params[seg.slice(1)] = parts[i];
    else if (seg !== parts[i]) return undefined;
  }
  return params;
}

function userOf(host: ControlHost, id: string): EmulatedUser {
  const user = host.userById(Number(id));
  if (!user) throw new ControlError(404, `no emulated user ${id}`);
  return user;
}

function messageOf(host: ControlHost, chatId: number, messageId: number): Message {
  const msg = host.message(chatId, messageId);
  if (!msg) throw new ControlError(404, `no message ${messageId} in chat ${chatId}`);
  return msg;
}

function optStr(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** What a user action gets: the user, the JSON body, and its chat_id and reply_to_message_id. */
interface Act {
  readonly user: EmulatedUser;
  readonly b: Json;
  readonly chat?: number;
  readonly replyTo?: number;
  readonly host: ControlHost;
}

/** `POST users/:id/<action>`: resolves the user, then reads the body. */
function act(action: string, run: (a: Act) => unknown): Route {
  return route("POST", `users/:id/${action}`, async (c) => {
    const user = userOf(c.host, c.params.id);
    const b = await body(c.req);
    const chat = optNum(b.chat_id, "chat_id");
    const replyTo = optNum(b.reply_to_message_id, "reply_to_message_id");
    return await run({ user, b, chat, replyTo, host: c.host });
  });
}

/** The message a user action names by message_id (in chat_id, default the private chat). */
function targetOf(a: Act): Message {
  return messageOf(a.host, a.chat ?? a.user.id, num(a.b.message_id, "message_id"));
}

async function createChat(c: RouteCtx): Promise<Chat> {
  const b = await body(c.req);
  const members = (Array.isArray(b.members) ? b.members : []).map((m) => userOf(c.host, String(m)));
  const title = str(b.title, "title");
  const options = {
    username: optStr(b.username),
    botStatus: b.bot_status as "member" | "administrator" | "left" | undefined,
    forum: b.forum === true,
  };
  switch (b.type) {
    case "group":
      return c.host.group(title, members, options);
    case "supergroup":
      return c.host.supergroup(title, members, options);
    case "channel":
      return c.host.channel(title, { ...options, members });
    default:
      throw new ControlError(400, 'type must be "group", "supergroup" or "channel"');
  }
}

async function nextMessage(c: RouteCtx): Promise<Message> {
  try {
    return await userOf(c.host, c.params.id).nextMessage({
      chat: optNum(c.query.get("chat_id"), "chat_id"),
      timeout: optNum(c.query.get("timeout"), "timeout") ?? 2000,
      signal: c.signal,
    });
  } catch (err) {
    if (err instanceof Error && /sent nothing/.test(err.message)) {
      throw new ControlError(408, err.message);
    }
    throw err;
  }
}

async function pay(a: Act): Promise<Message> {
  const msg = targetOf(a);
  try {
    return await a.user.pay(msg, { timeout: optNum(a.b.timeout, "timeout") });
  } catch (err) {
    throw new ControlError(409, err instanceof Error ? err.message : String(err));
  }
}

/** What users do: `POST /_emulator/users/{id}/<action>`. */
const USER_ACTIONS: readonly Route[] = [
  act("send", (a) =>
    a.user.send(str(a.b.text, "text"), {
      chat: a.chat,
      replyTo: a.replyTo,
      parseMode: optStr(a.b.parse_mode),
    })),
  act("photo", (a) =>
    a.user.sendPhoto(bytesOf(a.b.data_base64), {
      chat: a.chat,
      replyTo: a.replyTo,
      caption: optStr(a.b.caption),
    })),
  act("document", (a) =>
    a.user.sendDocument(bytesOf(a.b.data_base64) ?? new Uint8Array(), {
      chat: a.chat,
      replyTo: a.replyTo,
      fileName: optStr(a.b.file_name),
      mimeType: optStr(a.b.mime_type),
      caption: optStr(a.b.caption),
    })),
  act(
    "location",
    (a) =>
      a.user.sendLocation(num(a.b.latitude, "latitude"), num(a.b.longitude, "longitude"), {
        chat: a.chat,
        replyTo: a.replyTo,
      }),
  ),
  act("press", (a) => a.user.pressButton(targetOf(a), str(a.b.data, "data"))),
  act("inline", (a) => a.user.inlineQuery(str(a.b.query, "query"), { offset: optStr(a.b.offset) })),
  act("choose", (a) =>
    a.user.chooseInlineResult(
      str(a.b.inline_query_id, "inline_query_id"),
      str(a.b.result_id, "result_id"),
      { chat: a.chat },
    )),
  act("pay", pay),
  act("join", async (a) => await a.user.join(num(a.b.chat_id, "chat_id")) ?? null),
  act("leave", async (a) => await a.user.leave(num(a.b.chat_id, "chat_id")) ?? null),
  act("edit", (a) => a.user.edit(targetOf(a), str(a.b.text, "text"))),
  act("block", (a) => (a.host.block(a.user), true)),
  act("unblock", (a) => (a.host.unblock(a.user), true)),
];

/** Every route of the control API (docs/emulator.md lists them). */
const ROUTES: readonly Route[] = [
  route("GET", "", ({ host }) => ({
    bot: host.bot,
    token: host.token,
    pending_update_count: host.pendingUpdateCount,
  })),
  route("POST", "users", async ({ host, req }) => {
    const b = await body(req);
    const user = host.user(optStr(b.first_name), {
      lastName: optStr(b.last_name),
      username: optStr(b.username),
      languageCode: optStr(b.language_code),
    });
    return { id: user.id, user: user.user, chat: user.chat };
  }),
  route("POST", "chats", createChat),
  route("GET", "chats/:id/messages", (c) => c.host.messages(num(c.params.id, "chat id"))),
  route(
    "GET",
    "users/:id/received",
    (c) => userOf(c.host, c.params.id).received(optNum(c.query.get("chat_id"), "chat_id")),
  ),
  route("GET", "users/:id/next", nextMessage),
  ...USER_ACTIONS,
  route("GET", "callback-answers/:id", (c) => c.host.callbackAnswer(c.params.id) ?? null),
  route("GET", "inline-answers/:id", (c) => c.host.inlineAnswer(c.params.id) ?? null),
  route("GET", "calls", (c) => c.host.calls.slice(optNum(c.query.get("since"), "since") ?? 0)),
  route("DELETE", "calls", (c) => (c.host.clearCalls(), true)),
  route("POST", "updates", async (c) => c.host.pushUpdate(await body(c.req))),
  route("POST", "faults", async (c) => {
    const b = await body(c.req);
    c.host.inject(str(b.method, "method"), b.fault as Fault, {
      times: optNum(b.times, "times") ?? 1,
    });
    return true;
  }),
  route("DELETE", "faults", (c) => (c.host.clearFaults(), true)),
];

/** Finds the route of a request: 404 when no pattern fits, 405 when only the method does not. */
function find(method: string, parts: readonly string[]) {
  let allowed: string[] | undefined;
  for (const r of ROUTES) {
    const params = match(r, parts);
    if (!params) continue;
    if (r.method === method) return { route: r, params };
    (allowed ??= []).push(r.method);
  }
  const path = `${CONTROL_PREFIX}/${parts.join("/")}`;
  if (allowed) throw new ControlError(405, `use ${allowed.join(" or ")} for ${path}`);
  throw new ControlError(404, `no control route ${method} ${path}`);
}

/**
 * The control API of an emulator: a handler that answers requests under
 * {@linkcode CONTROL_PREFIX} and returns undefined for any other path, so that `serve()`
 * can put it in front of the Bot API.
 */
export function controlApi(host: ControlHost): ControlApi {
  return async (req, signal) => {
    // A cheap test first: most requests are Bot API calls.
    if (!req.url.includes(CONTROL_PREFIX)) return undefined;
    const url = new URL(req.url);
    if (!url.pathname.startsWith(CONTROL_PREFIX)) return undefined;
    if (req.method === "OPTIONS") {
      return new Response(null, {
        status: 204,
        headers: { ...CORS_HEADERS, "access-control-allow-headers": "Content-Type" },
      });
    }
    const parts = url.pathname.slice(CONTROL_PREFIX.length).split("/").filter(Boolean);
    try {
      const found = find(req.method, parts);
      const result = await found.route.run({
        host,
        req,
        params: found.params,
        query: url.searchParams,
        signal,
      });
      return reply(200, { ok: true, result });
    } catch (err) {
      if (err instanceof ControlError) return reply(err.status, { ok: false, error: err.message });
      return reply(400, { ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  };
}
