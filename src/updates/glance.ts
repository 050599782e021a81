/**
 * telepot's quick looks at what arrived: {@linkcode glance} (content type, chat type,
 * chat id of a message), {@linkcode flavor} (the kind of an update) and
 * {@linkcode messageIdentifier}.
 * @module
 */
import type {
  CallbackQuery,
  Chat,
  ChosenInlineResult,
  InlineQuery,
  Message,
  PreCheckoutQuery,
  ShippingQuery,
  Update,
} from "../core/types.ts";
import {
  CONTENT_TYPES,
  type ContentType,
  MESSAGE_METADATA,
  type UpdateKind,
} from "../gen/content_types.ts";
import type { MessageIdentifier } from "../core/methods.ts";
import { kindOf, payloadOf } from "./kind.ts";

export type { ContentType, UpdateKind };

/** `[contentType, chatType, chatId]` of a message. */
export type Glance = [contentType: ContentType, chatType: Chat["type"], chatId: number];
/** `[contentType, chatType, chatId, date, messageId]` of a message. */
export type LongGlance = [
  contentType: ContentType,
  chatType: Chat["type"],
  chatId: number,
  date: number,
  messageId: number,
];

/** Options of {@linkcode glance}. */
export interface GlanceOptions<F extends GlanceFlavor = GlanceFlavor, L extends boolean = boolean> {
  /** Also return the date and message id (for inline/pre-checkout queries, a bit more). */
  long?: L;
  /**
   * What `msg` is (telepot's flavors): `"chat"` (a Message, the default),
   * `"callback_query"`, `"inline_query"`, `"chosen_inline_result"`, `"shipping_query"`
   * or `"pre_checkout_query"`.
   */
  flavor?: F;
}

/** What each flavor of {@linkcode glance} looks at. */
export interface GlanceInput {
  /** A message. */
  chat: Message;
  /** A callback query. */
  callback_query: CallbackQuery;
  /** An inline query. */
  inline_query: InlineQuery;
  /** A chosen inline result. */
  chosen_inline_result: ChosenInlineResult;
  /** A shipping query. */
  shipping_query: ShippingQuery;
  /** A pre-checkout query. */
  pre_checkout_query: PreCheckoutQuery;
}

/** What {@linkcode glance} returns for a flavor, short (`L` false) or long. */
export type GlanceResult<F extends GlanceFlavor, L extends boolean> = F extends "chat"
  ? (L extends true ? LongGlance : Glance)
  : F extends "callback_query" ? [id: string, fromId: number, data: string | undefined]
  : F extends "inline_query"
    ? (L extends true ? [id: string, fromId: number, query: string, offset: string]
      : [id: string, fromId: number, query: string])
  : F extends "chosen_inline_result" ? [resultId: string, fromId: number, query: string]
  : F extends "shipping_query" ? [id: string, fromId: number, invoicePayload: string]
  : F extends "pre_checkout_query" ? (L extends true ? [
        id: string,
        fromId: number,
        invoicePayload: string,
        currency: string,
        totalAmount: number,
      ]
      : [id: string, fromId: number, invoicePayload: string])
  : never;

/** The kinds of object {@linkcode glance} looks at. */
export type GlanceFlavor =
  | "chat"
  | "callback_query"
  | "inline_query"
  | "chosen_inline_result"
  | "shipping_query"
  | "pre_checkout_query";

let contentTypes: string[] | undefined;
let metadata: Set<string> | undefined;

/**
 * The kind of content a message carries: its first content field in the Bot API's
 * documented order (so an animation, which also carries `document`, is `"animation"`;
 * a venue, which also carries `location`, is `"venue"`). Every content kind of Bot API
 * 10.1 is known; a message whose content is newer than that gets the name of its first
 * field that is not metadata.
 *
 * @param msg a Message
 * @returns the content type, e.g. `"text"`, `"photo"`, `"new_chat_members"`
 * @example
 * ```ts
 * import { contentType } from "./glance.ts";
 * contentType({ message_id: 1, date: 0, chat: { id: 1, type: "private" }, text: "hi" } as never);
 * // "text"
 * ```
 */
