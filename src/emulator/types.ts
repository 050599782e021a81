/**
 * The Bot API object types the emulator's public API hands out, aliased from
 * @grammyjs/types (types only; nothing reaches the runtime).
 * @module
 */
// Full specifier so testing.ts keeps its types when imported by URL (see src/core/types.ts).
// deno-lint-ignore no-import-prefix
import type * as T from "npm:@grammyjs/types@5.0.0";

/** A Bot API Message. */
export type Message = T.Message;
/** A Bot API Update. */
export type Update = T.Update;
/** A Bot API User. */
export type User = T.User;
/** A Bot API Chat. */
export type Chat = T.Chat;
/** A Bot API private Chat. */
export type PrivateChat = T.Chat.PrivateChat;
/** A Bot API CallbackQuery. */
export type CallbackQuery = T.CallbackQuery;
/** A Bot API InlineQuery. */
export type InlineQuery = T.InlineQuery;
/** A Bot API ChosenInlineResult. */
export type ChosenInlineResult = T.ChosenInlineResult;
