/**
 * The Microphone broadcasts incoming messages to listener queues. Unlike telepot's,
 * which pushed every message into every queue, it indexes queues by the literal
 * values their criteria pin down (a chat id, a user id), so the cost of a message
 * follows the number of listeners that could match it, not the number alive.
 * @module
 */

import { pick, type Route, type RouteValue } from "./capture.ts";

/**
 * Anything a Microphone can feed. `routes` says which messages it may want:
 * `null` or absent means all of them; otherwise only messages where, for some
 * route, the part at `path` equals `value`.
 */
export interface Receiver {
  /** Takes one message. */
  put(msg: unknown): void;
  /** The literals this receiver's messages pin down; `null`/absent: it wants everything. */
  readonly routes?: readonly Route[] | null;
}

/** What a MessageQueue offers messages to before queueing them (a Listener with a pending wait). */
export interface Consumer {
  /** Returns true if it took `msg` (then it is not queued). */
  offer(msg: unknown): boolean;
}

/** A FIFO queue of messages with awaitable `get()`, the queue type a Listener reads. */
export class MessageQueue implements Receiver {
  /** Which messages it may want (see {@linkcode Receiver.routes}); a Listener sets it. */
  routes: readonly Route[] | null = null;
  /**
   * Offered every message before it is queued; returning true means it took it
   * (a Listener with a pending wait takes messages directly).
   */
  consumer: Consumer | null = null;
  /** The last send() that reached it (a Microphone's duplicate check). */
  stamp = 0;
  /** Whether it is filed under several paths (then a message may reach it twice). */
  multi = false;
  #items: unknown[] | null = null;
  #head = 0;
  #waiters: ((msg: unknown) => void)[] | null = null;

  /** Number of messages waiting. */
  get size(): number {
    return this.#items === null ? 0 : this.#items.length - this.#head;
  }

