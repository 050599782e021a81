/**
 * The node:http adapter of {@linkcode webhookCallback}: turns Node's request and
 * response objects into a web `Request` and back. It imports nothing from Node (it
 * only uses the objects Node hands it), so it is safe to load anywhere; Bun's
 * node:http works with it too.
 * @module
 */

import type { WebhookCallback } from "./webhook.ts";

/** The parts of Node's `IncomingMessage` the adapter uses. */
export interface NodeIncomingMessage {
  /** The request method. */
  method?: string;
  /** The request target (path and query). */
  url?: string;
  /** The request headers, lower-cased. */
  headers: Record<string, string | string[] | undefined>;
  /** A chunk of the body arrived. */
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown;
  /** The body ended, or the request was closed. */
  on(event: "end" | "close", listener: () => void): unknown;
  /** The request failed. */
  on(event: "error", listener: (err: unknown) => void): unknown;
  /** Stops "data" events. */
  pause(): unknown;
  /** Restarts "data" events. */
  resume(): unknown;
}

/** The parts of Node's `ServerResponse` the adapter uses. */
export interface NodeServerResponse {
  /** Whether the head was already written. */
  headersSent?: boolean;
  /** Writes the status line and headers. */
  writeHead(status: number, headers: Record<string, string | string[]>): unknown;
  /** Writes the body (if any) and ends the response. */
  end(body?: Uint8Array): unknown;
}

/** A node:http request listener (it also returns a promise that settles when answered). */
export type NodeListener = (req: NodeIncomingMessage, res: NodeServerResponse) => Promise<void>;

/**
 * Wraps a fetch-style handler (e.g. {@linkcode webhookCallback}'s) as a node:http
 * request listener: `http.createServer(toNodeListener(cb))`. The request body is
 * streamed to the handler (so `maxBodyBytes` stops reading a too-large body).
 * Behind Express or another framework, mount it before any body parser.
 *
 * @param callback the fetch-style handler
 * @returns a `(req, res)` listener for `http.createServer` / `https.createServer`
 * @example
 * ```ts
 * import { Bot } from "../../mod.ts";
 * import { webhookCallback } from "./webhook.ts";
 * import { toNodeListener } from "./webhook_node.ts";
 *
 * const bot = new Bot("123456:TOKEN");
 * const listener = toNodeListener(webhookCallback(bot, { secretToken: "s3cret" }));
 * // import { createServer } from "node:http";
 * // createServer(listener).listen(8443);
 * ```
 */
export function toNodeListener(callback: WebhookCallback): NodeListener {
  if (typeof callback !== "function") {
    throw new TypeError("toNodeListener(): the argument must be a (Request) => Promise<Response>");
  }
  return async (req, res) => {
    let response: Response;
    try {
      response = await callback(toRequest(req));
    } catch {
      response = new Response("Internal Server Error", { status: 500 });
    }
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, key) => {
      if (key === "set-cookie") return;
      headers[key] = value;
    });
    const cookies = response.headers.getSetCookie?.() ?? [];
    if (cookies.length > 0) headers["set-cookie"] = cookies;
    let body: Uint8Array | undefined;
    if (response.body !== null) {
      body = new Uint8Array(await response.arrayBuffer());
      headers["content-length"] = String(body.byteLength);
    }
    if (res.headersSent) return;
    res.writeHead(response.status, headers);
    res.end(body);
  };
}

/** A web Request for Node's request: headers copied, body streamed on demand. */
function toRequest(req: NodeIncomingMessage): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined || key.startsWith(":")) continue;
    if (Array.isArray(value)) { for (const v of value) headers.append(key, v); }
    else headers.set(key, value);
  }
  const method = (req.method ?? "GET").toUpperCase();
  const hasBody = method !== "GET" && method !== "HEAD";
  const init: RequestInit & { duplex?: "half" } = { method, headers };
  if (hasBody) {
    init.body = bodyStream(req);
    init.duplex = "half";
  } else {
    req.resume();
  }
  return new Request(requestUrl(req), init);
}

function requestUrl(req: NodeIncomingMessage): string {
  const host = req.headers.host;
  const path = req.url ?? "/";
  if (typeof host === "string" && host !== "") {
    try {
      return new URL(path, `http://${host}`).href;
    } catch {
      // A Host header that is no host: fall back below.
    }
  }
  try {
    return new URL(path, "http://localhost").href;
  } catch {
    return "http://localhost/";
  }
}

/**
 * The request body as a ReadableStream with backpressure. Cancelling it (a
 * too-large body) stops taking data and lets Node drain the rest, so the answer
 * still reaches the client.
 */
function bodyStream(req: NodeIncomingMessage): ReadableStream<Uint8Array> {
  let open = true;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk) => {
        if (!open) return;
        controller.enqueue(new Uint8Array(chunk)); // a copy: Node may reuse its buffers
        if ((controller.desiredSize ?? 1) <= 0) req.pause();
      });
      req.on("end", () => {
        if (!open) return;
        open = false;
        controller.close();
      });
      req.on("error", (err) => {
        if (!open) return;
        open = false;
        controller.error(err);
      });
      req.on("close", () => {
        if (!open) return;
        open = false;
        controller.error(new TypeError("the client closed the connection"));
      });
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      open = false;
      req.resume();
    },
  }, { highWaterMark: 4 });
}
