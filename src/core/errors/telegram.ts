/**
 * The error tree. Every message names the Bot API method, never the URL: the URL
 * carries the bot token.
 *
 * ```
 * TelepotError
 * ├── TelegramError              the Bot API answered ok: false
 * │   ├── UnauthorizedError        401: wrong token
 * │   ├── BotWasBlockedError       403: the user blocked the bot
 * │   ├── BotWasKickedError        403: the bot was removed from the group/channel
 * │   ├── NotEnoughRightsError     400/403: the bot lacks an administrator right
 * │   ├── ChatNotFoundError        400: unknown chat
 * │   ├── MigratedToSupergroupChatError  the group is now a supergroup (migrateToChatId)
 * │   ├── ConflictError            409: a webhook is set, or another getUpdates runs
 * │   └── TooManyRequestsError     429: flood control (retryAfter seconds)
 * └── BadHTTPResponse            not a Bot API answer: HTML error page, network failure
 *     └── RequestTimeoutError      no answer within the request timeout
 * ```
 * @module
 */
import type { ResponseParameters } from "../types.ts";

export type { ResponseParameters };

/**
 * Base class of every error this library throws on purpose.
 *
 * @example
 * ```ts
 * import { TelepotError } from "./telegram.ts";
 * try {
 *   throw new TelepotError("boom");
 * } catch (err) {
 *   if (err instanceof TelepotError) console.log(err.message);
 * }
 * ```
 */
export class TelepotError extends Error {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "TelepotError";
}

/**
 * Telegram answered `ok: false`. Subclasses name the cases bots branch on; see
 * {@linkcode telegramError} for how an answer maps to a class.
 *
 * @example
 * ```ts
 * import { TelegramError } from "./telegram.ts";
 * const err = new TelegramError("sendMessage", 400, "Bad Request: message text is empty");
 * console.log(err.errorCode, err.description); // 400 "Bad Request: message text is empty"
 * ```
 */
export class TelegramError extends TelepotError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "TelegramError";
  /** The Bot API method that failed. */
  readonly method: string;
  /** Telegram's `error_code` (mostly an HTTP status). */
  readonly errorCode: number;
  /** Telegram's `description`, e.g. "Forbidden: bot was blocked by the user". */
  readonly description: string;
  /** Telegram's `parameters`, `{}` when absent. */
  readonly parameters: ResponseParameters;

  /**
   * Builds the error; {@linkcode telegramError} picks the subclass for an answer.
   *
   * @param method the Bot API method that failed
   * @param errorCode Telegram's `error_code`
   * @param description Telegram's `description`
   * @param parameters Telegram's `parameters`
   */
  constructor(
    method: string,
    errorCode: number,
    description: string,
    parameters: ResponseParameters = {},
  ) {
    super(`${method}: ${description || "error"} (${errorCode})`);
    this.method = method;
    this.errorCode = errorCode;
    this.description = description;
    this.parameters = parameters;
  }
}

/** 401: the token is wrong or was revoked. */
export class UnauthorizedError extends TelegramError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "UnauthorizedError";
}

/** 403: the user blocked the bot (or deleted their account). */
export class BotWasBlockedError extends TelegramError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "BotWasBlockedError";
}

/** 403: the bot was removed from the group, supergroup or channel. */
export class BotWasKickedError extends TelegramError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "BotWasKickedError";
}

/** 400/403: the bot lacks an administrator right it needs for this call. */
export class NotEnoughRightsError extends TelegramError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "NotEnoughRightsError";
}

/** 400: the chat does not exist or the bot cannot see it. */
export class ChatNotFoundError extends TelegramError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "ChatNotFoundError";
}

/** 409: a webhook is set, or another getUpdates of the same bot is running. */
export class ConflictError extends TelegramError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "ConflictError";
}

