/**
 * The answer was not a Bot API answer, or none came: {@linkcode BadHTTPResponse} and
 * {@linkcode RequestTimeoutError}, and {@linkcode isReadOnlyMethod}, which says whether
 * repeating a failed call is harmless. Messages name the method, never the URL.
 * @module
 */
import { TelepotError } from "./base.ts";

/**
 * The answer was not a Bot API answer (an HTML error page from a proxy, an empty body)
 * or there was no answer at all (a network failure: then {@linkcode status} is
 * `undefined` and `cause` holds the runtime's error, with the token removed).
 *
 * {@linkcode maybeDelivered} tells whether Telegram may have executed the request
 * anyway: it is `false` only when the request surely never left (the connection was
 * refused, the host name did not resolve). For a call that changes something (not a
 * `get*` method) the message then says it may have been delivered: repeating it could,
 * for example, send a message twice.
 *
 * @example
 * ```ts
 * import { BadHTTPResponse } from "./http.ts";
 * const err = new BadHTTPResponse("getUpdates", 502, "HTTP 502, not a Bot API answer");
 * console.log(err.status, err.maybeDelivered); // 502 true
 * ```
 */
export class BadHTTPResponse extends TelepotError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "BadHTTPResponse";
  /** The Bot API method (or `downloadFile`) whose request failed. */
  declare readonly method: string;
  /** The HTTP status, `undefined` when no answer arrived. */
  declare readonly status: number | undefined;
  /** The start of the answer's body, if any (at most 512 characters, token removed). */
  declare readonly body: string | undefined;
  /**
   * Whether the request may have reached Telegram and been executed. `false` only when
   * it surely was not sent (connection refused, unknown host): then repeating it is safe.
   */
  declare readonly maybeDelivered: boolean;

  /**
   * Builds the error; the message starts with the method's name.
   *
   * @param method the Bot API method whose request failed
   * @param status the HTTP status, `undefined` for a network failure
   * @param message what went wrong (the method name is prepended)
   * @param options `cause`; `body`: the start of the answer; `maybeDelivered` (default true)
   */
  constructor(
    method: string,
    status: number | undefined,
    message: string,
    options?: { cause?: unknown; body?: string; maybeDelivered?: boolean },
  ) {
    super(
      `${method}: ${message}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.method = method;
    this.status = status;
    this.body = options?.body;
    this.maybeDelivered = options?.maybeDelivered ?? true;
  }
}

/**
 * Whether a Bot API method only reads (`getMe`, `getChat`, `getUpdates`...): repeating it
 * after an unclear failure cannot do anything twice.
 *
 * @param method a Bot API method name
 * @returns true for the `get*` methods
 * @example
 * ```ts
 * import { isReadOnlyMethod } from "./http.ts";
 * console.log(isReadOnlyMethod("getChat"), isReadOnlyMethod("sendMessage")); // true false
 * ```
 */
export function isReadOnlyMethod(method: string): boolean {
  return method.slice(0, 3).toLowerCase() === "get";
}

/** No answer arrived within the request timeout (`BotOptions.timeout`). */
export class RequestTimeoutError extends BadHTTPResponse {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "RequestTimeoutError";
}
