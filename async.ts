/**
 * The path that mirrors telepot's `telepot.async` (and `telepot.aio`). Our one Bot
 * is already promise-based, so this exposes the same classes and functions as
 * `mod.ts`, plus `helper` and `delegate` as namespaces (telepot's
 * `telepot.async.helper`, `telepot.async.delegate`): code written against either
 * path works.
 *
 * @example
 * ```ts
 * import { delegate, DelegatorBot, helper } from "@telepot/telepot/async";
 *
 * class Counter extends helper.ChatHandler {
 *   count = 0;
 *   onChatMessage() {
 *     return this.sender.sendMessage(String(++this.count));
 *   }
 * }
 * const bot = new DelegatorBot("123:abc", [
 *   [delegate.perChatId(), delegate.createOpen(Counter, { timeout: 10 })],
 * ]);
 * ```
 * @module
 */

export * from "./mod.ts";
export * as helper from "./helper.ts";
export * as delegate from "./delegate.ts";