export function contentType(msg: Message): ContentType {
  checkMessage(msg, "contentType");
  contentTypes ??= CONTENT_TYPES.split(" ");
  const m = msg as unknown as Record<string, unknown>;
  for (const t of contentTypes) if (m[t] !== undefined) return t as ContentType;
  metadata ??= new Set(MESSAGE_METADATA.split(" "));
  for (const k of Object.keys(m)) if (!metadata.has(k)) return k as ContentType;
  return "unknown" as ContentType;
}

/**
 * telepot's `glance`: the essentials of a message (or, with `flavor`, of a query).
 *
 * - a message: `[contentType, chatType, chatId]`, long: `+ [date, messageId]`;
 * - `callback_query`: `[id, fromId, data]`;
 * - `inline_query`: `[id, fromId, query]`, long: `+ [offset]`;
 * - `chosen_inline_result`: `[resultId, fromId, query]`;
 * - `shipping_query`: `[id, fromId, invoicePayload]`;
 * - `pre_checkout_query`: `[id, fromId, invoicePayload]`, long: `+ [currency, totalAmount]`.
 *
 * @param msg what to look at
 * @param options `long`, and `flavor` when `msg` is not a Message
 * @returns a tuple, as above
 * @throws {TypeError} when `msg` is not what `flavor` says (the message says what it is)
 * @example
 * ```ts
 * import { glance } from "./glance.ts";
 * const msg = { message_id: 7, date: 1700000000, chat: { id: 42, type: "private" }, text: "hi" };
 * const [contentType, chatType, chatId] = glance(msg as never);
 * // "text", "private", 42
 * ```
 */
export function glance<F extends GlanceFlavor = "chat", L extends boolean = false>(
  msg: GlanceInput[F],
  options?: GlanceOptions<F, L>,
): GlanceResult<F, L>;
export function glance(msg: unknown, options: GlanceOptions = {}): unknown[] {
  const flavor = options.flavor ?? "chat";
  const long = options.long === true;
  if (flavor === "chat") {
    const m = checkMessage(msg, "glance");
    const short = [contentType(m), m.chat.type, m.chat.id];
    return long ? [...short, m.date, m.message_id] : short;
  }
  const q = checkObject(msg, "glance") as Record<string, unknown> & { from?: { id?: number } };
  const need = (key: string) => {
    if (!(key in q)) {
      throw new TypeError(
        `glance(): flavor "${flavor}" needs the "${key}" field${describe(q, "glance")}`,
      );
    }
    return q[key];
  };
  switch (flavor) {
    case "callback_query":
      need("chat_instance");
      return [need("id"), need("from") && q.from?.id, q.data];
    case "inline_query": {
      const short = [need("id"), need("from") && q.from?.id, need("query")];
      return long ? [...short, need("offset")] : short;
    }
    case "chosen_inline_result":
      return [need("result_id"), need("from") && q.from?.id, need("query")];
    case "shipping_query":
      need("shipping_address");
      return [need("id"), need("from") && q.from?.id, need("invoice_payload")];
    case "pre_checkout_query": {
      need("total_amount");
      const short = [need("id"), need("from") && q.from?.id, need("invoice_payload")];
      return long ? [...short, need("currency"), need("total_amount")] : short;
    }
    default:
      throw new TypeError(
        `glance(): unknown flavor ${JSON.stringify(flavor)}; use "chat", "callback_query", ` +
          `"inline_query", "chosen_inline_result", "shipping_query" or "pre_checkout_query"`,
      );
  }
}

/**
 * telepot 0.x's name of {@linkcode glance}.
 *
 * @example
 * ```ts
 * import { glance2 } from "./glance.ts";
 * const msg = { message_id: 7, date: 0, chat: { id: 42, type: "group" }, photo: [] };
 * glance2(msg as never); // ["photo", "group", 42]
 * ```
 */
export const glance2: typeof glance = glance;

