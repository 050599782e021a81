/**
 * An offline, faithful Telegram Bot API emulator for tests, demos and benchmarks.
 *
 * Hand `emulator.fetch` and `emulator.apiRoot` to a bot (in-process, any runtime), or
 * `await emulator.serve()` for clients in other processes; then play users:
 *
 * @example
 * ```ts
 * import { Emulator } from "./testing.ts";
 *
 * const emu = new Emulator();
 * const alice = emu.user("Alice");
 * await alice.send("/start");
 * // ... a bot polls `${emu.apiRoot}/bot${emu.token}/getUpdates` through emu.fetch ...
 * await emu.close();
 * ```
 *
 * @module
 */

export {
  type ApiCall,
  type ChatOptions,
  Emulator,
  type EmulatorOptions,
  type EmulatorServer,
  type ServeOptions,
} from "./src/emulator/emulator.ts";
export {
  type ChatLike,
  EmulatedUser,
  type NextMessageOptions,
  type UserSendOptions,
  type UserTextOptions,
} from "./src/emulator/user.ts";
export type { Fault, InjectOptions } from "./src/emulator/faults.ts";
export type { ServeEngine } from "./src/emulator/serve.ts";
export type {
  CallbackQuery,
  Chat,
  ChosenInlineResult,
  InlineQuery,
  Message,
  PrivateChat,
  Update,
  User,
} from "./src/emulator/types.ts";
export type { MethodSupport } from "./src/emulator/methods/index.ts";
export { tinyPng } from "./src/emulator/files.ts";
export { VirtualClock } from "./src/emulator/virtual_clock.ts";
export type { FloodLimits, Rate } from "./src/flood/limits.ts";
