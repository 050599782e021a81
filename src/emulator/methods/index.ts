/**
 * The table of every Bot API method's implementation, and what kind of support each gets.
 * @module
 */

import { METHODS } from "../../gen/spec.ts";
import type { Handler } from "./context.ts";
import { CHAT_HANDLERS } from "./chats.ts";
import { FORUM_HANDLERS } from "./forum.ts";
import { INVITE_HANDLERS } from "./invites.ts";
import { MEMBER_HANDLERS } from "./members.ts";
import { EDIT_HANDLERS } from "./edit.ts";
import { ANSWER_HANDLERS, MISC_HANDLERS, UNSUPPORTED_HANDLERS } from "./misc.ts";
import { PAYMENT_HANDLERS } from "./payments.ts";
import { QUERY_HANDLERS } from "./queries.ts";
import { SEND_HANDLERS } from "./send.ts";
import { SETTINGS_HANDLERS } from "./settings.ts";
import { STICKER_HANDLERS } from "./stickers.ts";
import { UPDATE_HANDLERS } from "./updates.ts";

/**
 * How the emulator supports a method:
 * - "effect": carried out on the emulated state (messages, chats, files, settings...);
 * - "answer": validated, then a fixed documented answer (e.g. an empty list of gifts);
 * - "unsupported": validated, then a 400 saying the emulator does not model it.
 */
export type MethodSupport = "effect" | "answer" | "unsupported";

const EFFECTS: Record<string, Handler> = {
  ...UPDATE_HANDLERS,
  ...SEND_HANDLERS,
  ...EDIT_HANDLERS,
  ...CHAT_HANDLERS,
  ...MEMBER_HANDLERS,
  ...INVITE_HANDLERS,
  ...FORUM_HANDLERS,
  ...SETTINGS_HANDLERS,
  ...QUERY_HANDLERS,
  ...STICKER_HANDLERS,
  ...MISC_HANDLERS,
  ...PAYMENT_HANDLERS,
};

/** Methods whose answer does not depend on emulated state beyond checking ids. */
const FIXED = new Set(["logOut", "close", "deleteMessageReaction", "deleteAllMessageReactions"]);

function supportOf(name: string): MethodSupport {
  if (name in UNSUPPORTED_HANDLERS) return "unsupported";
  if (name in ANSWER_HANDLERS || FIXED.has(name)) return "answer";
  return "effect";
}

/** The handler of every Bot API method (canonical names). */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  ...EFFECTS,
  ...ANSWER_HANDLERS,
  ...UNSUPPORTED_HANDLERS,
};

/** The support level of every Bot API method, in the Bot API's order. */
export const METHOD_SUPPORT: Readonly<Record<string, MethodSupport>> = Object.fromEntries(
  Object.keys(METHODS).map((name) => [name, supportOf(name)]),
);

/** Bot API methods without a handler (must stay empty; checked by a test). */
export const MISSING_HANDLERS: readonly string[] = Object.keys(METHODS).filter((m) =>
  !(m in HANDLERS)
);
