/**
 * telepot's helpers: the Microphone and Listener behind delegation, capture
 * criteria, Sender, contexts, and the openable delegates ChatHandler, UserHandler
 * and Monitor.
 *
 * @example
 * ```ts
 * import { ChatHandler, WaitTooLong } from "@telepot/telepot/helper";
 *
 * class Player extends ChatHandler {
 *   async onChatMessage(msg: { text?: string }) {
 *     await this.sender.sendMessage(`You said ${msg.text}`);
 *   }
 *   override async onClose(reason: unknown) {
 *     if (reason instanceof WaitTooLong) await this.sender.sendMessage("Bye!");
 *   }
 * }
 * ```
 * @module
 */

export {
  type Consumer,
  MessageQueue,
  Microphone,
  type Receiver,
} from "./src/delegation/microphone.ts";
export { Listener, type ListenerOptions, type WaitOptions } from "./src/delegation/listener.ts";
export {
  type Criteria,
  matches,
  matchesAny,
  type Route,
  type RouteValue,
  type Template,
} from "./src/delegation/capture.ts";
export { StopListening, WaitTooLong } from "./src/core/errors/listening.ts";
export { type ChatId, Sender, type SenderMethods } from "./src/delegation/sender.ts";
export {
  ChatContext,
  ListenerContext,
  type SeedTuple,
  type SpeakerLike,
  UserContext,
} from "./src/delegation/context.ts";
export {
  ChatHandler,
  type ChatHandlerOptions,
  type Constructor,
  Monitor,
  type MonitorOptions,
  type Openable,
  openable,
  type OpenableDefaults,
  UserHandler,
  type UserHandlerOptions,
} from "./src/delegation/handler.ts";
export { kindOf } from "./src/updates/kind.ts";
export { type ErrorContext, type ErrorHook, logError } from "./src/updates/report.ts";
