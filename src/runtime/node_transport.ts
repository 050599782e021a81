/**
 * The Node transport: JSON Bot API calls over `node:http`/`node:https` with a keep-alive
 * agent. On Node 20 the global `fetch` costs several times the CPU per request, which
 * caps a busy bot; this is what the client picks under Node (loaded lazily by
 * `src/core/client.ts`, so the core's import graph stays free of `node:*`).
 *
 * It never repeats a request: when a kept-alive connection breaks after a request went
 * out, the call fails (the client then says it may have been delivered). It refuses to
 * run under Deno, whose `node:http` re-sends a destroyed keep-alive request (a POST the
 * server executed could run twice); Deno uses `fetch`.
 * @module
 */
import { Buffer } from "node:buffer";
import * as http from "node:http";
import * as https from "node:https";
import type { TimedTransport, TransportResponse } from "./transport.ts";
import { startTimer } from "../time/timers.ts";

/** Options of {@linkcode nodeTransport}. */
export interface NodeTransportOptions {
  /** Most open connections per host (default 256); further requests wait for a free one. */
  maxSockets?: number;
  /** Milliseconds an idle kept-alive connection stays open (default 4000). */
  idleTimeout?: number;
}

interface Agents {
  http: http.Agent;
  https: https.Agent;
}

let shared: Agents | undefined;

function agents(options: NodeTransportOptions): Agents {
  const config = {
    keepAlive: true,
    maxSockets: options.maxSockets ?? 256,
    // Idle connections are closed by us before a server's keep-alive timeout races a
    // reuse (then a request could be written into a closing connection).
    timeout: options.idleTimeout ?? 4000,
    scheduling: "lifo" as const,
  };
  return { http: new http.Agent(config), https: new https.Agent(config) };
}

/** What `http.request` needs of a URL; parsed once per URL (a bot calls few distinct ones). */
interface Target {
  secure: boolean;
  hostname: string;
  port: string;
  path: string;
}

const targets = new Map<string, Target>();

function target(url: string): Target {
  let t = targets.get(url);
  if (t === undefined) {
    const u = new URL(url);
    t = {
      secure: u.protocol === "https:",
      // node:http wants an IPv6 literal without its brackets.
      hostname: u.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: u.port,
      path: u.pathname + u.search,
    };
    // Bounded: URLs are apiRoot + method; a flood of distinct ones just stops caching.
    if (targets.size < 512) targets.set(url, t);
  }
  return t;
}

/**
 * An answer whose body was read (or broke off, `error`): resolved once, at the end of the
 * body, so a request costs one promise instead of two and no closures; the headers are
 * wrapped only when asked for (the client reads them on error paths).
 */
class NodeAnswer implements TransportResponse {
  constructor(
    readonly status: number,
    readonly raw: http.IncomingHttpHeaders,
    readonly body: string,
    readonly error: unknown,
  ) {}

  get headers(): { get(name: string): string | null } {
    const raw = this.raw;
    return {
      get(name: string): string | null {
        const value = raw[name.toLowerCase()];
        if (value === undefined) return null;
        return Array.isArray(value) ? value.join(", ") : value;
      },
    };
  }

  text(): Promise<string> {
    return this.error === undefined ? Promise.resolve(this.body) : Promise.reject(this.error);
  }
}

/**
 * A {@linkcode Transport} on `node:http` keep-alive connections. Without options all
 * transports share one pair of agents (http and https).
 *
 * @param options `maxSockets`, `idleTimeout`
 * @returns the transport
 * @throws {TypeError} under Deno (use fetch there)
 * @example
 * ```ts ignore
 * import { Bot } from "../../mod.ts";
 * import { nodeTransport } from "./node_transport.ts";
 * const bot = new Bot("123:abc", { transport: nodeTransport({ maxSockets: 16 }) });
 * ```
 */
export function nodeTransport(options?: NodeTransportOptions): TimedTransport {
  if ((globalThis as { Deno?: unknown }).Deno !== undefined) {
    throw new TypeError(
      "nodeTransport: not under Deno (its node:http re-sends a destroyed keep-alive " +
        "request, so a POST could run twice); Deno uses fetch",
    );
  }
  const pool = options === undefined ? (shared ??= agents({})) : agents(options);
  const send = sender(pool);
  const transport = ((url, init) => send(url, init, 0, init.signal, noTimeout)) as TimedTransport;
  transport.timed = send;
  return transport;
}

const noTimeout = () => new Error("no timeout");

/**
 * One request; `ms` (0 or Infinity: none) and `signal` end it, until the answer's body
 * was read, by destroying the request: it rejects (or, once the answer's headers came,
 * its body does) with `timeout()`'s result or the signal's reason. The promise settles
 * when the body was read or broke off: a broken body gives an answer whose `text()`
 * rejects, as with fetch.
 */
function sender(pool: Agents): TimedTransport["timed"] {
  return (url, init, ms, signal, timeout) =>
    new Promise<TransportResponse>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const { secure, hostname, port, path } = target(url);
      const req = (secure ? https : http).request({
        hostname,
        port,
        path,
        method: init.method,
        headers: { ...init.headers, "content-length": Buffer.byteLength(init.body) },
        agent: secure ? pool.https : pool.http,
      });
      let res: http.IncomingMessage | undefined;
      let over = false;
      let timer: ReturnType<typeof startTimer> | undefined;
      /** Ends the request: before the answer rejects, after it yields a failing answer. */
      const fail = (reason: unknown) => {
        if (over) return;
        over = true;
        clearTimeout(timer);
        if (signal !== undefined) signal.removeEventListener("abort", onAbort);
        if (res === undefined) reject(reason);
        else resolve(new NodeAnswer(res.statusCode ?? 0, res.headers, "", reason));
      };
      const onAbort = () => {
        req.destroy();
        fail(signal!.reason);
      };
      if (signal !== undefined) signal.addEventListener("abort", onAbort, { once: true });
      if (ms > 0 && Number.isFinite(ms)) {
        timer = startTimer(() => {
          req.destroy();
          fail(timeout());
        }, ms);
      }
      req.on("error", fail);
      req.on("response", (answer: http.IncomingMessage) => {
        res = answer;
        let first: Buffer | undefined;
        let more: Buffer[] | undefined;
        answer.on("data", (chunk: Buffer) => {
          if (first === undefined) first = chunk;
          else (more ??= [first]).push(chunk);
        });
        answer.on("end", () => {
          if (over) return;
          over = true;
          clearTimeout(timer);
          if (signal !== undefined) signal.removeEventListener("abort", onAbort);
          const body = more !== undefined
            ? Buffer.concat(more).toString("utf8")
            : first === undefined
            ? ""
            : first.toString("utf8");
          resolve(new NodeAnswer(answer.statusCode ?? 0, answer.headers, body, undefined));
        });
        // A body that breaks off destroys the answer with an error ("aborted"): no
        // separate "aborted" listener is needed.
        answer.on("error", fail);
      });
      req.end(init.body);
    });
}
