/**
 * What carries a JSON Bot API request: the {@linkcode Transport} interface the client
 * sends through (`fetch` is one; so is `node_transport.ts`). Types only, at the bottom of
 * the import graph: the client and the transports both import it, neither the other.
 * @module
 */

/** What a {@linkcode Transport} sends: one POST with a JSON body. */
export interface TransportRequest {
  /** Always "POST". */
  method: string;
  /** The request headers (`content-type: application/json`). */
  headers: Record<string, string>;
  /** The JSON body. */
  body: string;
  /** Aborts the request (timeout, or the caller's signal); reject with its reason. */
  signal: AbortSignal;
}

/** What the client reads of an answer; a fetch `Response` is one. */
export interface TransportResponse {
  /** The HTTP status. */
  readonly status: number;
  /** The answer's headers (only `content-type` is read). */
  readonly headers: { get(name: string): string | null };
  /** The answer's body as text. */
  text(): Promise<string>;
}

/**
 * Sends one JSON Bot API request. `fetch` itself is a Transport; so is the keep-alive
 * `node:http` one the client picks under Node. A transport must never repeat a request
 * by itself: a POST the server may have executed must fail, not be sent again.
 */
export type Transport = (url: string, init: TransportRequest) => Promise<TransportResponse>;

/**
 * A {@linkcode Transport} that can also apply the timeout and the caller's signal by
 * itself (`timed`), sparing an AbortController, a timer and two listeners per request
 * (a measurable share of a busy bot's CPU under Node). The node:http transport is one.
 * `timed` rejects with `timeout()`'s result when `ms` passes before the answer's body
 * was read, and with the signal's reason on abort; `ms` 0 or Infinity: no timeout.
 */
export interface TimedTransport extends Transport {
  /** Sends like the transport, with the timeout and signal applied by the transport. */
  timed(
    url: string,
    init: Omit<TransportRequest, "signal">,
    ms: number,
    signal: AbortSignal | undefined,
    timeout: () => unknown,
  ): Promise<TransportResponse>;
}
