/**
 * Telegram's flood limits as data, and the sliding window that counts sends against a
 * limit. Shared by the throttler (which stays under the limits) and the emulator's flood
 * mode (which enforces them with 429 answers, as Telegram does).
 * @module
 */

/** At most `limit` sends in any `interval` milliseconds. */
export interface Rate {
  /** How many sends the window allows (a positive integer). */
  limit: number;
  /** The window's length in milliseconds. */
  interval: number;
}

/** The limits a bot must stay under; any left out take Telegram's value. */
export interface FloodLimits {
  /** All chats together (Telegram: about 30 messages per second). */
  overall?: Rate;
  /** One private chat (Telegram: about one message per second). */
  privateChat?: Rate;
  /** One group, supergroup or channel (Telegram: 20 messages per minute). */
  groupChat?: Rate;
}

/** Telegram's documented limits for bots. */
export const TELEGRAM_LIMITS: {
  readonly overall: Readonly<Rate>;
  readonly privateChat: Readonly<Rate>;
  readonly groupChat: Readonly<Rate>;
} = {
  overall: { limit: 30, interval: 1000 },
  privateChat: { limit: 1, interval: 1000 },
  groupChat: { limit: 20, interval: 60_000 },
};

/** `limits` completed with Telegram's values; throws RangeError on a malformed rate. */
export function floodLimits(limits: FloodLimits = {}): Required<FloodLimits> {
  const out = {
    overall: limits.overall ?? TELEGRAM_LIMITS.overall,
    privateChat: limits.privateChat ?? TELEGRAM_LIMITS.privateChat,
    groupChat: limits.groupChat ?? TELEGRAM_LIMITS.groupChat,
  };
  for (const [name, rate] of Object.entries(out)) {
    if (
      rate === null || typeof rate !== "object" || !Number.isInteger(rate.limit) ||
      rate.limit < 1 || typeof rate.interval !== "number" || !(rate.interval >= 0)
    ) {
      throw new RangeError(
        `flood limits: ${name} must be { limit: a positive integer, interval: ms >= 0 }`,
      );
    }
  }
  return out;
}

const NOT_COUNTED = new Set(["sendchataction", "sendmessagedraft", "sendrichmessagedraft"]);

/**
 * Whether a call posts a message into a chat and so counts against the flood limits:
 * every `send*` method (but chat actions and drafts), forwards and copies.
 */
export function postsMessage(method: string): boolean {
  const m = method.toLowerCase();
  if (m.startsWith("send")) return !NOT_COUNTED.has(m);
  return m.startsWith("forwardmessage") || m.startsWith("copymessage");
}

/** Whether a chat_id names a private chat (positive ids are users). */
export function isPrivateChatId(chatId: unknown): boolean {
  const n = typeof chatId === "number" ? chatId : typeof chatId === "string" ? Number(chatId) : NaN;
  return n > 0;
}

/**
 * The times of the last `limit` sends, in a ring: `nextAt(now)` says when the next send
 * is allowed (at `now` if the window is not full), `record(now)` counts one.
 *
 * @example
 * ```ts
 * import { SlidingWindow } from "./limits.ts";
 * const w = new SlidingWindow({ limit: 2, interval: 1000 });
 * w.record(0);
 * w.record(10);
 * console.log(w.nextAt(20)); // 1000: the send at 0 leaves the window then
 * ```
 */
export class SlidingWindow {
  readonly rate: Rate;
  readonly #times: number[] = [];
  #head = 0;

  constructor(rate: Rate) {
    this.rate = rate;
  }

  /** The earliest time (>= now) at which one more send stays within the rate. */
  nextAt(now: number): number {
    if (this.#times.length < this.rate.limit) return now;
    return Math.max(now, this.#times[this.#head] + this.rate.interval);
  }

  /** Counts a send at `now`. */
  record(now: number): void {
    if (this.#times.length < this.rate.limit) {
      this.#times.push(now);
      return;
    }
    this.#times[this.#head] = now;
    this.#head = (this.#head + 1) % this.rate.limit;
  }

  /** Whether every recorded send has left the window by `now` (the window can be dropped). */
  idle(now: number): boolean {
    if (this.#times.length === 0) return true;
    const newest = this.#times[(this.#head + this.#times.length - 1) % this.#times.length];
    return newest + this.rate.interval <= now;
  }
}