  /** Adds a message; wakes the oldest waiting `get()` if there is one. */
  put(msg: unknown): void {
    if (this.consumer !== null && this.consumer.offer(msg)) return;
    const w = this.#waiters;
    if (w !== null && w.length > 0) {
      w.shift()!(msg);
      return;
    }
    (this.#items ??= []).push(msg);
  }

  /** Takes the oldest message without waiting, or `undefined` when empty. */
  poll(): { msg: unknown } | undefined {
    const items = this.#items;
    if (items === null) return undefined;
    const msg = items[this.#head];
    items[this.#head++] = undefined;
    if (this.#head === items.length) {
      this.#items = null;
      this.#head = 0;
    } else if (this.#head > 64 && this.#head * 2 > items.length) {
      this.#items = items.slice(this.#head);
      this.#head = 0;
    }
    return { msg };
  }

  /** Waits for the next message; `signal` rejects the wait with its reason. */
  get(signal?: AbortSignal): Promise<unknown> {
    const next = this.poll();
    if (next) return Promise.resolve(next.msg);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiters = this.#waiters ??= [];
      const onAbort = () => {
        const i = waiters.indexOf(deliver);
        if (i >= 0) waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const deliver = (msg: unknown) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(msg);
      };
      waiters.push(deliver);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Removes and returns every waiting message. */
  drain(): unknown[] {
    const rest = this.#items === null ? [] : this.#items.slice(this.#head);
    this.#items = null;
    this.#head = 0;
    return rest;
  }
}

type Bucket = Receiver | Receiver[];

interface PathIndex {
  readonly segments: readonly string[];
  readonly values: Map<RouteValue, Bucket>;
}

/**
 * Delivers every message to the receivers that may want it.
 *
 * @example
 * ```ts
 * import { MessageQueue, Microphone } from "./microphone.ts";
 * const mic = new Microphone();
 * const q = new MessageQueue();
 * q.routes = [["chat__id", 1]];
 * mic.add(q);
 * mic.send({ chat: { id: 2 } }); // not for q
 * mic.send({ chat: { id: 1 } }); // q.size === 1
 * ```
 */
export class Microphone {
  /** Receivers that see everything (no routes). */
  #everyone = new Set<Receiver>();
  /** path -> value -> receivers. */
  #index = new Map<string, PathIndex>();
  /** The routes each indexed receiver is filed under. */
  #filed = new Map<Receiver, readonly Route[] | null>();
  /** Other receivers filed under more than one path (a MessageQueue has a flag instead). */
  #multi = new Set<Receiver>();
  #stamp = 0;
  #seen = new WeakMap<Receiver, number>();

  /** Whether `r` already got the send() with this stamp; marks it as having got it. */
  #already(r: Receiver, stamp: number): boolean {
    if (r instanceof MessageQueue) {
      if (r.stamp === stamp) return true;
      r.stamp = stamp;
      return false;
    }
    if (this.#seen.get(r) === stamp) return true;
    this.#seen.set(r, stamp);
    return false;
  }

  /** Number of receivers added. */
  get size(): number {
    return this.#filed.size;
  }

  /** Starts feeding `receiver` (filed under its current `routes`). */
  add(receiver: Receiver): void {
    if (this.#filed.has(receiver)) this.#unfile(receiver);
    this.#file(receiver);
  }

  /** Stops feeding `receiver`. Removing one that was never added does nothing. */
  remove(receiver: Receiver): void {
    if (this.#filed.has(receiver)) this.#unfile(receiver);
    this.#filed.delete(receiver);
  }

  /** Whether `receiver` is being fed. */
  has(receiver: Receiver): boolean {
    return this.#filed.has(receiver);
  }

  /** Re-files a receiver whose `routes` changed. */
  reindex(receiver: Receiver): void {
    if (!this.#filed.has(receiver)) return;
    this.#unfile(receiver);
    this.#file(receiver);
  }

  /** Puts `msg` into every receiver that may want it, each at most once. */
  send(msg: unknown): void {
    // Size checks first: a bot with no listeners (or none filed by route) then allocates
    // no iterator per message.
    if (this.#everyone.size !== 0) { for (const r of this.#everyone) r.put(msg); }
    if (this.#index.size === 0) return;
    let stamp = 0;
    for (const entry of this.#index.values()) {
      const value = pick(msg, entry.segments);
      if (value === undefined) continue;
      const bucket = entry.values.get(value as RouteValue);
      if (bucket === undefined) continue;
      if (Array.isArray(bucket)) {
        for (const r of bucket.slice()) {
          if (r instanceof MessageQueue ? r.multi : this.#multi.has(r)) {
            if (stamp === 0) stamp = ++this.#stamp;
            if (this.#already(r, stamp)) continue;
          }
          r.put(msg);
        }
      } else {
        if (bucket instanceof MessageQueue ? bucket.multi : this.#multi.has(bucket)) {
          if (stamp === 0) stamp = ++this.#stamp;
          if (this.#already(bucket, stamp)) continue;
        }
        bucket.put(msg);
      }
    }
  }

  #file(r: Receiver): void {
    const routes = r.routes ?? null;
    this.#filed.set(r, routes);
    if (routes === null) {
      this.#everyone.add(r);
      return;
    }
    const multi = routes.some(([path]) => path !== routes[0][0]);
    if (r instanceof MessageQueue) r.multi = multi;
    else if (multi) this.#multi.add(r);
    for (const [path, value] of routes) {
      let entry = this.#index.get(path);
      if (entry === undefined) {
        entry = { segments: path.split("__"), values: new Map() };
        this.#index.set(path, entry);
      }
      const bucket = entry.values.get(value);
      if (bucket === undefined) entry.values.set(value, r);
      else if (Array.isArray(bucket)) {
        if (!bucket.includes(r)) bucket.push(r);
      } else if (bucket !== r) entry.values.set(value, [bucket, r]);
    }
  }

  #unfile(r: Receiver): void {
    const routes = this.#filed.get(r);
    if (routes === null || routes === undefined) {
      this.#everyone.delete(r);
      return;
    }
    this.#multi.delete(r);
    for (const [path, value] of routes) {
      const entry = this.#index.get(path);
      if (entry === undefined) continue;
      const bucket = entry.values.get(value);
      if (bucket === r) entry.values.delete(value);
      else if (Array.isArray(bucket)) {
        const i = bucket.indexOf(r);
        if (i >= 0) bucket.splice(i, 1);
        if (bucket.length === 1) entry.values.set(value, bucket[0]);
        else if (bucket.length === 0) entry.values.delete(value);
      }
      if (entry.values.size === 0) this.#index.delete(path);
    }
  }
}