/** The group was upgraded to a supergroup; repeat the call with {@linkcode migrateToChatId}. */
export class MigratedToSupergroupChatError extends TelegramError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "MigratedToSupergroupChatError";
  /** The id of the supergroup that replaced the group. */
  get migrateToChatId(): number {
    return this.parameters.migrate_to_chat_id ?? 0;
  }
}

/** 429: flood control; wait {@linkcode retryAfter} seconds before repeating. */
export class TooManyRequestsError extends TelegramError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "TooManyRequestsError";
  /** Seconds to wait before repeating the request (Telegram's `retry_after`). */
  get retryAfter(): number {
    return this.parameters.retry_after ?? 0;
  }
}

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
 * import { BadHTTPResponse } from "./telegram.ts";
 * const err = new BadHTTPResponse("getUpdates", 502, "HTTP 502, not a Bot API answer");
 * console.log(err.status, err.maybeDelivered); // 502 true
 * ```
 */
export class BadHTTPResponse extends TelepotError {
  /** The class name, shown in stacks and by `String(err)`. */
  override name = "BadHTTPResponse";
  /** The Bot API method (or `downloadFile`) whose request failed. */
  readonly method: string;
  /** The HTTP status, `undefined` when no answer arrived. */
  readonly status: number | undefined;
  /** The start of the answer's body, if any (at most 512 characters, token removed). */
  readonly body: string | undefined;
  /**
   * Whether the request may have reached Telegram and been executed. `false` only when
   * it surely was not sent (connection refused, unknown host): then repeating it is safe.
   */
  readonly maybeDelivered: boolean;

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
 * import { isReadOnlyMethod } from "./telegram.ts";
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

/** A constructor of {@linkcode TelegramError} or one of its subclasses. */
export type TelegramErrorClass = new (
  method: string,
  errorCode: number,
  description: string,
  parameters?: ResponseParameters,
) => TelegramError;

/**
 * How an `ok: false` answer maps to a class: the first rule whose code (if any) equals
 * `error_code`, whose pattern (if any) matches `description`, and whose parameter (if any)
 * is present wins. Patterns follow telepot's and Telegram's actual wording.
 */
export const ERROR_RULES: readonly (readonly [
  code: number | null,
  pattern: RegExp | null,
  parameter: keyof ResponseParameters | null,
  cls: TelegramErrorClass,
])[] = [
  [null, null, "migrate_to_chat_id", MigratedToSupergroupChatError],
  [429, null, null, TooManyRequestsError],
  [null, null, "retry_after", TooManyRequestsError],
  [401, null, null, UnauthorizedError],
  [409, null, null, ConflictError],
  [null, /not enough rights|have no rights|need administrator rights/i, null, NotEnoughRightsError],
  [403, /bot was blocked/i, null, BotWasBlockedError],
  [403, /bot was kicked/i, null, BotWasKickedError],
  [400, /chat not found/i, null, ChatNotFoundError],
];

/**
 * Builds the error for an `ok: false` answer of `method`, choosing the class by
 * {@linkcode ERROR_RULES}.
 *
 * @param method the Bot API method that failed
 * @param errorCode Telegram's `error_code`
 * @param description Telegram's `description`
 * @param parameters Telegram's `parameters`
 * @returns the most specific {@linkcode TelegramError}
 *
 * @example
 * ```ts
 * import { telegramError, TooManyRequestsError } from "./telegram.ts";
 * const err = telegramError("sendMessage", 429, "Too Many Requests: retry after 3", {
 *   retry_after: 3,
 * });
 * console.log(err instanceof TooManyRequestsError); // true
 * ```
 */
export function telegramError(
  method: string,
  errorCode: number,
  description: string,
  parameters: ResponseParameters = {},
): TelegramError {
  for (const [code, pattern, param, cls] of ERROR_RULES) {
    if (code !== null && code !== errorCode) continue;
    if (pattern !== null && !pattern.test(description)) continue;
    if (param !== null && parameters[param] === undefined) continue;
    return new cls(method, errorCode, description, parameters);
  }
  return new TelegramError(method, errorCode, description, parameters);
}