/**
 * The kind of an update: the name of the field that holds its payload (`"message"`,
 * `"edited_message"`, `"callback_query"`, `"inline_query"`, ... every Update field of
 * Bot API 10.1). An update of a newer kind comes back as its own field name.
 *
 * @param update an Update (an object with `update_id`)
 * @returns the update kind
 * @throws {TypeError} when `update` is not an Update (e.g. a Message: pass the update)
 * @example
 * ```ts
 * import { flavor } from "./glance.ts";
 * flavor({ update_id: 1, callback_query: {} } as never); // "callback_query"
 * ```
 */
export function flavor(update: Update): UpdateKind {
  const u = checkObject(update, "flavor") as Record<string, unknown>;
  if (typeof u.update_id !== "number") {
    throw new TypeError(
      `flavor(): expected an Update (an object with update_id)${describe(u, "flavor")}`,
    );
  }
  const [kind, payload] = payloadOf(u);
  if (payload === u) throw new TypeError("flavor(): this Update carries nothing besides update_id");
  return kind as UpdateKind;
}

/**
 * telepot's `message_identifier`: what the edit methods take to address a message.
 *
 * @param msg a Message, a CallbackQuery (its message, or its inline_message_id) or a
 *   ChosenInlineResult with an inline_message_id
 * @returns `[chatId, messageId]` or an inline_message_id
 * @throws {TypeError} when `msg` addresses no message
 * @example
 * ```ts
 * import { messageIdentifier } from "./glance.ts";
 * messageIdentifier({ message_id: 5, date: 0, chat: { id: 42, type: "private" } } as never);
 * // [42, 5]
 * // await bot.editMessageText(messageIdentifier(sent), "edited");
 * ```
 */
export function messageIdentifier(
  msg: Message | CallbackQuery | ChosenInlineResult,
): MessageIdentifier {
  const m = checkObject(msg, "messageIdentifier") as Record<string, unknown>;
  const chat = m.chat as { id?: unknown } | undefined;
  if (chat && typeof chat.id === "number" && typeof m.message_id === "number") {
    return [chat.id, m.message_id];
  }
  if (typeof m.inline_message_id === "string") return m.inline_message_id;
  if (m.message && typeof m.message === "object") {
    return messageIdentifier(m.message as Message);
  }
  throw new TypeError(
    "messageIdentifier(): expected a Message, or a callback query / chosen inline result " +
      "with a message or an inline_message_id",
  );
}

function checkObject(v: unknown, fn: string): object {
  if (v === null || typeof v !== "object" || Array.isArray(v)) {
    const got = v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
    throw new TypeError(`${fn}(): expected an object, got ${got}`);
  }
  return v;
}

function checkMessage(v: unknown, fn: string): Message {
  const m = checkObject(v, fn) as Record<string, unknown>;
  const chat = m.chat as Record<string, unknown> | undefined;
  if (
    typeof m.message_id !== "number" || !chat || typeof chat !== "object" ||
    typeof chat.id !== "number" || typeof chat.type !== "string"
  ) {
    throw new TypeError(
      `${fn}(): expected a Message (with message_id and chat)${describe(m, fn)}`,
    );
  }
  return m as unknown as Message;
}

/** The flavors besides `"chat"` that {@linkcode glance} takes. */
const QUERY_FLAVORS = new Set<string>([
  "callback_query",
  "inline_query",
  "chosen_inline_result",
  "shipping_query",
  "pre_checkout_query",
]);

/** Guesses what `v` is, for error messages (the kind of a payload, as `kindOf` tells it). */
function describe(v: Record<string, unknown>, fn: string): string {
  if (typeof v.update_id === "number") {
    const [kind, payload] = payloadOf(v);
    return `; got an Update: pass update.${payload === v ? "message" : kind}`;
  }
  if (typeof v.message_id === "number" && v.chat) {
    return fn === "flavor" ? "; got a Message: flavor() takes the Update that carries it" : "";
  }
  const guess = kindOf(v);
  if (guess === undefined || !QUERY_FLAVORS.has(guess)) return "";
  return fn === "glance"
    ? `; got a ${guess}: use glance(x, { flavor: "${guess}" })`
    : `; got a ${guess}, not an Update`;
}
