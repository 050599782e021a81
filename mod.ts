/**
 * telepot for TypeScript: a Telegram Bot API framework with a browser-safe core.
 *
 * {@linkcode Bot} has one method per Bot API 10.1 method (required parameters
 * positional, optional ones in a final options object that also takes `signal`),
 * uploads from bytes, Blobs, streams and local paths ({@linkcode InputFile}),
 * downloads ({@linkcode Bot.downloadFile}), and typed errors ({@linkcode TelegramError}
 * and its subclasses, {@linkcode BadHTTPResponse}). {@linkcode glance} and
 * {@linkcode flavor} tell what arrived. {@linkcode autoRetry} and {@linkcode throttler}
 * (opt-in transformers) handle Telegram's flood limits.
 *
 * @example
 * ```ts
 * import { Bot, glance, type Message } from "./mod.ts";
 *
 * class EchoBot extends Bot {
 *   override async handle(msg: Message) {
 *     const [contentType, , chatId] = glance(msg);
 *     if (contentType === "text") await this.sendMessage(chatId, msg.text!);
 *   }
 * }
 * const bot = new EchoBot("123456:TOKEN");
 * // await bot.messageLoop();
 * ```
 * @module
 */

export { Bot, type BotOptions } from "./src/bot.ts";
export { UpdateLoopError } from "./src/core/errors/loop.ts";
export type { LoopOptions } from "./src/updates/loop_options.ts";
export type { UpdateHandler } from "./src/updates/hand_over.ts";
export type { ErrorContext, ErrorHook } from "./src/updates/report.ts";
export type { ClientOptions } from "./src/core/client.ts";
export type { ApiCaller, CallOptions, Transformer } from "./src/core/transformer.ts";
export type { Transport, TransportRequest, TransportResponse } from "./src/runtime/transport.ts";
export { autoRetry, type AutoRetryOptions } from "./src/flood/retry.ts";
export { type Throttler, throttler, type ThrottlerOptions } from "./src/flood/throttle.ts";
export { type FloodLimits, type Rate, TELEGRAM_LIMITS } from "./src/flood/limits.ts";
export type { Clock } from "./src/time/clock.ts";
export type {
  Api,
  BotMethods,
  MessageIdentifier,
  MethodName,
  MethodOptions,
  MethodParams,
  MethodResult,
} from "./src/core/methods.ts";
export { InputFile, type InputFileLike, type UploadData } from "./src/files/input_file.ts";
export type { DownloadDestination } from "./src/core/download.ts";
export { TelepotError } from "./src/core/errors/base.ts";
export {
  BotWasBlockedError,
  BotWasKickedError,
  ChatNotFoundError,
  ConflictError,
  MigratedToSupergroupChatError,
  NotEnoughRightsError,
  TelegramError,
  TooManyRequestsError,
  UnauthorizedError,
} from "./src/core/errors/telegram.ts";
export { BadHTTPResponse, RequestTimeoutError } from "./src/core/errors/http.ts";
export {
  type ContentType,
  contentType,
  flavor,
  type Glance,
  glance,
  glance2,
  type GlanceFlavor,
  type GlanceInput,
  type GlanceOptions,
  type GlanceResult,
  type LongGlance,
  messageIdentifier,
  type UpdateKind,
} from "./src/updates/glance.ts";

export type {
  ApiMethods,
  CallbackQuery,
  Chat,
  ChosenInlineResult,
  File,
  InlineQuery,
  Message,
  PreCheckoutQuery,
  ResponseParameters,
  ShippingQuery,
  Update,
} from "./src/core/types.ts";
export {
  type DelegationPattern,
  DelegatorBot,
  type DelegatorBotOptions,
  SpeakerBot,
} from "./src/delegation/delegator.ts";
