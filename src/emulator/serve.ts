/**
 * Runtime adapter: serves a `(Request, AbortSignal) => Promise<Response>` handler on
 * 127.0.0.1 with Deno.serve under Deno, or node:http under Node and Bun (imported lazily,
 * so nothing here touches a runtime API until `listen()` runs).
 * @module
 */
import { concatBytes } from "../files/bytes.ts";

/** Thrown by a handler to drop the connection instead of answering (a "reset" fault). */
export class ConnectionReset extends TypeError {
  override name = "TypeError";
  constructor(message = "connection reset") {
    super(message);
  }
}

/** Which HTTP server implementation to use. */
export type ServeEngine = "deno" | "node";

/** Options of {@linkcode listen}. */
export interface ListenOptions {
  /** TCP port; 0 or absent picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  hostname?: string;
  /** Default: "deno" under Deno, "node" elsewhere. */
  engine?: ServeEngine;
}

/** A running server. */
export interface Listening {
  readonly hostname: string;
  readonly port: number;
  /** Stops accepting, aborts in-flight requests' signals and closes every connection. */
  close(): Promise<void>;
}

/** The handler a server runs: `signal` aborts when the client goes away or the server closes. */
export type ServeHandler = (req: Request, signal: AbortSignal) => Promise<Response>;

interface DenoServer {
  addr: { port: number };
  shutdown(): Promise<void>;
}
interface DenoLike {
  serve(
    options: {
      port: number;
      hostname: string;
      onListen?: () => void;
      onError?: (e: unknown) => Response;
    },
    handler: (req: Request) => Promise<Response>,
  ): DenoServer;
}

/** The engine used when none is asked for. */
export function defaultEngine(): ServeEngine {
  const deno = (globalThis as { Deno?: Partial<DenoLike> }).Deno;
  return typeof deno?.serve === "function" ? "deno" : "node";
}

/** Serves `handler` until `close()`. */
export function listen(handler: ServeHandler, options: ListenOptions = {}): Promise<Listening> {
  const engine = options.engine ?? defaultEngine();
  return engine === "deno" ? listenDeno(handler, options) : listenNode(handler, options);
}

function brokenBody(): Response {
  // Headers go out, then the body fails: the closest Deno.serve comes to a reset.
  const body = new ReadableStream({
    pull() {
      return Promise.reject(new ConnectionReset());
    },
  });
  return new Response(body, { status: 200 });
}

function listenDeno(handler: ServeHandler, options: ListenOptions): Promise<Listening> {
  const deno = (globalThis as unknown as { Deno: DenoLike }).Deno;
  const hostname = options.hostname ?? "127.0.0.1";
  const closing = new AbortController();
  const server = deno.serve(
    {
      port: options.port ?? 0,
      hostname,
      onListen() {},
      onError: () => new Response("Internal Server Error", { status: 500 }),
    },
    async (req) => {
      // Deno.serve's req.signal also fires after every successful answer (and warns when
      // read), so only the server's own closing signal ends pending requests here.
      try {
        return await handler(req, closing.signal);
      } catch (err) {
        if (err instanceof ConnectionReset) return brokenBody();
        return new Response("Internal Server Error", { status: 500 });
      }
    },
  );
  let closed: Promise<void> | undefined;
  return Promise.resolve({
    hostname,
    port: server.addr.port,
    close() {
      closing.abort();
      closed ??= server.shutdown();
      return closed;
    },
  });
}

interface NodeSocket {
  destroy(): void;
  on(event: string, fn: () => void): void;
}
interface NodeReq extends AsyncIterable<Uint8Array> {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  socket: NodeSocket;
}
interface NodeRes {
  writableFinished: boolean;
  on(event: string, fn: () => void): void;
  writeHead(status: number, headers: Record<string, string | number>): void;
  end(body?: Uint8Array): void;
}
interface NodeServer {
  on(event: "connection", fn: (s: NodeSocket) => void): void;
  listen(port: number, host: string, cb: () => void): void;
  address(): { port: number } | string | null;
  close(cb?: () => void): void;
  once(event: "error", fn: (e: unknown) => void): void;
}

async function listenNode(handler: ServeHandler, options: ListenOptions): Promise<Listening> {
  const http = await import("node:http") as unknown as {
    createServer(fn: (req: NodeReq, res: NodeRes) => void): NodeServer;
  };
  const hostname = options.hostname ?? "127.0.0.1";
  const closing = new AbortController();
  let port = 0;
  const origin = () => `http://${hostname}:${port}`;
  const server = http.createServer((req, res) => {
    void serveNode(req, res, handler, closing.signal, origin);
  });
  const sockets = trackSockets(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, hostname, () => resolve());
  });
  const addr = server.address();
  port = typeof addr === "object" && addr ? addr.port : 0;
  let closed: Promise<void> | undefined;
  return {
    hostname,
    port,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}

/** The open connections of `server`, so that closing it can cut them. */
function trackSockets(server: NodeServer): Set<NodeSocket> {
  const sockets = new Set<NodeSocket>();
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return sockets;
}

/**
 * Answers one node:http request with `handler`. Its signal aborts when the client goes
 * away before the answer is written or when the server closes (`closing`).
 */
async function serveNode(
  req: NodeReq,
  res: NodeRes,
  handler: ServeHandler,
  closing: AbortSignal,
  origin: () => string,
): Promise<void> {
  const gone = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) gone.abort();
  });
  const signal = AbortSignal.any([gone.signal, closing]);
  let response: Response;
  try {
    response = await handler(await toRequest(req, origin, signal), signal);
  } catch (err) {
    if (err instanceof ConnectionReset) {
      req.socket.destroy();
      return;
    }
    response = new Response("Internal Server Error", { status: 500 });
  }
  await writeResponse(res, response);
}

/** Reads the whole body of a node:http request and makes a fetch Request of it. */
async function toRequest(req: NodeReq, origin: () => string, signal: AbortSignal) {
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (typeof v === "string") headers.set(k, v);
    else if (Array.isArray(v)) { for (const one of v) headers.append(k, one); }
  }
  const method = req.method ?? "GET";
  const body = method === "GET" || method === "HEAD" ? undefined : concatBytes(chunks);
  return new Request(`${origin()}${req.url ?? "/"}`, {
    method,
    headers,
    body,
    signal,
  });
}

/** Writes a fetch Response to a node:http response, with its length. */
async function writeResponse(res: NodeRes, response: Response): Promise<void> {
  const bytes = new Uint8Array(await response.arrayBuffer());
  const out: Record<string, string | number> = {};
  response.headers.forEach((v, k) => {
    out[k] = v;
  });
  out["content-length"] = bytes.length;
  res.writeHead(response.status, out);
  res.end(bytes);
}
