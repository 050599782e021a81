/**
 * Duplicate suppression: a bounded memory of the update_ids handed to a bot, so an
 * update that comes again (re-sent after a crash or a lost confirmation, a webhook
 * retry after a late answer) is recognised and not handled twice. Used by the update
 * loop (one window per bot, kept across `messageLoop()` runs) and by `webhookCallback`.
 * @module
 */

/** How many update_ids are remembered by default (the update loop and webhooks). */
export const DEFAULT_DEDUPE_WINDOW = 1000;

/**
 * The last `capacity` distinct update_ids seen, oldest forgotten first. Memory is
 * bounded by `capacity` (a ring of ids plus a Set of them), whatever the traffic:
 * an id is recognised as a repeat while fewer than `capacity` other ids came after
 * it. A capacity of 0 remembers nothing (every id is new).
 *
 * @example
 * ```ts
 * import { RecentUpdateIds } from "./dedupe.ts";
 * const seen = new RecentUpdateIds(2);
 * seen.add(1); // true: new
 * seen.add(1); // false: a repeat
 * seen.add(2);
 * seen.add(3); // 1 is forgotten now
 * seen.has(1); // false
 * ```
 */
export class RecentUpdateIds {
  /** Each remembered id, with its slot in the ring. */
  readonly #ids = new Map<number, number>();
  #ring: Float64Array;
  #next = 0;
  #filled = 0;

  /**
   * @param capacity how many ids to remember (an integer >= 0)
   * @throws {RangeError} for a negative or non-integer capacity
   */
  constructor(capacity: number = DEFAULT_DEDUPE_WINDOW) {
    if (!Number.isSafeInteger(capacity) || capacity < 0) {
      throw new RangeError(`the dedupe window must be an integer >= 0, got ${capacity}`);
    }
    this.#ring = new Float64Array(capacity);
  }

  /** How many ids it remembers at most. */
  get capacity(): number {
    return this.#ring.length;
  }

  /** How many ids it remembers now. */
  get size(): number {
    return this.#ids.size;
  }

  /** Whether `id` was added and not yet forgotten. */
  has(id: number): boolean {
    return this.#ids.has(id);
  }

  /**
   * Remembers `id`. Returns false when it was already remembered (a repeat: do not
   * handle it again), true when it is new.
   */
  add(id: number): boolean {
    const ring = this.#ring;
    if (ring.length === 0) return true;
    const ids = this.#ids;
    if (ids.has(id)) return false;
    const slot = this.#next;
    if (this.#filled === ring.length) {
      // The oldest slot is forgotten, unless its id was deleted and added again since:
      // then the id lives in a newer slot, and this one is stale.
      const old = ring[slot];
      if (ids.get(old) === slot) ids.delete(old);
    } else this.#filled++;
    ring[slot] = id;
    this.#next = slot + 1 === ring.length ? 0 : slot + 1;
    ids.set(id, slot);
    return true;
  }

  /**
   * Forgets `id` (an update handed over whose work did not finish, so that it is
   * handled again when it comes back). Its slot in the ring is reused in turn.
   */
  delete(id: number): void {
    this.#ids.delete(id);
  }
}
