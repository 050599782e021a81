/**
 * telepot's number guessing game. Send anything to start: the bot picks an integer
 * from 0 to 99; a Listener waits for each next message of the chat; the bot answers
 * "larger" or "smaller" until the guess is right. Anything that is not a number
 * gets a hint. Silence for `timeout` seconds ends the game.
 *
 * Run: `deno run -A examples/guess.ts <token>`
 * @module
 */

import { type BotOptions, DelegatorBot, glance } from "../mod.ts";
import { createRun, perChatId } from "../delegate.ts";
import { ChatHandler, type SeedTuple, WaitTooLong } from "../helper.ts";
import { runExample } from "./_main.ts";

/** Options of a game. */
export interface PlayerOptions {
  /** Seconds the player may think before the game expires. Default 30. */
  timeout?: number;
  /** Picks the number to guess. Default: a random integer from 0 to 99. */
  pick?: () => number;
}

/** One game in one chat. */
export class Player extends ChatHandler {
  /** The number to guess. */
  readonly answer: number;

  constructor(seedTuple: SeedTuple, options: PlayerOptions = {}) {
    super(seedTuple, { timeout: options.timeout ?? 30, includeCallbackQuery: false });
    this.answer = (options.pick ?? (() => Math.floor(Math.random() * 100)))();
  }

  /** Plays until the number is guessed, the player is silent too long, or the bot stops. */
  async run(): Promise<void> {
    await this.sender.sendMessage("Guess my number");
    try {
      for (;;) {
        const msg = await this.listener.wait(this.signal);
        const [contentType] = glance(msg);
        const guess = contentType === "text" && /^\s*-?\d+\s*$/.test(msg.text)
          ? Number(msg.text)
          : Number.NaN;
        if (Number.isNaN(guess)) {
          await this.sender.sendMessage("Give me a number, please.");
        } else if (guess === this.answer) {
          await this.sender.sendMessage("Correct!");
          return;
        } else {
          await this.sender.sendMessage(this.answer > guess ? "larger" : "smaller");
        }
      }
    } catch (err) {
      if (err instanceof WaitTooLong) {
        await this.sender.sendMessage(`Game expired. The answer is ${this.answer}`);
      } else if (!this.signal.aborted) {
        throw err;
      }
    }
  }
}

/** The example bot (what `deno task demo` and the tests run). */
export function createBot(token: string, options: BotOptions & PlayerOptions = {}): DelegatorBot {
  const { timeout, pick, ...botOptions } = options;
  return new DelegatorBot(token, [
    [perChatId(), createRun(Player, { timeout, pick })],
  ], botOptions);
}

if (import.meta.main) await runExample("guess", (token) => createBot(token));
