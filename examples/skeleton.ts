/**
 * telepot's skeleton: a bot that glances at everything it gets and logs one line
 * per update. Start here for a bot of your own.
 *
 * Run: `deno run -A examples/skeleton.ts <token>`
 * @module
 */

import { Bot, type BotOptions, flavor, glance, type Update } from "../mod.ts";
import { runExample } from "./_main.ts";

/** Options of the skeleton bot. */
export interface SkeletonOptions extends BotOptions {
  /** Where the lines go. Default `console.log`. */
  log?: (line: string) => void;
}

/** Logs what every update is: for a message its content type, chat type and chat id. */
export class SkeletonBot extends Bot {
  readonly #log: (line: string) => void;

  constructor(token: string, options: SkeletonOptions = {}) {
    super(token, options);
    this.#log = options.log ?? console.log;
  }

  override handle(msg: unknown, update?: Update): void {
    if (update === undefined) return;
    const kind = flavor(update);
    if (kind === "message" || kind === "edited_message" || kind === "channel_post") {
      const [contentType, chatType, chatId] = glance(msg as never);
      this.#log(`${kind}: ${contentType} ${chatType} ${chatId}`);
    } else if (kind === "callback_query") {
      const [id, fromId, data] = glance(msg as never, { flavor: "callback_query" });
      this.#log(`callback_query: ${id} ${fromId} ${data}`);
    } else if (kind === "inline_query") {
      const [id, fromId, query] = glance(msg as never, { flavor: "inline_query" });
      this.#log(`inline_query: ${id} ${fromId} ${query}`);
    } else {
      this.#log(`${kind}`);
    }
  }
}

/** The example bot (what `deno task demo` and the tests run). */
export function createBot(token: string, options: SkeletonOptions = {}): SkeletonBot {
  return new SkeletonBot(token, options);
}

if (import.meta.main) await runExample("skeleton", (token) => createBot(token));
