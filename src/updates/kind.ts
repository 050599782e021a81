/**
 * What kind of update a payload came from. The update loop hands handlers the
 * payload (`update.message`, `update.callback_query`, ...); delegates and seed
 * functions often need to know which kind it was. The loop side remembers it
 * (a WeakMap from payload to kind); for payloads that did not come through it,
 * the kind is inferred from the payload's fields, as telepot's `flavor(msg)` did.
 * @module
 */

const remembered = new WeakMap<object, string>();

/**
 * The payload of an update and its kind: the update's one field besides
 * `update_id`. Kinds this code has never heard of pass through the same way. An
 * update without a payload yields the update itself, kind `"unknown"`.
 */
export function payloadOf(update: Record<string, unknown>): [kind: string, payload: unknown] {
  for (const key in update) {
    if (key !== "update_id" && update[key] !== undefined) return [key, update[key]];
  }
  return ["unknown", update];
}

/**
 * Records that `payload` is of `kind` (called when an update is handed over). Every
 * payload is stored (weakly): asking the field heuristics first would cost as much as
 * the store and put them into every bundle of a plain update loop.
 */
export function rememberKind(payload: unknown, kind: string): void {
  if (payload !== null && typeof payload === "object") remembered.set(payload, kind);
}

/**
 * The update kind of a payload: `"message"`, `"edited_message"`,
 * `"callback_query"`, `"inline_query"`, ... (the Update field name), or
 * `undefined` when unknown.
 *
 * @example
 * ```ts
 * import { kindOf } from "./kind.ts";
 * kindOf({ id: "1", from: { id: 1 }, chat_instance: "x", data: "d" }); // "callback_query"
 * ```
 */
export function kindOf(msg: unknown): string | undefined {
  if (msg === null || typeof msg !== "object") return undefined;
  return remembered.get(msg) ?? infer(msg);
}

/** The kind a payload's fields suggest (telepot's heuristics, extended). */
function infer(msg: object): string | undefined {
  const m = msg as Record<string, unknown>;
  const has = (k: string) => m[k] !== undefined;
  if (has("message_id") && has("chat")) {
    const edited = has("edit_date");
    if (has("business_connection_id")) {
      return edited ? "edited_business_message" : "business_message";
    }
    const chat = m.chat as { type?: string } | null;
    if (chat?.type === "channel") return edited ? "edited_channel_post" : "channel_post";
    return edited ? "edited_message" : "message";
  }
  if (has("chat_instance")) return "callback_query";
  if (has("query") && has("offset") && has("from")) return "inline_query";
  if (has("result_id") && has("from")) return "chosen_inline_result";
  if (has("shipping_address") && has("invoice_payload")) return "shipping_query";
  if (has("total_amount") && has("invoice_payload")) return "pre_checkout_query";
  if (has("poll_id") && has("option_ids")) return "poll_answer";
  if (has("question") && has("options") && has("total_voter_count")) return "poll";
  if (has("old_chat_member") && has("new_chat_member")) return "chat_member";
  if (has("user_chat_id") && has("chat") && has("from")) return "chat_join_request";
  if (has("chat") && has("message_id") === false && (has("new_reaction") || has("old_reaction"))) {
    return "message_reaction";
  }
  return undefined;
}

/** Kinds that carry a chat message (new or edited, in any chat or a business account). */
const CHAT_KINDS = new Set([
  "message",
  "channel_post",
  "business_message",
]);
const EDITED_KINDS = new Set([
  "edited_message",
  "edited_channel_post",
  "edited_business_message",
]);

/**
 * The handler method name a routed kind goes to: chat messages to
 * `onChatMessage`, edited ones to `onEditedChatMessage`, others to `on` + the kind in
 * PascalCase (`onCallbackQuery`, `onInlineQuery`, `onChosenInlineResult`, ...).
 */
export function routeName(kind: string): string {
  if (CHAT_KINDS.has(kind)) return "onChatMessage";
  if (EDITED_KINDS.has(kind)) return "onEditedChatMessage";
  return "on" + kind.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}
