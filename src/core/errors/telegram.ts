/**
 * Telegram answered `ok: false`: {@linkcode TelegramError}, the subclasses bots branch on,
 * and {@linkcode telegramError}, which picks the class for an answer by
 * {@linkcode ERROR_RULES}. Every message names the Bot API method, never the URL (it
 * carries the bot token).
 * @module
 */
import type { ResponseParameters } from "../types.ts";
import { TelepotError } from "./base.ts";

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
  declare readonly method: string;
  /** Telegram's `error_code` (mostly an HTTP status). */
  declare readonly errorCode: number;
  /** Telegram's `description`, e.g. "Forbidden: bot was blocked by the user". */
  declare readonly description: string;
  /** Telegram's `parameters`, `{}` when absent. */
  declare readonly parameters: ResponseParameters;

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
