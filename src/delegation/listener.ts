/**
 * Listener: waits for the next message that meets its capture criteria.
 * @module
 */

import {
  compile,
  type CompiledCriteria,
  type Criteria,
  routesOf,
  sameValue,
  testAny,
} from "./capture.ts";
import { StopListening, WaitTooLong } from "../core/errors/listening.ts";
import { deadlines, Timed } from "./deadlines.ts";
import { type Consumer, MessageQueue, type Microphone } from "./microphone.ts";

/** Options of a {@linkcode Listener}. */
export interface ListenerOptions {
  /** Seconds `wait()` waits for a matching message before throwing WaitTooLong; `null` = forever. */
  timeout?: number | null;
}

/** Options of {@linkcode Listener.wait}. */
export interface WaitOptions {
  /** Aborting it rejects the wait with `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * The delegate a listener belongs to (a DelegatorBot's seed record): told when the
 * listener takes a message and when a wait starts with nothing to take (the delegate
 * is done with what it had), and closing the listener when its `signal` aborts (so
 * waits on that signal need no abort listener of their own).
 */
export interface ListenerOwner {
  taken(msg: unknown): void;
  idle?(): void;
  readonly signal: AbortSignal | null;
}

const NONE: readonly never[] = Object.freeze([]);

/** A copy of `list` with `item` appended, allocated at its exact size (lists here are tiny). */
function append<T>(list: readonly T[], item: T): T[] {
  const out = new Array<T>(list.length + 1);
  for (let i = 0; i < list.length; i++) out[i] = list[i];
  out[list.length] = item;
  return out;
}

/** A pending `wait()`. */
class Waiter {
  constructor(
    readonly resolve: (msg: unknown) => void,
    readonly reject: (err: unknown) => void,
    readonly signal: AbortSignal | undefined,
    /** Seconds of the timeout it waits with (0: none). */
    readonly seconds: number,
    /** When it times out (the deadline scheduler's clock), Infinity for never. */
    readonly expiresAt: number,
  ) {}

  /** The next pending wait of the same listener. */
  next: Waiter | null = null;
}

/**
 * A listener's one idle timer. It is not moved for every wait (that would leave a
 * cancelled heap entry per message); it fires at the deadline it was set for, times
 * out the waits that are due, and re-arms for the earliest remaining one.
 */
class IdleTimer extends Timed {
  constructor(readonly expire: () => void) {
    super();
  }
}

/**
 * The delegate that owns each listener (internal to DelegatorBot). A module-level map
 * rather than a class static block: a static block is code that runs at import, which
 * keeps the whole helper in every bundle that merely imports this module.
 */
const owners = new WeakMap<Listener, ListenerOwner>();

/** Binds a listener to the delegate that owns it (internal to DelegatorBot). */
export function bindOwner(listener: Listener, owner: ListenerOwner): void {
  owners.set(listener, owner);
}

/**
 * Waits for messages matching its capture criteria. Get one from
 * `bot.createListener()` (a SpeakerBot or DelegatorBot), or build one on a
 * Microphone yourself; `close()` it when done so the microphone forgets it.
 *
 * @example
 * ```ts
 * import { Listener, MessageQueue, Microphone } from "../../helper.ts";
 * const mic = new Microphone();
 * const queue = new MessageQueue();
 * mic.add(queue);
 * const listener = new Listener(mic, queue);
 * listener.capture({ chat__id: 7 });
 * listener.setOptions({ timeout: 5 });
 * mic.send({ chat: { id: 7 }, text: "hi" });
 * const msg = await listener.wait(); // the message from chat 7
 * listener.close();
 * ```
 */
export class Listener implements Consumer {
  /** The microphone feeding this listener. */
  readonly mic: Microphone;
  /** The queue the microphone puts messages into. */
  readonly queue: MessageQueue;
  #criteria: readonly Criteria[] = NONE;
  #compiled: readonly CompiledCriteria[] = NONE;
  #timeout: number | null = null;
  #closed: unknown = undefined;
  #isClosed = false;
  /** Pending waits, oldest first, as a linked list (usually zero or one). */
  #first: Waiter | null = null;
  #last: Waiter | null = null;
  #timer: IdleTimer | null = null;
  /** Signals watched for pending waits, each with its abort listener. */
  #watched: readonly (readonly [AbortSignal, () => void])[] = NONE;

