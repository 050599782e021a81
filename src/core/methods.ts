/**
 * The typed facade: one Bot method per Bot API method, built from the compact table in
 * `src/gen/method_table.ts` (data, not 180 hand-written bodies) and typed by a mapped type over
 * `ApiMethods` of @grammyjs/types plus the same table at type level.
 *
 * The positional rule:
 * 1. The Bot API's required parameters are positional, in the order it documents them;
 *    every optional one goes in a final options object, which also takes `signal`.
 * 2. Methods that address a message either by chat_id + message_id or by
 *    inline_message_id (those with an `inline_message_id` parameter) take telepot's
 *    *message identifier* first instead: `[chatId, messageId]` or an inline_message_id
 *    string. They are editMessageText, editMessageCaption, editMessageMedia,
 *    editMessageLiveLocation, stopMessageLiveLocation, editMessageReplyMarkup,
 *    setGameScore and getGameHighScores. (Methods that need both chat_id and message_id,
 *    like deleteMessage, stopPoll or editMessageChecklist, take them as two positionals.)
 * 3. A parameter the Bot API made optional only because an alternative now exists stays
 *    positional: editMessageText's `text` (Bot API 10.1 lets `rich_message` replace it;
 *    pass `undefined` and put `rich_message` in the options).
 * @module
 */
import type { ApiMethods } from "./types.ts";
import type { CallOptions } from "./transformer.ts";
import type { InputFileLike } from "../files/input_file.ts";
import {
  ALIASES,
  EXTRA_TABLE,
  METHOD_TABLE,
  type PositionalTable as Table,
} from "../gen/method_table.ts";

/**
 * The positional parameter names of every method, as the generated table lists them
 * (`"#"` stands for the message identifier).
 * @internal
 */
export type PositionalTable = Table;

/** Every Bot API method, typed with this library's file type (from @grammyjs/types). */
export type Api = ApiMethods<InputFileLike>;

/** The name of a Bot API method. */
export type MethodName = keyof Api;

/** The parameters object of a method (`{}` for methods without parameters). */
export type MethodParams<M extends MethodName> = Parameters<Api[M]> extends []
  ? Record<never, never>
  : NonNullable<Parameters<Api[M]>[0]>;

/** What a method resolves to. */
export type MethodResult<M extends MethodName> = ReturnType<Api[M]>;

/**
 * telepot's message identifier: `[chatId, messageId]` for a message in a chat, or the
 * inline_message_id string of a message sent via inline mode.
 */
export type MessageIdentifier = readonly [chatId: number | string, messageId: number] | string;

/**
 * The message identifier of method `M` (its chat_id type, a message id; or a string).
 * @internal
 */
export type MsgIdOf<M extends MethodName> = "chat_id" extends keyof MethodParams<M> ?
    | readonly [
      chatId: NonNullable<MethodParams<M>["chat_id" & keyof MethodParams<M>]>,
      messageId: number,
    ]
    | string
  : MessageIdentifier;

/**
 * The positional arguments of method `M`, labelled as in the table.
 * @internal
 */
export type PositionalArgs<M extends MethodName, T = PositionalTable[M]> = {
  [I in keyof T]: T[I] extends "#" ? MsgIdOf<M>
    : T[I] extends keyof MethodParams<M> ? MethodParams<M>[T[I]]
    : never;
};

/**
 * The parameter names a positional list `T` takes out of the options.
 * @internal
 */
export type Consumed<T> = T extends readonly (infer U)[]
  ? U extends "#" ? "chat_id" | "message_id" | "inline_message_id" : U
  : never;

/**
 * The final options object of method `M`: its remaining parameters, plus `signal`. They
 * are all optional: the Bot API's required parameters are positional. (`Partial` also
 * follows the Bot API where @grammyjs/types is stricter: transferGift's `star_count`.)
 */
export type MethodOptions<M extends MethodName> =
  & Partial<Omit<MethodParams<M>, Consumed<PositionalTable[M]>>>
  & CallOptions;

/** The Bot's Bot API methods, one per key of `ApiMethods`. */
export type BotMethods = {
  [M in MethodName]: (
    ...args: [...PositionalArgs<M>, options?: MethodOptions<M>]
  ) => Promise<MethodResult<M>>;
};

/** The object the methods are installed on: anything with a `call`. */
interface Caller {
  call(method: string, params: Record<string, unknown>, options: CallOptions): Promise<unknown>;
}

/** Every method name of the runtime table, in table order (180 + the extras). */
export function tableEntries(): [name: string, positional: string[]][] {
  return `${METHOD_TABLE};${EXTRA_TABLE}`.split(";").map((entry) => {
    const [name, ...params] = entry.split(" ");
    return [name, params];
  });
}

/** Installs one method per table entry (and the deprecated aliases) on `proto`. */
export function installMethods(proto: object): void {
  const define = (name: string, value: unknown) =>
    Object.defineProperty(proto, name, { value, writable: true, configurable: true });
  for (const [name, params] of tableEntries()) define(name, method(name, params));
  for (const [alias, target] of Object.entries(ALIASES)) {
    define(alias, (proto as Record<string, unknown>)[target]);
  }
}

function method(name: string, params: string[]) {
  const n = params.length;
  const fn = function (this: Caller, ...args: unknown[]): Promise<unknown> {
    const payload: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const v = args[i];
      if (params[i] !== "#") {
        if (v !== undefined) payload[params[i]] = v;
      } else if (typeof v === "string") {
        payload.inline_message_id = v;
      } else if (Array.isArray(v) && v.length === 2) {
        payload.chat_id = v[0];
        payload.message_id = v[1];
      } else {
        return Promise.reject(
          new TypeError(
            `${name}: the message identifier must be [chatId, messageId] or an inline_message_id string`,
          ),
        );
      }
    }
    const options = args[n];
    if (args.length > n + 1 || (options != null && typeof options !== "object")) {
      return Promise.reject(
        new TypeError(
          `${name}: takes ${n} positional argument${n === 1 ? "" : "s"}` +
            `${n ? ` (${params.map((p) => p === "#" ? "msgIdentifier" : p).join(", ")})` : ""}` +
            " and then one options object",
        ),
      );
    }
    let signal: AbortSignal | undefined;
    if (options != null) {
      for (const [k, v] of Object.entries(options)) {
        if (k === "signal") signal = v as AbortSignal | undefined;
        else if (v !== undefined && !(k in payload)) payload[k] = v;
      }
    }
    return this.call(name, payload, { signal });
  };
  Object.defineProperty(fn, "name", { value: name });
  return fn;
}
