/**
 * One timer for many deadlines. Every Listener wait with a timeout needs a
 * deadline, and a ChatHandler sets a new one for each message it receives; a
 * runtime timer per wait costs microseconds to create and cancel, which would make
 * idle timeouts the most expensive part of dispatching a message. Here a deadline is
 * an entry in a binary heap (cancelled ones are dropped lazily), and a single
 * runtime timer is armed for the earliest live one. No live deadline, no timer:
 * nothing keeps the process alive.
 * @module
 */

import { startTimer } from "../time/timers.ts";

/**
 * Something with a deadline: extend it and implement `expire()`. It can be
 * scheduled again after it expired; after a cancel it may still sit in the heap
 * (removed lazily), and then cannot be scheduled again until it is gone.
 */
export abstract class Timed {
  /** When it expires (ms, the scheduler's clock); meaningful while scheduled. */
  at = 0;
  /** Whether it is scheduled and has not expired or been cancelled. */
  scheduled = false;
  /** Whether the heap still holds it (cancelled entries leave lazily). */
  inHeap = false;
  /** Called once when the deadline passes. */
  abstract expire(): void;
}

/** A heap of deadlines behind one runtime timer. */
export class DeadlineScheduler {
  #heap: Timed[] = [];
  #live = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #armedFor = Infinity;
  readonly #now: () => number;

  /** @param now the clock in milliseconds (default `Date.now`) */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Number of deadlines that will still fire. */
  get size(): number {
    return this.#live;
  }

  /** The scheduler's clock, in milliseconds. */
  now(): number {
    return this.#now();
  }

  /** Schedules `t.expire()` in `ms` milliseconds. */
  add(t: Timed, ms: number): void {
    this.addAt(t, this.#now() + Math.max(0, ms));
  }

  /** Schedules `t.expire()` at `at` (the scheduler's clock). */
  addAt(t: Timed, at: number): void {
    if (t.inHeap) throw new Error("this Timed is still in the heap: use a new one");
    t.at = at;
    t.scheduled = true;
    t.inHeap = true;
    this.#push(t);
    this.#live++;
    if (t.at < this.#armedFor) this.#arm();
  }

  /** Unschedules `t` (no-op if it is not scheduled). */
  cancel(t: Timed): void {
    if (!t.scheduled) return;
    t.scheduled = false;
    this.#live--;
    if (this.#live === 0) {
      this.#disarm();
      this.#clear();
    } else if (this.#heap.length > 64 && this.#heap.length > 4 * this.#live) {
      this.#compact();
    }
  }

  #arm(): void {
    this.#disarm();
    const head = this.#heap[0];
    if (head === undefined) return;
    this.#armedFor = head.at;
    this.#timer = startTimer(() => this.#fire(), head.at - this.#now());
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = this.#now();
    const due: Timed[] = [];
    for (
      let head = this.#heap[0];
      head !== undefined && (!head.scheduled || head.at <= now);
      head = this.#heap[0]
    ) {
      this.#pop();
      head.inHeap = false;
      if (head.scheduled) {
        head.scheduled = false;
        this.#live--;
        due.push(head);
      }
    }
    if (this.#live > 0) this.#arm();
    else this.#clear();
    for (const t of due) t.expire();
  }

  /** Empties the heap (only cancelled entries are left in it). */
  #clear(): void {
    for (const t of this.#heap) t.inHeap = false;
    this.#heap = [];
  }

  #compact(): void {
    for (const t of this.#heap) if (!t.scheduled) t.inHeap = false;
    const h = this.#heap.filter((t) => t.scheduled);
    this.#heap = h;
    for (let i = (h.length >> 1) - 1; i >= 0; i--) this.#down(i, h[i]);
  }

  #push(t: Timed): void {
    const h = this.#heap;
    let i = h.length;
    h.push(t);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent].at <= t.at) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = t;
  }

  #pop(): void {
    const last = this.#heap.pop()!;
    if (this.#heap.length > 0) this.#down(0, last);
  }

  /** Sifts `t` down from index `i`. */
  #down(i: number, t: Timed): void {
    const h = this.#heap;
    const n = h.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && h[r].at < h[l].at ? r : l;
      if (h[c].at >= t.at) break;
      h[i] = h[c];
      i = c;
    }
    h[i] = t;
  }
}

let shared: DeadlineScheduler | undefined;

/** The scheduler listeners use (created on first use). */
export function deadlines(): DeadlineScheduler {
  return shared ??= new DeadlineScheduler();
}
