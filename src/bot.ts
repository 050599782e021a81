// SEED: minimal Bot so dependent work can start; the Bot issue owns and grows this file.
import type { ApiMethods } from "@grammyjs/types";
import { BadHTTPResponse, TelegramError } from "./errors.ts";

/** Options of {@linkcode Bot}. */
export interface BotOptions {
  /** Where the Bot API lives. Default `https://api.telegram.org`. */
  apiRoot?: string;
  /** The fetch to use. Default the global one. */
  fetch?: typeof fetch;
  /** Per-request timeout in milliseconds. */
  timeout?: number;
}

/** A Bot API client. */
export class Bot {
  readonly #token: string;
  readonly apiRoot: string;
  readonly #fetch: typeof fetch;

  constructor(token: string, options: BotOptions = {}) {
    this.#token = token;
    this.apiRoot = (options.apiRoot ?? "https://api.telegram.org").replace(/\/+$/, "");
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Calls any Bot API method by name. */
  async call<M extends keyof ApiMethods<unknown>>(
    method: M,
    params?: Parameters<ApiMethods<unknown>[M]>[0],
    options: { signal?: AbortSignal } = {},
  ): Promise<ReturnType<ApiMethods<unknown>[M]>> {
    let res: Response;
    try {
      res = await this.#fetch(`${this.apiRoot}/bot${this.#token}/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(params ?? {}),
        signal: options.signal,
      });
    } catch (err) {
      throw new BadHTTPResponse(method, undefined, "network failure", {
        cause: String(err).replaceAll(this.#token, "<token>"),
      });
    }
    const text = await res.text();
    let body: { ok: boolean; result?: unknown; error_code?: number; description?: string };
    try {
      body = JSON.parse(text);
    } catch {
      throw new BadHTTPResponse(method, res.status, `non-JSON answer (HTTP ${res.status})`);
    }
    if (!body.ok) {
      throw new TelegramError(method, body.error_code ?? res.status, body.description ?? "");
    }
    return body.result as ReturnType<ApiMethods<unknown>[M]>;
  }
}
