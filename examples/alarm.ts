/**
 * telepot's alarm: send a number of seconds, and the bot sends you an alarm after
 * that long. Each chat has a ChatHandler (closing after 10 idle seconds) that takes
 * the orders; the alarms themselves belong to the bot, so they ring even after the
 * handler closed, and `stop()` cancels every pending alarm cleanly (no timer left).
 *
 * Run: `deno run -A examples/alarm.ts <token>`
 * @module
 */

import { type BotOptions, DelegatorBot } from "../mod.ts";
import { createOpen, perChatId } from "../delegate.ts";
import { ChatHandler, type SeedTuple } from "../helper.ts";
import { delay } from "../src/time/timers.ts";
import { runExample } from "./_main.ts";

/** Takes alarm orders in one chat. */
export class AlarmSetter extends ChatHandler {
  readonly #alarms: AlarmBot;

  constructor(seedTuple: SeedTuple, timeout: number) {
    super(seedTuple, { timeout, includeCallbackQuery: false });
    this.#alarms = seedTuple[0] as AlarmBot;
  }

  async onChatMessage(msg: { text?: string }): Promise<void> {
    const seconds = Number(msg.text);
    if (!msg.text?.trim() || !Number.isFinite(seconds) || seconds < 0) {
      await this.sender.sendMessage("Not a number. No alarm set.");
      return;
    }
    this.#alarms.setAlarm(this.chatId as number, seconds);
    await this.sender.sendMessage(
      `Got it. Alarm is set at ${seconds.toFixed(1)} seconds from now.`,
    );
  }
}

/** Options of the alarm bot. */
export interface AlarmOptions extends BotOptions {
  /** Seconds of silence after which a chat's AlarmSetter closes. Default 10. */
  idle?: number;
}

/** A DelegatorBot that owns the alarms: they outlive handlers, and die with stop(). */
export class AlarmBot extends DelegatorBot {
  #alarms = new AbortController();
  readonly #pending = new Set<Promise<void>>();

  constructor(token: string, options: AlarmOptions = {}) {
    const { idle = 10, ...botOptions } = options;
    super(token, [[perChatId(), createOpen(AlarmSetter, idle)]], botOptions);
  }

  /** Number of alarms waiting to ring. */
  get pendingAlarms(): number {
    return this.#pending.size;
  }

  /** Rings in `chatId` after `seconds`, unless the bot stops first. */
  setAlarm(chatId: number, seconds: number): void {
    const signal = this.#alarms.signal;
    const alarm = delay(seconds * 1000, { signal })
      .then(() => this.sendMessage(chatId, "Beep beep, time to wake up!", { signal }))
      .then(() => {}, (err) => {
        if (!signal.aborted) console.error(`alarm for chat ${chatId} failed: ${err}`);
      })
      .finally(() => this.#pending.delete(alarm));
    this.#pending.add(alarm);
  }

  /** Stops the loop and the handlers, and cancels every pending alarm. */
  override async stop(): Promise<void> {
    await super.stop();
    this.#alarms.abort();
    await Promise.all(this.#pending);
    this.#alarms = new AbortController();
  }
}

/** The example bot (what `deno task demo` and the tests run). */
export function createBot(token: string, options: AlarmOptions = {}): AlarmBot {
  return new AlarmBot(token, options);
}

if (import.meta.main) await runExample("alarm", (token) => createBot(token));
