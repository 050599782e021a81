/**
 * The error that ends a message loop: polling cannot succeed (wrong token or apiRoot,
 * a webhook or a second instance, parameters getUpdates refuses).
 * @module
 */

import { TelepotError } from "./base.ts";

/**
 * The update loop ended because polling cannot succeed: a wrong token (401), a
 * wrong apiRoot or token path (404), a webhook or a second instance (409), or
 * getUpdates refused its parameters (400). `cause` holds the Bot API error.
 *
 * @example
 * ```ts
 * import { UpdateLoopError } from "./loop.ts";
 * const err = new UpdateLoopError("getUpdates refused", 409);
 * console.log(err.errorCode); // 409
 * ```
 */
export class UpdateLoopError extends TelepotError {
  /** Always `"UpdateLoopError"`. */
  override name = "UpdateLoopError";
  /** The HTTP status or Bot API error code that ended the loop. */
  declare readonly errorCode: number | undefined;

  /**
   * Makes the error that ends a message loop.
   *
   * @param message what went wrong and what to do
   * @param errorCode the status or error code
   * @param options `cause`: the original error
   */
  constructor(message: string, errorCode?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.errorCode = errorCode;
  }
}
