/**
 * Serving the Bot API in-process: a `fetch` that hands each request straight to the
 * emulator, with fetch's own behaviour on aborts and dropped connections.
 * @module
 */

import { markInMemory } from "./parse.ts";
import { ConnectionReset } from "./serve.ts";

/** Answers one request; `signalOf` gives its signal when needed. */
export type RequestHandler = (req: Request, signalOf: () => AbortSignal) => Promise<Response>;

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

/**
 * A `fetch` served by `handle`. Like fetch, it rejects with a TypeError on a (injected)
 * connection reset and with the signal's reason when aborted.
 */
export function inProcessFetch(
  handle: RequestHandler,
): (input: RequestInfo | URL, init?: RequestInit) => Promise<Response> {
  return (input, init) => {
    let req: Request;
    try {
      req = new Request(input, adoptSignal(init));
    } catch (err) {
      return Promise.reject(err);
    }
    if (bodyInMemory(input, init)) markInMemory(req);
    const signal = req.signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    const answer = handle(req, () => signal);
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
}
