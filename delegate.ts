/**
 * Building blocks of DelegatorBot patterns: seed functions (which payloads get a
 * delegate, and which share one) and delegate factories (what runs per seed).
 *
 * @example
 * ```ts
 * import { DelegatorBot } from "@telepot/telepot";
 * import { createOpen, perChatId } from "@telepot/telepot/delegate";
 * import { ChatHandler } from "@telepot/telepot/helper";
 *
 * class Counter extends ChatHandler {
 *   count = 0;
 *   onChatMessage() {
 *     return this.sender.sendMessage(String(++this.count));
 *   }
 * }
 * const bot = new DelegatorBot("123:abc", [[perChatId(), createOpen(Counter, { timeout: 10 })]]);
 * ```
 * @module
 */

export {
  chain,
  perApplication,
  perCallbackQueryChatId,
  perCallbackQueryOrigin,
  perChatId,
  perChatIdExcept,
  perChatIdIn,
  perFromId,
  perFromIdExcept,
  perFromIdIn,
  perInlineFromId,
  perInlineFromIdExcept,
  perInlineFromIdIn,
  perMessage,
  type SeedFunction,
} from "./src/delegation/seeds.ts";
export {
  call,
  createOpen,
  createRun,
  type Delegate,
  runOpenable,
} from "./src/delegation/factories.ts";
