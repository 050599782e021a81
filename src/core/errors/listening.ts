/**
 * The two ways a listening delegate ends normally: it waited too long
 * ({@linkcode WaitTooLong}) or it was told to stop ({@linkcode StopListening}).
 * @module
 */

import { TelepotError } from "./base.ts";

/**
 * `Listener.wait()` saw no matching message within the listener's `timeout`
 * (seconds). For a ChatHandler it means: idle too long, closed.
 *
 * @example
 * ```ts
 * import { WaitTooLong } from "./listening.ts";
 * const err = new WaitTooLong(10);
 * console.log(err.seconds); // 10
 * ```
 */
export class WaitTooLong extends TelepotError {
  /** Always `"WaitTooLong"`. */
  override name = "WaitTooLong";
  /** The timeout that passed, in seconds. */
  readonly seconds: number;

  /**
   * Creates the error for a timeout that passed.
   *
   * @param seconds the timeout that passed
   */
  constructor(seconds: number) {
    super(`no matching message within ${seconds} s`);
    this.seconds = seconds;
  }
}

/**
 * A delegate asked to stop listening (`close()`), or its bot is stopping.
 *
 * @example
 * ```ts
 * import { StopListening } from "./listening.ts";
 * const err = new StopListening("done");
 * console.log(err.reason); // "done"
 * ```
 */
export class StopListening extends TelepotError {
  /** Always `"StopListening"`. */
  override name = "StopListening";
  /** Why, if a reason was given. */
  readonly reason: string | undefined;
  /** A code the closer chose, if any (telepot's `close(code, reason)`). */
  readonly code: unknown;

  /**
   * Creates the signal to stop listening.
   *
   * @param reason why the listener stops
   * @param code an optional code of the closer's choosing
   */
  constructor(reason?: string, code?: unknown) {
    super(reason === undefined ? "stopped listening" : `stopped listening: ${reason}`);
    this.reason = reason;
    this.code = code;
  }
}
