/**
 * Seed functions for DelegatorBot patterns: each maps an incoming payload to a
 * seed (a chat id, a user id, an origin), or `null` for "no delegate for this".
 * A seed function gets the payload and, when available, the whole update.
 * @module
 */

import { kindOf } from "../updates/kind.ts";

/** Computes the seed of a payload; `null`/`undefined` means no delegate. */
// deno-lint-ignore no-explicit-any
export type SeedFunction = (msg: any, update?: any) => unknown;

type Payload =
  | {
    chat?: { id?: number; type?: string };
    from?: { id?: number };
    message?: { chat?: { id?: number; type?: string }; message_id?: number };
    inline_message_id?: string;
  }
  | null
  | undefined;

function chatOf(msg: unknown): { id?: number; type?: string } | undefined {
  const chat = (msg as Payload)?.chat;
  return chat !== null && typeof chat === "object" ? chat : undefined;
}

function typeOk(types: readonly string[] | undefined, type: string | undefined): boolean {
  return types === undefined || (type !== undefined && types.includes(type));
}

/**
 * Seeds by chat id: one delegate per chat. Payloads without a chat (inline queries,
 * callback queries, polls, ...) get no seed.
 *
 * @param types only these chat types (`"private"`, `"group"`, `"supergroup"`, `"channel"`); default all
 * @example
 * ```ts
 * import { perChatId } from "../../delegate.ts";
 * perChatId()({ chat: { id: 5, type: "private" } }); // 5
 * perChatId(["group"])({ chat: { id: 5, type: "private" } }); // null
 * ```
 */
export function perChatId(types?: readonly string[]): SeedFunction {
  return (msg) => {
    const chat = chatOf(msg);
    return chat?.id !== undefined && typeOk(types, chat.type) ? chat.id : null;
  };
}

/**
 * Seeds by chat id, only for chats in `ids`.
 *
 * @param ids the chat ids that get delegates
 * @param types only these chat types; default all
 * @example
 * ```ts
 * import { perChatIdIn } from "../../delegate.ts";
 * perChatIdIn([1, 2])({ chat: { id: 2 } }); // 2
 * ```
 */
export function perChatIdIn(
  ids: Iterable<number | string>,
  types?: readonly string[],
): SeedFunction {
  return perListedChatId(ids, types, true);
}

/**
 * Seeds by chat id, for every chat except those in `ids`.
 *
 * @param ids the chat ids that get no delegate
 * @param types only these chat types; default all
 * @example
 * ```ts
 * import { perChatIdExcept } from "../../delegate.ts";
 * perChatIdExcept([1])({ chat: { id: 1 } }); // null
 * ```
 */
export function perChatIdExcept(
  ids: Iterable<number | string>,
  types?: readonly string[],
): SeedFunction {
  return perListedChatId(ids, types, false);
}

/** Seeds by chat id for chats whose id is in `ids` (`listed`) or is not (`!listed`). */
function perListedChatId(
  ids: Iterable<number | string>,
  types: readonly string[] | undefined,
  listed: boolean,
): SeedFunction {
  const set = new Set(ids);
  return (msg) => {
    const chat = chatOf(msg);
    return chat?.id !== undefined && set.has(chat.id) === listed && typeOk(types, chat.type)
      ? chat.id
      : null;
  };
}

function fromId(msg: unknown, kinds: readonly string[] | undefined): number | null {
  const id = (msg as Payload)?.from?.id;
  if (id === undefined) return null;
  if (kinds !== undefined && !kinds.includes(kindOf(msg) ?? "")) return null;
  return id;
}

/**
 * Seeds by sender (`from.id`): one delegate per user, whatever they send (messages,
 * callback queries, inline queries, ...).
 *
 * @param kinds only payloads of these update kinds (`"message"`, `"callback_query"`, ...); default all
 * @example
 * ```ts
 * import { perFromId } from "../../delegate.ts";
 * perFromId()({ from: { id: 9 }, chat: { id: -1 } }); // 9
 * ```
 */
export function perFromId(kinds?: readonly string[]): SeedFunction {
  return (msg) => fromId(msg, kinds);
}

/**
 * Seeds by sender, only for users in `ids`.
 *
 * @param ids the user ids that get delegates
 * @param kinds only these update kinds; default all
 * @example
 * ```ts
 * import { perFromIdIn } from "../../delegate.ts";
 * perFromIdIn([9])({ from: { id: 9 } }); // 9
 * ```
 */
export function perFromIdIn(ids: Iterable<number>, kinds?: readonly string[]): SeedFunction {
  const set = new Set(ids);
  return (msg) => {
    const id = fromId(msg, kinds);
    return id !== null && set.has(id) ? id : null;
  };
}

/**
 * Seeds by sender, for every user except those in `ids`.
 *
 * @param ids the user ids that get no delegate
 * @param kinds only these update kinds; default all
 * @example
 * ```ts
 * import { perFromIdExcept } from "../../delegate.ts";
 * perFromIdExcept([9])({ from: { id: 9 } }); // null
 * ```
 */
export function perFromIdExcept(ids: Iterable<number>, kinds?: readonly string[]): SeedFunction {
  const set = new Set(ids);
  return (msg) => {
    const id = fromId(msg, kinds);
    return id !== null && !set.has(id) ? id : null;
  };
}

