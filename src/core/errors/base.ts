/**
 * The root of the error tree. Every message names the Bot API method, never the URL: the URL
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
 * ├── BadHTTPResponse            not a Bot API answer: HTML error page, network failure
 * │   └── RequestTimeoutError      no answer within the request timeout
 * ├── UpdateLoopError            the update loop cannot go on (wrong token or apiRoot, 409)
 * ├── WaitTooLong                a listener's wait or a handler's idle timeout passed
 * └── StopListening              a delegate or listener was closed
 * ```
 *
 * The tree lives in this folder: `telegram.ts` (TelegramError, its subclasses and how an
 * answer maps to one), `http.ts` (BadHTTPResponse, RequestTimeoutError), `loop.ts`
 * (UpdateLoopError), `listening.ts` (WaitTooLong, StopListening).
 * @module
 */

/**
 * Base class of every error this library throws on purpose.
 *
 * @example
 * ```ts
 * import { TelepotError } from "./base.ts";
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
