/**
 * The error an emulated Bot API method throws to answer `ok: false`.
 * @module
 */

/** Extra facts attached to some Bot API errors (`parameters` in the answer). */
export interface ErrorParameters {
  retry_after?: number;
  migrate_to_chat_id?: number;
}

/** An `ok: false` answer: HTTP status = `code`, Telegram's wording in `description`. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: ErrorParameters,
  ) {
    super(description);
  }
}

/** 400 `Bad Request: <what>`. */
export function badRequest(what: string): ApiError {
  return new ApiError(400, `Bad Request: ${what}`);
}

/** 403 `Forbidden: <what>`. */
export function forbidden(what: string): ApiError {
  return new ApiError(403, `Forbidden: ${what}`);
}

/**
 * 400 for a method the emulator validates but cannot carry out (it has no model of the
 * feature). The wording says so plainly instead of pretending to succeed.
 */
export function notModelled(method: string, why: string): ApiError {
  return new ApiError(400, `Bad Request: ${method} is not supported by the emulator (${why})`);
}
