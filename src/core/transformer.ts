/**
 * The shape of a Bot API call as the hooks around it see it: {@linkcode ApiCaller} (what
 * performs a call) and {@linkcode Transformer} (what wraps one). The client, the Bot and
 * every transformer (retry, throttling, the webhook's answer) share these types.
 * @module
 */

/** Options of one call. */
export interface CallOptions {
  /** Aborts the request; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** A function that performs a Bot API call: the shape transformers wrap. */
export type ApiCaller = (
  method: string,
  params: Record<string, unknown>,
  options: CallOptions,
) => Promise<unknown>;

/**
 * A hook around every outgoing Bot API call: it gets the next caller in the chain and
 * the call, and returns (a promise of) the result. Retry, throttling and logging are
 * transformers; see `Bot.use`.
 *
 * @example
 * ```ts
 * import type { Transformer } from "./transformer.ts";
 * const log: Transformer = async (next, method, params, options) => {
 *   const started = Date.now();
 *   try {
 *     return await next(method, params, options);
 *   } finally {
 *     console.log(method, Date.now() - started, "ms");
 *   }
 * };
 * ```
 */
export type Transformer = (
  next: ApiCaller,
  method: string,
  params: Record<string, unknown>,
  options: CallOptions,
) => Promise<unknown>;
