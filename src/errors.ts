/**
 * The error tree. Every message names the Bot API method, never the URL: the URL
 * carries the bot token.
 * @module
 */

/** Base class of every error this library throws on purpose. */
export class TelepotError extends Error {
  override name = "TelepotError";
}

/** Extra facts Telegram attaches to some errors. */
export interface ResponseParameters {
  migrate_to_chat_id?: number;
  retry_after?: number;
}

/** Telegram answered `ok: false`. */
export class TelegramError extends TelepotError {
  override name = "TelegramError";
  constructor(
    readonly method: string,
    readonly errorCode: number,
    readonly description: string,
    readonly parameters: ResponseParameters = {},
  ) {
    super(`${method}: ${errorCode} ${description}`);
  }
}

/** Telegram's answer was not a Bot API answer (an HTML error page, a network failure). */
export class BadHTTPResponse extends TelepotError {
  override name = "BadHTTPResponse";
  constructor(
    readonly method: string,
    readonly status: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${method}: ${message}`, options);
  }
}
