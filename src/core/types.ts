/**
 * The Bot API types this library's signatures use, re-exported from @grammyjs/types
 * (types only: nothing of it reaches the runtime). Import any other Bot API type from
 * `npm:@grammyjs/types` directly.
 * @module
 */
// The full npm: specifier (not the import map's bare name) keeps the types when mod.ts is
// imported by URL, where this project's import map does not apply. Types only: nothing of it
// reaches the runtime bundle. scripts/build_npm.ts rewrites it to the bare name for npm.
// deno-lint-ignore no-import-prefix
import type * as T from "npm:@grammyjs/types@5.0.0";
type GrammyApiMethods<F> = T.ApiMethods<F>;

/**
 * Every Bot API method with its parameters object and result, for a file type `F`.
 *
 * Tagged `@ignore` for `deno doc`: documenting it would pull every Bot API type of
 * @grammyjs/types into this module's docs (they are documented there).
 * @ignore
 */
export type ApiMethods<F> = GrammyApiMethods<F>;
/** A Bot API Message. */
export type Message = T.Message;
/** A Bot API Update: `update_id` and one payload field. */
export type Update = T.Update;
/** A Bot API Chat. */
export type Chat = T.Chat;
/** A Bot API File, as getFile returns it. */
export type File = T.File;
/** A Bot API CallbackQuery. */
export type CallbackQuery = T.CallbackQuery;
/** A Bot API InlineQuery. */
export type InlineQuery = T.InlineQuery;
/** A Bot API ChosenInlineResult. */
export type ChosenInlineResult = T.ChosenInlineResult;
/** A Bot API ShippingQuery. */
export type ShippingQuery = T.ShippingQuery;
/** A Bot API PreCheckoutQuery. */
export type PreCheckoutQuery = T.PreCheckoutQuery;
/** Extra facts Telegram attaches to some errors (`retry_after`, `migrate_to_chat_id`). */
export type ResponseParameters = T.ResponseParameters;
