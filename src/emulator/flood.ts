/**
 * The emulator's flood mode: Telegram's limits on how fast a bot may post messages,
 * enforced the way Telegram does it (a 429 with `retry_after`, nothing executed).
 * @module
 */
import { type FloodLimits, floodLimits, SlidingWindow } from "../flood/limits.ts";

/** Counts message posts per chat and overall against the limits. */
export class FloodControl {
  readonly limits: Required<FloodLimits>;
  readonly #overall: SlidingWindow;
  readonly #chats = new Map<number | string, SlidingWindow>();
  #sweepAt = 1024;

  constructor(limits: FloodLimits = {}) {
    this.limits = floodLimits(limits);
    this.#overall = new SlidingWindow(this.limits.overall);
  }

  /**
   * Admits one message post to `chat` at `now` (ms) and returns 0, or returns how many
   * milliseconds must pass before it would be admitted (then nothing is counted).
   */
  admit(chat: number | string, isPrivate: boolean, now: number): number {
    let window = this.#chats.get(chat);
    if (window === undefined) {
      if (this.#chats.size >= this.#sweepAt) this.#sweep(now);
      window = new SlidingWindow(isPrivate ? this.limits.privateChat : this.limits.groupChat);
      this.#chats.set(chat, window);
    }
    const at = Math.max(window.nextAt(now), this.#overall.nextAt(now));
    if (at > now) return at - now;
    window.record(now);
    this.#overall.record(now);
    return 0;
  }

  #sweep(now: number): void {
    for (const [chat, window] of this.#chats) if (window.idle(now)) this.#chats.delete(chat);
    this.#sweepAt = Math.max(1024, this.#chats.size * 2);
  }
}
