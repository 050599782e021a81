/**
 * telepot's counter: counts the messages of each chat and answers with the count.
 * One ChatHandler per chat (the DelegatorBot keeps one live per chat id); after
 * `timeout` seconds of silence it closes, and the next message starts over at 1.
 *
 * Run: `deno run -A examples/counter.ts <token>`
 * @module
 */

import { type BotOptions, DelegatorBot } from "../mod.ts";
import { createOpen, perChatId } from "../delegate.ts";
import { ChatHandler } from "../helper.ts";
import { runExample } from "./_main.ts";

/** Counts the messages of one chat. */
export class MessageCounter extends ChatHandler {
  #count = 0;

  async onChatMessage(): Promise<void> {
    this.#count++;
    await this.sender.sendMessage(String(this.#count));
  }
}

/** Options of the counter bot. */
export interface CounterOptions extends BotOptions {
  /** Seconds of silence after which a chat's count starts over. Default 10. */
  idle?: number;
}

/** The example bot (what `deno task demo` and the tests run). */
export function createBot(token: string, options: CounterOptions = {}): DelegatorBot {
  const { idle = 10, ...botOptions } = options;
  return new DelegatorBot(token, [
    [perChatId(), createOpen(MessageCounter, { timeout: idle })],
  ], botOptions);
}

if (import.meta.main) await runExample("counter", (token) => createBot(token));
