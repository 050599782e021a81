/**
 * The user side over HTTP (`/_emulator/...`), for the standalone emulator: lets tools and
 * bots in other processes create users and chats, make users act, and read what the bot
 * sent. Documented in docs/emulator.md.
 * @module
 */

import type { Message } from "./types.ts";
import type { ApiCall, Emulator } from "./emulator.ts";
import type { Fault } from "./faults.ts";
import { CORS_HEADERS } from "./http.ts";
import type { EmulatedUser } from "./user.ts";

/** The path prefix of the control API. */
export const CONTROL_PREFIX = "/_emulator";

type Json = Record<string, unknown>;

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

/**
 * Answers a control-API request, or returns undefined when the path is not under
 * {@linkcode CONTROL_PREFIX}.
 */
export async function handleControl(
  emu: Emulator,
  req: Request,
  signal?: AbortSignal,
): Promise<Response | undefined> {
  const url = new URL(req.url);
  if (!url.pathname.startsWith(CONTROL_PREFIX)) return undefined;
  const parts = url.pathname.slice(CONTROL_PREFIX.length).split("/").filter(Boolean);
  try {
    return await route(emu, req, url, parts, signal);
  } catch (err) {
    if (err instanceof ControlError) return reply(err.status, { ok: false, error: err.message });
    return reply(400, { ok: false, error: err instanceof Error ? err.message : String(err) });
  }
}

function userOf(emu: Emulator, id: string): EmulatedUser {
  const user = emu.userById(Number(id));
  if (!user) throw new ControlError(404, `no emulated user ${id}`);
  return user;
}

function messageOf(emu: Emulator, chatId: number, messageId: number): Message {
  const msg = emu.message(chatId, messageId);
  if (!msg) throw new ControlError(404, `no message ${messageId} in chat ${chatId}`);
  return msg;
}

