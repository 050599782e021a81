/**
 * The Bot: one method per Bot API method (installed from the method table), `call` for
 * any method by name, file downloads, and the hook around every outgoing call.
 * @module
 */
import type { File as TelegramFile, Update } from "./core/types.ts";
import { Client, type ClientOptions } from "./core/client.ts";
import type { ApiCaller, CallOptions, Transformer } from "./core/transformer.ts";
import type { DownloadDestination } from "./core/download.ts";
import { type LoopOptions, type UpdateHandler, UpdateLoop } from "./updates/loop.ts";
import { TelepotError } from "./core/errors/base.ts";
import {
  type BotMethods,
  installMethods,
  type MethodName,
  type MethodParams,
  type MethodResult,
} from "./core/methods.ts";

/** Options of {@linkcode Bot}. */
export interface BotOptions extends ClientOptions {
  /** Transformers to install at once, outermost last (as if passed to `use` in order). */
  transformers?: readonly Transformer[];
}

/** The Bot API methods of {@linkcode Bot} (installed on its prototype from the method table). */
export interface Bot extends BotMethods {}

/**
 * A Telegram bot: every Bot API 10.1 method, typed, as a promise-returning method.
 *
 * Required parameters are positional in the order the Bot API documents them; optional
 * ones (and `signal`) go in a final options object. Methods that address a message by
 * chat_id + message_id or by inline_message_id (editMessageText, editMessageCaption,
 * editMessageMedia, editMessageLiveLocation, stopMessageLiveLocation,
 * editMessageReplyMarkup, setGameScore, getGameHighScores) take telepot's message
 * identifier first: `[chatId, messageId]` or an inline_message_id string.
 *
 * @example
 * ```ts
 * import { Bot } from "./bot.ts";
 * const bot = new Bot("123456:TOKEN");
 * // const me = await bot.getMe();
 * // await bot.sendMessage(chatId, "*hi*", { parse_mode: "MarkdownV2" });
 * // await bot.editMessageText([chatId, messageId], "edited");
 * // await bot.call("sendMessage", { chat_id: chatId, text: "hi" });
 * ```
 */
export class Bot {
  readonly #client: Client;
  #caller: ApiCaller;
  #loop: UpdateLoop | undefined;

  /**
   * Creates a bot; nothing is sent until a method is called.
   *
   * @param token the bot token from @BotFather (kept private; never in errors)
   * @param options `apiRoot`, `fetch`, `timeout` (ms per request), `transformers`
   */
  constructor(token: string, options: BotOptions = {}) {
    this.#client = new Client(token, options);
    this.#caller = this.#client.call;
    for (const t of options.transformers ?? []) this.use(t);
  }

  static {
    installMethods(Bot.prototype);
  }

  /** Where the Bot API lives (`https://api.telegram.org` by default). */
  get apiRoot(): string {
    return this.#client.apiRoot;
  }

  /**
   * Installs transformers around every outgoing call; the last installed runs first.
   *
   * @param transformers hooks, each `(next, method, params, options) => next(method, params, options)`
   * @returns this bot
   * @example
   * ```ts
   * import { Bot } from "./bot.ts";
   * const bot = new Bot("123456:TOKEN");
   * const log: string[] = [];
   * bot.use((next, method, params, options) => {
   *   log.push(method);
   *   return next(method, params, options);
   * });
   * ```
   */
  use(...transformers: Transformer[]): this {
    for (const t of transformers) {
      if (typeof t !== "function") throw new TypeError("Bot.use(): a transformer is a function");
      const next = this.#caller;
      // async: a transformer that throws synchronously still yields a rejected promise
      this.#caller = async (method, params, options) => await t(next, method, params, options);
    }
    return this;
  }