  /**
   * Creates a listener reading `queue`.
   *
   * @param mic the microphone that feeds `queue`
   * @param queue the queue to read (added to `mic` by whoever creates the listener)
   */
  constructor(mic: Microphone, queue: MessageQueue = new MessageQueue()) {
    this.mic = mic;
    this.queue = queue;
    queue.consumer = this;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#isClosed;
  }

  /** Whether a `wait()` is pending (its owner waits for a message). */
  get waiting(): boolean {
    return this.#first !== null;
  }

  /** Sets options; `timeout` is in seconds (`null` waits forever). */
  setOptions(options: ListenerOptions): void {
    if (options.timeout !== undefined) {
      const t = options.timeout;
      if (t !== null && !(typeof t === "number" && t >= 0)) {
        throw new RangeError(`timeout must be a number of seconds >= 0 or null, got ${t}`);
      }
      this.#timeout = t;
    }
  }

  /** The current options. */
  getOptions(): Required<ListenerOptions> {
    return { timeout: this.#timeout };
  }

  /**
   * Adds criteria: from now on `wait()` also returns messages meeting them.
   * Keys select parts of the message (`chat__id`, `_` for the whole), values are
   * literals, predicates, RegExps or nested criteria; all keys must hold.
   */
  capture(criteria: Criteria): void {
    if (criteria === null || typeof criteria !== "object" || Array.isArray(criteria)) {
      throw new TypeError("capture() takes an object of criteria, e.g. { chat__id: 42 }");
    }
    this.#criteria = append(this.#criteria, criteria);
    this.#compiled = append(this.#compiled, compile(criteria));
    this.#reroute();
  }

  /** Removes every criteria equal to `criteria` (predicates compare by identity). */
  cancelCapture(criteria: Criteria): void {
    this.#criteria = this.#criteria.filter((c) => !sameValue(c, criteria));
    this.#compiled = this.#criteria.map(compile);
    this.#reroute();
  }

  /** Removes all criteria. */
  clearCaptures(): void {
    this.#criteria = NONE;
    this.#compiled = NONE;
    this.#reroute();
  }

  /** A copy of the current list of criteria. */
  listCaptures(): Criteria[] {
    return [...this.#criteria];
  }

  #reroute(): void {
    this.queue.routes = routesOf(this.#criteria);
    this.mic.reindex(this.queue);
  }

  /**
   * Waits for the next message meeting any of the criteria; messages that meet
   * none are dropped. Throws a TypeError when there are no criteria (it would wait
   * forever), {@linkcode WaitTooLong} after `timeout` seconds, `signal.reason` when
   * the signal aborts, and the close reason once the listener is closed.
   *
   * @param options an AbortSignal, or `{ signal }`
   */
  // deno-lint-ignore no-explicit-any
  wait(options?: AbortSignal | WaitOptions): Promise<any> {
    const signal = options instanceof AbortSignal ? options : options?.signal;
    if (this.#isClosed) return Promise.reject(this.#closed);
    if (this.#criteria.length === 0) {
      return Promise.reject(
        new TypeError(
          "Listener has no capture criteria, wait() would wait forever: call capture() first",
        ),
      );
    }
    if (signal?.aborted) return Promise.reject(signal.reason);
    for (let next = this.queue.poll(); next !== undefined; next = this.queue.poll()) {
      owners.get(this)?.taken(next.msg);
      if (testAny(next.msg, this.#compiled)) return Promise.resolve(next.msg);
    }
    return new Promise((resolve, reject) => {
      const timeout = this.#timeout;
      const at = timeout === null ? Infinity : deadlines().now() + timeout * 1000;
      const w = new Waiter(resolve, reject, signal, timeout ?? 0, at);
      if (signal !== undefined && signal !== owners.get(this)?.signal && !this.#watching(signal)) {
        this.#watch(signal);
      }
      if (timeout !== null) this.#arm(at);
      if (this.#last === null) this.#first = w;
      else this.#last.next = w;
      this.#last = w;
      owners.get(this)?.idle?.();
    });
  }

  #watching(signal: AbortSignal): boolean {
    for (const [s] of this.#watched) if (s === signal) return true;
    return false;
  }

  /** Makes sure the idle timer fires no later than `at`. */
  #arm(at: number): void {
    const timer = this.#timer;
    if (timer !== null && timer.scheduled && timer.at <= at) return; // it re-arms when it fires
    if (timer !== null && timer.scheduled) deadlines().cancel(timer);
    const next = timer !== null && !timer.inHeap ? timer : new IdleTimer(() => this.#expire());
    this.#timer = next;
    deadlines().addAt(next, at);
  }

  /** The idle timer fired: time out the waits that are due, re-arm for the others. */
  #expire(): void {
    const now = deadlines().now();
    let earliest = Infinity;
    for (const w of this.#pending()) {
      if (w.expiresAt <= now) this.#settle(w, false, new WaitTooLong(w.seconds));
      else earliest = Math.min(earliest, w.expiresAt);
    }
    if (earliest !== Infinity) this.#arm(earliest);
  }

  /** The pending waits, as an array (a snapshot). */
  #pending(): Waiter[] {
    const out: Waiter[] = [];
    for (let w = this.#first; w !== null; w = w.next) out.push(w);
    return out;
  }

  /**
   * Rejects pending waits of `signal` when it aborts. A signal stays watched until the
   * listener closes, or until another signal is needed while no wait uses it, so a
   * delegate waiting again and again with one signal adds one abort listener in all.
   */
  #watch(signal: AbortSignal): void {
    const inUse = (s: AbortSignal) => {
      for (let w = this.#first; w !== null; w = w.next) if (w.signal === s) return true;
      return false;
    };
    this.#watched = this.#watched.filter(([s, onAbort]) => {
      if (inUse(s)) return true;
      s.removeEventListener("abort", onAbort);
      return false;
    });
    const onAbort = () => {
      for (const w of this.#pending()) {
        if (w.signal === signal) this.#settle(w, false, signal.reason);
      }
    };
    signal.addEventListener("abort", onAbort, { once: true });
    this.#watched = append(this.#watched, [signal, onAbort] as const);
  }

  #unwatch(): void {
    for (const [s, onAbort] of this.#watched) s.removeEventListener("abort", onAbort);
    this.#watched = NONE;
  }

  /**
   * The queue offers a message (internal): a pending wait takes it, and drops it if it
   * does not match; without a pending wait the queue keeps it.
   */
  offer(msg: unknown): boolean {
    const w = this.#first;
    if (w === null) return false;
    owners.get(this)?.taken(msg);
    if (testAny(msg, this.#compiled)) this.#settle(w, true, msg);
    return true;
  }

  #settle(w: Waiter, ok: boolean, value: unknown): void {
    if (this.#first === w) {
      this.#first = w.next;
      if (this.#first === null) this.#last = null;
    } else {
      let prev = this.#first;
      while (prev !== null && prev.next !== w) prev = prev.next;
      if (prev === null) return;
      prev.next = w.next;
      if (this.#last === w) this.#last = prev;
    }
    w.next = null;

    if (ok) w.resolve(value);
    else w.reject(value);
  }

  /**
   * Stops listening: the microphone forgets the queue, a pending `wait()` and every
   * later one reject with `reason` (default {@linkcode StopListening}).
   * Returns the messages that were queued but never waited for.
   */
  close(reason: unknown = new StopListening()): unknown[] {
    if (!this.#isClosed) {
      this.#isClosed = true;
      this.#closed = reason;
      this.mic.remove(this.queue);
      for (const w of this.#pending()) this.#settle(w, false, reason);
      this.#unwatch();
      if (this.#timer?.scheduled) deadlines().cancel(this.#timer);
    }
    return this.queue.drain();
  }
}