async function route(
  emu: Emulator,
  req: Request,
  url: URL,
  parts: string[],
  signal?: AbortSignal,
): Promise<Response> {
  const method = req.method;
  const q = url.searchParams;
  const ok = (result: unknown) => reply(200, { ok: true, result });
  if (method === "OPTIONS") {
    return new Response(null, {
      status: 204,
      headers: { ...CORS_HEADERS, "access-control-allow-headers": "Content-Type" },
    });
  }
  const [head, id, action] = parts;

  if (!head && method === "GET") {
    return ok({ bot: emu.bot, token: emu.token, pending_update_count: emu.pendingUpdateCount });
  }
  if (head === "users" && !id) {
    if (method !== "POST") throw new ControlError(405, "use POST to create a user");
    const b = await body(req);
    const user = emu.user(typeof b.first_name === "string" ? b.first_name : undefined, {
      lastName: typeof b.last_name === "string" ? b.last_name : undefined,
      username: typeof b.username === "string" ? b.username : undefined,
      languageCode: typeof b.language_code === "string" ? b.language_code : undefined,
    });
    return ok({ id: user.id, user: user.user, chat: user.chat });
  }
  if (head === "chats" && !id) {
    if (method !== "POST") throw new ControlError(405, "use POST to create a chat");
    const b = await body(req);
    const members = (Array.isArray(b.members) ? b.members : []).map((m) => userOf(emu, String(m)));
    const title = str(b.title, "title");
    const options = {
      username: typeof b.username === "string" ? b.username : undefined,
      botStatus: b.bot_status as "member" | "administrator" | "left" | undefined,
      forum: b.forum === true,
    };
    switch (b.type) {
      case "group":
        return ok(emu.group(title, members, options));
      case "supergroup":
        return ok(emu.supergroup(title, members, options));
      case "channel":
        return ok(emu.channel(title, { ...options, members }));
      default:
        throw new ControlError(400, 'type must be "group", "supergroup" or "channel"');
    }
  }
  if (head === "chats" && id && action === "messages" && method === "GET") {
    return ok(emu.messages(num(id, "chat id")));
  }
  if (head === "users" && id) {
    const user = userOf(emu, id);
    if (method === "GET" && action === "received") {
      return ok(user.received(optNum(q.get("chat_id"), "chat_id")));
    }
    if (method === "GET" && action === "next") {
      try {
        const msg = await user.nextMessage({
          chat: optNum(q.get("chat_id"), "chat_id"),
          timeout: optNum(q.get("timeout"), "timeout") ?? 2000,
          signal,
        });
        return ok(msg);
      } catch (err) {
        if (err instanceof Error && /sent nothing/.test(err.message)) {
          throw new ControlError(408, err.message);
        }
        throw err;
      }
    }
    if (method !== "POST") throw new ControlError(405, `use POST for ${action ?? "this"}`);
    const b = await body(req);
    const chat = optNum(b.chat_id, "chat_id");
    const replyTo = optNum(b.reply_to_message_id, "reply_to_message_id");
    switch (action) {
      case "send":
        return ok(
          await user.send(str(b.text, "text"), {
            chat,
            replyTo,
            parseMode: typeof b.parse_mode === "string" ? b.parse_mode : undefined,
          }),
        );
      case "photo":
        return ok(
          await user.sendPhoto(bytesOf(b.data_base64), {
            chat,
            replyTo,
            caption: typeof b.caption === "string" ? b.caption : undefined,
          }),
        );
      case "document":
        return ok(
          await user.sendDocument(bytesOf(b.data_base64) ?? new Uint8Array(), {
            chat,
            replyTo,
            fileName: typeof b.file_name === "string" ? b.file_name : undefined,
            mimeType: typeof b.mime_type === "string" ? b.mime_type : undefined,
            caption: typeof b.caption === "string" ? b.caption : undefined,
          }),
        );
      case "location":
        return ok(
          await user.sendLocation(num(b.latitude, "latitude"), num(b.longitude, "longitude"), {
            chat,
            replyTo,
          }),
        );
      case "press": {
        const chatId = chat ?? user.id;
        const msg = messageOf(emu, chatId, num(b.message_id, "message_id"));
        return ok(await user.pressButton(msg, str(b.data, "data")));
      }
      case "inline":
        return ok(
          await user.inlineQuery(str(b.query, "query"), {
            offset: typeof b.offset === "string" ? b.offset : undefined,
          }),
        );
      case "choose":
        return ok(
          await user.chooseInlineResult(
            str(b.inline_query_id, "inline_query_id"),
            str(b.result_id, "result_id"),
            {
              chat,
            },
          ),
        );
      case "pay": {
        const msg = messageOf(emu, chat ?? user.id, num(b.message_id, "message_id"));
        try {
          return ok(await user.pay(msg, { timeout: optNum(b.timeout, "timeout") }));
        } catch (err) {
          throw new ControlError(409, err instanceof Error ? err.message : String(err));
        }
      }
      case "join":
        return ok(await user.join(num(b.chat_id, "chat_id")) ?? null);
      case "leave":
        return ok(await user.leave(num(b.chat_id, "chat_id")) ?? null);
      case "edit": {
        const msg = messageOf(emu, chat ?? user.id, num(b.message_id, "message_id"));
        return ok(await user.edit(msg, str(b.text, "text")));
      }
      case "block":
        emu.block(user);
        return ok(true);
      case "unblock":
        emu.unblock(user);
        return ok(true);
      default:
        throw new ControlError(404, `unknown user action "${action}"`);
    }
  }
  if (head === "callback-answers" && id && method === "GET") {
    return ok(emu.callbackAnswer(id) ?? null);
  }
  if (head === "inline-answers" && id && method === "GET") return ok(emu.inlineAnswer(id) ?? null);
  if (head === "calls" && method === "GET") {
    const since = optNum(q.get("since"), "since") ?? 0;
    return ok(emu.calls.slice(since) as ApiCall[]);
  }
  if (head === "calls" && method === "DELETE") {
    emu.clearCalls();
    return ok(true);
  }
  if (head === "updates" && method === "POST") return ok(emu.pushUpdate(await body(req)));
  if (head === "faults" && method === "POST") {
    const b = await body(req);
    emu.inject(str(b.method, "method"), b.fault as Fault, { times: optNum(b.times, "times") ?? 1 });
    return ok(true);
  }
  if (head === "faults" && method === "DELETE") {
    emu.clearFaults();
    return ok(true);
  }
  throw new ControlError(404, `no control route ${method} ${url.pathname}`);
}