  /**
   * Calls any Bot API method by name with its parameters as one object.
   *
   * @param method the Bot API method, e.g. `"sendMessage"`
   * @param params its parameters, named as the Bot API names them
   * @param options `signal` to abort the request
   * @returns the method's result
   * @throws {TelegramError} when Telegram answers `ok: false` (a subclass for common cases)
   * @throws {BadHTTPResponse} when the answer is not a Bot API answer, or none arrives
   * @example
   * ```ts
   * import { Bot } from "./bot.ts";
   * const bot = new Bot("123456:TOKEN");
   * // const msg = await bot.call("sendMessage", { chat_id: 42, text: "hi" });
   * ```
   */
  call<M extends MethodName>(
    method: M,
    params?: MethodParams<M>,
    options: CallOptions = {},
  ): Promise<MethodResult<M>> {
    return this.#caller(method, (params ?? {}) as Record<string, unknown>, {
      signal: options.signal,
    }) as Promise<MethodResult<M>>;
  }

  /**
   * The URL of a file on Telegram's file server (`file_path` from getFile).
   * **It contains the bot token**: do not log it or show it to anyone.
   *
   * @param filePath the `file_path` getFile returned
   * @returns the download URL
   * @throws {TelepotError} for a file_path with `.` or `..` segments
   * @example
   * ```ts
   * import { Bot } from "./bot.ts";
   * const bot = new Bot("123456:TOKEN");
   * const url = bot.getFileUrl("photos/file_1.jpg"); // secret: contains the token
   * ```
   */
  getFileUrl(filePath: string): string {
    return this.#client.fileUrl(filePath);
  }

  /**
   * Downloads a file: getFile, then a streamed GET from the file server. Without `dest`
   * it resolves to the bytes; with a path (Deno/Node/Bun) or a WritableStream it
   * streams there. The size is checked against Content-Length and getFile's file_size;
   * on any failure a partially written file is removed (a WritableStream is aborted).
   *
   * @param file a file_id, or a File object from getFile
   * @param dest a path, a `file:` URL or a WritableStream; omit it to get the bytes
   * @param options `signal` to abort the download
   * @returns the bytes when no `dest` is given
   * @example
   * ```ts
   * import { Bot } from "./bot.ts";
   * const bot = new Bot("123456:TOKEN");
   * // const bytes = await bot.downloadFile(msg.document.file_id);
   * // await bot.downloadFile(msg.photo[0].file_id, "./photo.jpg");
   * ```
   */
  async downloadFile<D extends DownloadDestination | undefined = undefined>(
    file: string | TelegramFile,
    dest?: D,
    options: CallOptions = {},
  ): Promise<D extends undefined ? Uint8Array : void> {
    const getFile = (fileId: string, o: CallOptions) => this.getFile(fileId, o);
    const { downloadFile } = await import("./core/download.ts"); // loaded on first use
    const bytes = await downloadFile(this.#client, getFile, file, dest, options);
    return bytes as D extends undefined ? Uint8Array : void;
  }

  /**
   * Long polling: calls getUpdates in a loop and hands every update's payload to
   * `handler` (default {@linkcode Bot.handle}), one at a time, in order. Resolves after
   * {@linkcode Bot.stop} (or `options.signal`); rejects when polling cannot succeed
   * (wrong token, wrong apiRoot, a webhook or a second instance).
   *
   * @param handler `(msg, update) => unknown`, plain or async
   * @param options `timeout` (long-poll seconds), `relax`, `allowedUpdates`, `offset`, `signal`...
   * @returns a promise that settles when the loop ends
   * @example
   * ```ts
   * import { Bot } from "./bot.ts";
   * const bot = new Bot("123456:TOKEN");
   * // await bot.messageLoop((msg) => console.log(msg), { timeout: 30 });
   * ```
   */
  messageLoop(handler?: UpdateHandler, options?: LoopOptions): Promise<void> {
    if (this.#loop?.running) {
      // Two loops would compete for getUpdates (409) and confirm each other's offsets.
      return Promise.reject(
        new TelepotError("messageLoop is already running; call stop() before starting another"),
      );
    }
    const loop = new UpdateLoop(
      this,
      handler ?? ((msg: unknown, update: Update) => this.handle(msg, update)),
      options,
    );
    this.#loop = loop;
    return loop.run();
  }

  /**
   * telepot's name of {@linkcode Bot.messageLoop}.
   *
   * @param handler `(msg, update) => unknown`, plain or async
   * @param options as for messageLoop
   * @returns a promise that settles when the loop ends
   * @example
   * ```ts
   * import { Bot } from "./bot.ts";
   * const bot = new Bot("123456:TOKEN");
   * // await bot.notifyOnMessage((msg) => console.log(msg));
   * ```
   */
  notifyOnMessage(handler?: UpdateHandler, options?: LoopOptions): Promise<void> {
    return this.messageLoop(handler, options);
  }

  /**
   * Ends the message loop gracefully: the pending getUpdates is aborted and the offset
   * of everything already handled is confirmed.
   *
   * @returns a promise that resolves when the loop has stopped
   * @example
   * ```ts
   * import { Bot } from "./bot.ts";
   * const bot = new Bot("123456:TOKEN");
   * await bot.stop(); // no loop running: resolves at once
   * ```
   */
  async stop(): Promise<void> {
    await this.#loop?.stop();
  }

  /**
   * What the message loop calls for each update when no handler is given: does
   * nothing here; subclasses override it.
   *
   * @param msg the update's payload (a Message, a CallbackQuery, ...)
   * @param update the whole Update
   * @returns nothing, or a promise the loop waits for
   * @example
   * ```ts
   * import { Bot } from "./bot.ts";
   * class EchoBot extends Bot {
   *   override async handle(msg: { chat: { id: number }; text?: string }) {
   *     if (msg.text) await this.sendMessage(msg.chat.id, msg.text);
   *   }
   * }
   * ```
   */
  handle(msg: unknown, update?: Update): unknown {
    void msg;
    void update;
    return undefined;
  }
}