const INLINE_KINDS = ["inline_query", "chosen_inline_result"] as const;

/**
 * Seeds inline queries and chosen inline results by their sender: one delegate per
 * user typing `@yourbot ...`. Other payloads get no seed.
 *
 * @example
 * ```ts
 * import { perInlineFromId } from "../../delegate.ts";
 * perInlineFromId()({ id: "q", from: { id: 9 }, query: "cats", offset: "" }); // 9
 * ```
 */
export function perInlineFromId(): SeedFunction {
  return perFromId(INLINE_KINDS);
}

/**
 * Like {@linkcode perInlineFromId}, only for users in `ids`.
 *
 * @param ids the user ids that get delegates
 * @example
 * ```ts
 * import { perInlineFromIdIn } from "../../delegate.ts";
 * perInlineFromIdIn([9])({ id: "q", from: { id: 9 }, query: "", offset: "" }); // 9
 * ```
 */
export function perInlineFromIdIn(ids: Iterable<number>): SeedFunction {
  return perFromIdIn(ids, INLINE_KINDS);
}

/**
 * Like {@linkcode perInlineFromId}, for every user except those in `ids`.
 *
 * @param ids the user ids that get no delegate
 * @example
 * ```ts
 * import { perInlineFromIdExcept } from "../../delegate.ts";
 * perInlineFromIdExcept([9])({ id: "q", from: { id: 9 }, query: "", offset: "" }); // null
 * ```
 */
export function perInlineFromIdExcept(ids: Iterable<number>): SeedFunction {
  return perFromIdExcept(ids, INLINE_KINDS);
}

/**
 * Seeds callback queries by the chat of the message whose button was pressed, so a
 * per-chat delegate also starts for a button press. Other payloads (and buttons of
 * inline messages, which have no chat) get no seed.
 *
 * @param types only these chat types; default all
 * @example
 * ```ts
 * import { perCallbackQueryChatId } from "../../delegate.ts";
 * perCallbackQueryChatId()({
 *   id: "1", from: { id: 9 }, chat_instance: "c", data: "x",
 *   message: { message_id: 3, chat: { id: 9, type: "private" } },
 * }); // 9
 * ```
 */
export function perCallbackQueryChatId(types?: readonly string[]): SeedFunction {
  return (msg) => {
    if (kindOf(msg) !== "callback_query") return null;
    const chat = (msg as Payload)?.message?.chat;
    return chat?.id !== undefined && typeOk(types, chat.type) ? chat.id : null;
  };
}

/**
 * Seeds callback queries by their origin: `[chatId, messageId]` for a button on a
 * chat message, `[inlineMessageId]` for one on an inline message. One delegate per
 * message with buttons.
 *
 * @param origins `"chat"` and/or `"inline"`; default both
 * @example
 * ```ts
 * import { perCallbackQueryOrigin } from "../../delegate.ts";
 * perCallbackQueryOrigin()({
 *   id: "1", from: { id: 9 }, chat_instance: "c", inline_message_id: "AbC",
 * }); // ["AbC"]
 * ```
 */
export function perCallbackQueryOrigin(
  origins: readonly ("chat" | "inline")[] = ["chat", "inline"],
): SeedFunction {
  return (msg) => {
    if (kindOf(msg) !== "callback_query") return null;
    const m = msg as Payload;
    if (m?.inline_message_id !== undefined) {
      return origins.includes("inline") ? [m.inline_message_id] : null;
    }
    const chatId = m?.message?.chat?.id;
    const messageId = m?.message?.message_id;
    if (chatId === undefined || messageId === undefined || !origins.includes("chat")) return null;
    return [chatId, messageId];
  };
}

/**
 * Seeds everything with the same seed: at most one delegate for the whole bot
 * (a Monitor, typically).
 *
 * @example
 * ```ts
 * import { perApplication } from "../../delegate.ts";
 * perApplication()({}); // 1
 * ```
 */
export function perApplication(): SeedFunction {
  return () => 1;
}

/**
 * Seeds every payload (of the given kinds) with a fresh object: a new, independent
 * delegate per message.
 *
 * @param kinds only these update kinds; default all
 * @example
 * ```ts
 * import { perMessage } from "../../delegate.ts";
 * perMessage()({ chat: { id: 1 } }); // {} (a new object: unkeyed)
 * ```
 */
export function perMessage(kinds?: readonly string[]): SeedFunction {
  return (msg) => kinds === undefined || kinds.includes(kindOf(msg) ?? "") ? {} : null;
}

/**
 * Combines seed functions: the first seed that is not `null`/`undefined` wins.
 *
 * @param fns seed functions, tried in order
 * @example
 * ```ts
 * import { chain, perCallbackQueryChatId, perChatId } from "../../delegate.ts";
 * const seed = chain(perChatId(), perCallbackQueryChatId());
 * ```
 */
export function chain(...fns: SeedFunction[]): SeedFunction {
  return (msg, update) => {
    for (const fn of fns) {
      const seed = fn(msg, update);
      if (seed !== null && seed !== undefined) return seed;
    }
    return null;
  };
}
