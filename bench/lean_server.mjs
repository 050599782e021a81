// @ts-check
/**
 * The lean bench server: a minimal Bot API stand-in for the echo bots, on Node, in its
 * own process: HTTP/1.1 keep-alive parsed by hand on `node:net` (every bot here sends
 * JSON string bodies with a content-length), so that the server's CPU per request is a
 * small fraction of the bot's and the ratios between bots are not squeezed by the
 * emulator (bench/server.ts costs 136-186 µs of server CPU per update).
 *
 * It knows getUpdates (offset, limit, long-poll timeout) and sendMessage; getMe,
 * getWebhookInfo, deleteWebhook and any other method get a canned answer. Nothing is
 * validated: updates are serialised once at the start, answers are assembled from
 * pre-serialised pieces. The referee (bench/referee.mjs) checks every sendMessage: chat
 * `chat_id` must get "1", "2", ... in order; lost, duplicated and reordered replies are
 * counted as with the emulator server.
 *
 * Same command line and JSON-lines protocol on stdout as bench/server.ts (ready, start,
 * done), so bench/harness.ts runs either:
 *
 *   node bench/lean_server.mjs --chats 1000 --updates 20000 [--mode queued|bursts]
 *        [--burst 1000 --every 50] [--delay 20] [--cap 60000] [--port 0]
 * @module
 */
import { Buffer } from "node:buffer";
import net from "node:net";
import process from "node:process";
import { emit, parseServerArgs, prng, Referee, startRun } from "./referee.mjs";

/** Chat ids of the workload: FIRST_CHAT + chat index (private chats: the user's id). */
export const FIRST_CHAT = 7_000_000;
const TOKEN = "123456:LEAN-bench-token";
const DATE = 1_700_000_000;
const BOT_USER = `{"id":123456,"is_bot":true,"first_name":"Lean","username":"lean_bot",` +
  `"can_join_groups":true,"can_read_all_group_messages":false,"supports_inline_queries":false}`;

/**
 * Update `id` (1-based): the `n`-th message of chat index `c`, serialised.
 * @param {number} id @param {number} c @param {number} n
 */
export function updateJson(id, c, n) {
  const chat = FIRST_CHAT + c;
  return `{"update_id":${id},"message":{"message_id":${id},"from":{"id":${chat},` +
    `"is_bot":false,"first_name":"U${c}"},"chat":{"id":${chat},"first_name":"U${c}",` +
    `"type":"private"},"date":${DATE},"text":"${n}"}}`;
}

const TRUE = '{"ok":true,"result":true}';
const EMPTY = '{"ok":true,"result":[]}';
/** @type {Record<string, string>} */
const CANNED = {
  getMe: `{"ok":true,"result":${BOT_USER}}`,
  getWebhookInfo: '{"ok":true,"result":{"url":"","has_custom_certificate":false,' +
    '"pending_update_count":0}}',
};
const LENGTH = /\r\ncontent-length:\s*(\d+)/i;

/**
 * Serves HTTP/1.1 keep-alive requests on one socket, one at a time: the request line's
 * last path segment is the method, the body is read by content-length; each answer goes
 * out in one write. `handle` answers at once (a string) or later (a promise).
 * @param {net.Socket} socket
 * @param {(method: string, body: string) => string | Promise<string>} handle
 */
function serve(socket, handle) {
  /** @type {Buffer | null} */
  let pending = null;
  let busy = false;
  /** @param {string} text */
  const respond = (text) => {
    socket.write(
      `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${
        Buffer.byteLength(text)
      }\r\nconnection: keep-alive\r\n\r\n${text}`,
    );
  };
  const drain = () => {
    while (!busy && pending !== null) {
      const head = pending.indexOf("\r\n\r\n");
      if (head < 0) return;
      const headText = pending.toString("latin1", 0, head);
      const length = Number(LENGTH.exec(headText)?.[1] ?? 0);
      const end = head + 4 + length;
      if (pending.length < end) return;
      const body = length ? pending.toString("utf8", head + 4, end) : "";
      pending = pending.length === end ? null : pending.subarray(end);
      const target = headText.slice(headText.indexOf(" ") + 1, headText.indexOf(" HTTP/"));
      const query = target.indexOf("?");
      const method = target.slice(
        target.lastIndexOf("/", query < 0 ? undefined : query) + 1,
        query < 0 ? undefined : query,
      );
      const answer = handle(method, body);
      if (typeof answer === "string") respond(answer);
      else {
        busy = true;
        answer.then((text) => {
          busy = false;
          if (!socket.destroyed) respond(text);
          drain();
        });
      }
    }
  };
  socket.setNoDelay(true);
  socket.on("data", (chunk) => {
    pending = pending === null ? chunk : Buffer.concat([pending, chunk]);
    drain();
  });
  socket.on("error", () => {});
}

