/**
 * The bot's queue of pending updates: ids, confirmation by offset, the allowed_updates
 * filter, and the single long-poll waiter.
 * @module
 */

import { startTimer } from "../time/timers.ts";

/** An update as stored: `update_id` plus exactly one payload field. */
export type StoredUpdate = { update_id: number } & Record<string, unknown>;

/** Update kinds a bot does not get unless it asks for them in allowed_updates. */
export const OPT_IN_UPDATES: ReadonlySet<string> = new Set([
  "chat_member",
  "message_reaction",
  "message_reaction_count",
]);

/** The kind of an update: its first field other than update_id. */
export function updateKind(update: Record<string, unknown>): string {
  for (const key in update) if (key !== "update_id") return key;
  return "";
}

/** How a long-poll wait ended. */
export type WaitOutcome = "update" | "timeout" | "terminated" | "aborted" | "closed";

/** FIFO of updates with amortized O(1) push, confirm and peek. */
export class UpdateQueue {
  #items: StoredUpdate[] = [];
  #head = 0;
  #nextId: number;
  #allowed: Set<string> | null = null;
  #waiter: ((outcome: WaitOutcome) => void) | null = null;
  /** Called after every push (the webhook deliverer listens here). */
  onPush: (() => void) | null = null;

  constructor(firstId = 1) {
    this.#nextId = firstId;
  }

  /** Number of updates not yet confirmed. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** The allowed_updates setting: null means the default (all but the opt-in kinds). */
  get allowedUpdates(): string[] | null {
    return this.#allowed ? [...this.#allowed] : null;
  }

  /** Whether an update of `kind` would be queued now. */
  allows(kind: string): boolean {
    return this.#allowed ? this.#allowed.has(kind) : !OPT_IN_UPDATES.has(kind);
  }

  /** Applies an allowed_updates parameter (undefined keeps the previous setting). */
  setAllowed(list: readonly string[] | undefined): void {
    if (list === undefined) return;
    this.#allowed = list.length === 0 ? null : new Set(list);
  }

  /**
   * Queues an update, assigning its update_id. Returns undefined when the allowed_updates
   * filter drops it (unless `force`).
   */
  push(payload: Record<string, unknown>, force = false): StoredUpdate | undefined {
    const rest: Record<string, unknown> = { ...payload };
    delete rest.update_id;
    if (!force && !this.allows(updateKind(rest))) return undefined;
    const update = { update_id: this.#nextId++, ...rest } as StoredUpdate;
    this.#items.push(update);
    this.#waiter?.("update");
    this.onPush?.();
    return update;
  }

  /** Confirms updates as getUpdates' `offset` does (negative: keep only the last -offset). */
  confirm(offset: number): void {
    if (offset < 0) {
      const keep = Math.min(this.size, -offset);
      this.#head = this.#items.length - keep;
    } else {
      while (this.#head < this.#items.length && this.#items[this.#head].update_id < offset) {
        this.#head++;
      }
    }
    this.#compact();
  }

  /** Drops the oldest update (after a webhook delivered it). */
  shift(): void {
    if (this.#head < this.#items.length) this.#head++;
    this.#compact();
  }

  /** The oldest update, if any. */
  first(): StoredUpdate | undefined {
    return this.#items[this.#head];
  }

  /** Up to `limit` of the oldest updates, without confirming them. */
  peek(limit: number): StoredUpdate[] {
    return this.#items.slice(this.#head, this.#head + limit);
  }

  /** Forgets every pending update. */
  clear(): void {
    this.#items = [];
    this.#head = 0;
  }

  /**
   * Waits until an update is queued, `ms` pass, `signal` aborts, another wait starts
   * ("terminated") or {@linkcode UpdateQueue.closeWaiter} is called.
   */
  wait(ms: number, signal?: AbortSignal): Promise<WaitOutcome> {
    this.#waiter?.("terminated");
    if (signal?.aborted) return Promise.resolve("aborted");
    return new Promise((resolve) => {
      const done = (outcome: WaitOutcome) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (this.#waiter === done) this.#waiter = null;
        resolve(outcome);
      };
      const onAbort = () => done("aborted");
      const timer = startTimer(() => done("timeout"), ms);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiter = done;
    });
  }

  /** Ends a pending wait as "terminated" (another getUpdates arrived). */
  terminateWaiter(): void {
    this.#waiter?.("terminated");
  }

  /** Ends a pending wait as "closed". */
  closeWaiter(): void {
    this.#waiter?.("closed");
  }

  #compact(): void {
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }
}