async function main() {
  const args = parseServerArgs(process.argv.slice(2));
  const referee = new Referee(args.chats);
  const random = prng(args.seed);
  const counts = new Int32Array(args.chats);
  /** @type {string[]} */
  const updates = new Array(args.updates);
  const chatOf = new Int32Array(args.updates);
  const numberOf = new Int32Array(args.updates);
  for (let i = 0; i < args.updates; i++) {
    const c = Math.floor(random() * args.chats);
    const n = ++counts[c];
    chatOf[i] = c;
    numberOf[i] = n;
    updates[i] = updateJson(i + 1, c, n);
  }
  // A sendMessage answer's tail per chat: `,"from":...,"chat":{...},"date":...,"text":`.
  const chatTail = Array.from(
    { length: args.chats },
    (_, c) =>
      `,"from":${BOT_USER},"chat":{"id":${FIRST_CHAT + c},"first_name":"U${c}",` +
      `"type":"private"},"date":${DATE},"text":`,
  );

  let available = 0; // updates [0, available) can be fetched
  let confirmed = 0; // updates [0, confirmed) were confirmed by an offset
  let messageId = 0;
  /** @type {(() => void)[]} */
  let waiters = [];
  /** @param {number} upTo */
  const push = (upTo) => {
    const now = performance.now();
    for (; available < upTo; available++) {
      referee.offered(chatOf[available], numberOf[available], now);
    }
    const woken = waiters;
    waiters = [];
    for (const wake of woken) wake();
  };
  if (args.mode === "queued") push(args.updates);

  let start = 0;
  let finished = false;
  /** @type {{ start: number, stop(): void } | undefined} */
  let run;
  /** @type {(capped: boolean) => void} */
  let finish = () => {};
  /** @type {Promise<boolean>} */
  const done = new Promise((resolve) => (finish = resolve));
  const begin = () => {
    run = startRun(args, referee, push, () => available, finish);
    start = run.start;
  };

  /**
   * The next batch after `offset` (which confirms the ones before it); null: none yet.
   * @param {number} offset @param {number} limit
   */
  const batch = (offset, limit) => {
    if (offset > confirmed + 1) confirmed = Math.min(offset - 1, available);
    const end = Math.min(available, confirmed + limit);
    return confirmed >= end
      ? null
      : `{"ok":true,"result":[${updates.slice(confirmed, end).join(",")}]}`;
  };

  /**
   * @param {Record<string, unknown>} params
   * @returns {string | Promise<string>}
   */
  const getUpdates = (params) => {
    if (start === 0 && !finished) begin();
    const offset = typeof params.offset === "number" ? params.offset : 0;
    const limit = typeof params.limit === "number" && params.limit > 0
      ? Math.min(100, params.limit)
      : 100;
    const answer = batch(offset, limit);
    const seconds = typeof params.timeout === "number" ? params.timeout : 0;
    if (answer !== null || seconds <= 0 || finished) return answer ?? EMPTY;
    // Long poll: until more updates arrive or the timeout passes.
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(batch(offset, limit) ?? EMPTY);
      };
      const timer = setTimeout(wake, seconds * 1000);
      waiters.push(wake);
    });
  };

  /** @param {Record<string, unknown>} params */
  const sendMessage = (params) => {
    const c = Number(params.chat_id) - FIRST_CHAT;
    const text = typeof params.text === "string" ? params.text : undefined;
    if (Number.isInteger(c) && c >= 0 && c < args.chats) {
      referee.reply(c, text, performance.now());
      if (referee.unique >= args.updates) finish(false);
    } else {
      referee.replies++;
      referee.unexpected++;
    }
    return `{"ok":true,"result":{"message_id":${++messageId}${chatTail[c] ?? chatTail[0]}${
      JSON.stringify(text ?? "")
    }}}`;
  };

  let requests = 0;
  /**
   * @param {string} method @param {string} body
   * @returns {string | Promise<string>}
   */
  const answer = (method, body) => {
    if (start !== 0) requests++;
    try {
      const params = body === "" ? {} : JSON.parse(body);
      if (method === "getUpdates") return getUpdates(params);
      if (method === "sendMessage") return sendMessage(params);
      return CANNED[method] ?? TRUE;
    } catch (err) {
      return JSON.stringify({ ok: false, error_code: 400, description: String(err) });
    }
  };

  const delay = args.delay;
  /** @type {(method: string, body: string) => string | Promise<string>} */
  const handle = delay > 0
    ? async (method, body) => {
      const text = await answer(method, body);
      await new Promise((resolve) => setTimeout(resolve, delay));
      return text;
    }
    : answer;
  /** @type {Set<net.Socket>} */
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serve(socket, handle);
  });
  await new Promise((resolve) => server.listen(args.port, "127.0.0.1", () => resolve(null)));
  const address = /** @type {net.AddressInfo} */ (server.address());
  emit({ event: "ready", apiRoot: `http://127.0.0.1:${address.port}`, token: TOKEN });
  const capped = await done;
  finished = true;
  run?.stop();
  emit({ event: "done", ...referee.stats(start, capped), requests });
  for (const wake of waiters) wake();
  server.close();
  for (const socket of sockets) socket.destroy();
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  await main();
}
