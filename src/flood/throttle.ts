/**
 * `throttler()`: a transformer that keeps a bot under Telegram's flood limits (about 30
 * messages a second overall, one a second per private chat, 20 a minute per group) so
 * it is never answered 429, however much it sends at once.
 *
 * Calls that post a message (`send*` but chat actions and drafts, forwards, copies) wait
 * in one queue per chat; a chat's next call starts only after its previous one
 * finished (so a chat's messages keep their order, even while an `autoRetry` inside
 * repeats one) and when both the chat's window and the overall window allow it. Among
 * chats that may send, the one that has waited longest goes first. Other calls pass
 * straight through.
 * @module
 */
import type { ApiCaller, CallOptions, Transformer } from "../core/transformer.ts";
import { type Clock, realClock } from "../time/clock.ts";
import {
  type FloodLimits,
  floodLimits,
  isPrivateChatId,
  postsMessage,
  SlidingWindow,
} from "./limits.ts";

/** Options of {@linkcode throttler}: the limits (Telegram's unless given), and more. */
export interface ThrottlerOptions extends FloodLimits {
  /** Which calls are throttled (default: the ones that post a message into a chat). */
  methods?: (method: string) => boolean;
  /** Where time comes from (default the wall clock); tests pass a virtual one. */
  clock?: Clock;
}

/** A throttling transformer, with a look at its queues. */
export interface Throttler extends Transformer {
  /** Calls waiting in the queues (not yet started). */
  readonly queued: number;
}

interface Job {
  next: ApiCaller;
  method: string;
  params: Record<string, unknown>;
  options: CallOptions;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
  cancelled: boolean;
  onAbort?: () => void;
}

class ChatQueue {
  readonly window: SlidingWindow;
  jobs: Job[] = [];
  head = 0;
  busy = false;
  inHeap = false;
  readyAt = 0;
  order = 0;
  pausedUntil = 0;

  constructor(window: SlidingWindow) {
    this.window = window;
  }

  get size(): number {
    return this.jobs.length - this.head;
  }

  peek(): Job | undefined {
    return this.jobs[this.head];
  }

  shift(): Job | undefined {
    const job = this.jobs[this.head++];
    if (this.head > 64 && this.head * 2 > this.jobs.length) {
      this.jobs = this.jobs.slice(this.head);
      this.head = 0;
    }
    return job;
  }
}

/** A binary min-heap of chats by (readyAt, order). */
class ReadyHeap {
  readonly #items: ChatQueue[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): ChatQueue | undefined {
    return this.#items[0];
  }

  #less(a: ChatQueue, b: ChatQueue): boolean {
    return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.order < b.order);
  }

  push(chat: ChatQueue): void {
    const items = this.#items;
    items.push(chat);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  pop(): ChatQueue | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && this.#less(items[l], items[m])) m = l;
        if (r < items.length && this.#less(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}

/**
 * The throttler's state: one queue per chat, the ready chats in a heap by the time they
 * may send next, and one pump that releases them within the overall window.
 * Exported for the tests only (not from mod.ts); users call {@linkcode throttler}.
 * @internal
 */
export class Throttle {
  readonly #limits: Required<FloodLimits>;
  readonly #throttled: (method: string) => boolean;
  readonly #clock: Clock;
  readonly #overall: SlidingWindow;
  readonly #chats = new Map<string, ChatQueue>();
  readonly #heap = new ReadyHeap();
  #order = 0;
  #queued = 0;
  #pumping = false;
  #wake: (() => void) | null = null;
  #sleepingUntil = Infinity;
  #sweepAt = 1024;

  constructor(options: ThrottlerOptions) {
    this.#limits = floodLimits({
      overall: options.overall,
      privateChat: options.privateChat,
      groupChat: options.groupChat,
    });
    this.#throttled = options.methods ?? postsMessage;
    this.#clock = options.clock ?? realClock;
    this.#overall = new SlidingWindow(this.#limits.overall);
  }

  /** Calls waiting in the queues (not yet started). */
  get queued(): number {
    return this.#queued;
  }

  /**
   * Diagnostics: how many chats' state is kept (queue and window). Idle chats are
   * forgotten by `#sweep` once this reaches the sweep mark, so it stays bounded.
   * @internal
   */
  get chats(): number {
    return this.#chats.size;
  }

  /** The transformer: queues a throttled call in its chat, passes any other through. */
  call(
    next: ApiCaller,
    method: string,
    params: Record<string, unknown>,
    options: CallOptions,
  ): Promise<unknown> {
    const chatId = params.chat_id;
    if (!this.#throttled(method) || (typeof chatId !== "number" && typeof chatId !== "string")) {
      return next(method, params, options);
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const chat = this.#chat(chatId);
    return new Promise((resolve, reject) => {
      this.#enqueue(chat, { next, method, params, options, resolve, reject, cancelled: false });
    });
  }

  /** The queue of a chat, made (with the chat's window) on its first call. */
  #chat(chatId: number | string): ChatQueue {
    const key = String(chatId);
    let chat = this.#chats.get(key);
    if (chat === undefined) {
      if (this.#chats.size >= this.#sweepAt) this.#sweep();
      const rate = isPrivateChatId(chatId) ? this.#limits.privateChat : this.#limits.groupChat;
      chat = new ChatQueue(new SlidingWindow(rate));
      this.#chats.set(key, chat);
    }
    return chat;
  }

  /** Queues a job; its signal, until it starts, takes it out again. */
  #enqueue(chat: ChatQueue, job: Job): void {
    const signal = job.options.signal;
    if (signal) {
      job.onAbort = () => {
        if (job.cancelled) return;
        job.cancelled = true;
        this.#queued--;
        job.reject(signal.reason);
      };
      signal.addEventListener("abort", job.onAbort, { once: true });
    }
    chat.jobs.push(job);
    this.#queued++;
    if (!chat.busy && !chat.inHeap) this.#schedule(chat);
  }

  /** Puts a chat with work into the heap, and gets the pump going (or wakes it earlier). */
  #schedule(chat: ChatQueue): void {
    const now = this.#clock.now();
    chat.readyAt = Math.max(chat.window.nextAt(now), chat.pausedUntil);
    chat.order = this.#order++;
    chat.inHeap = true;
    this.#heap.push(chat);
    if (!this.#pumping) void this.#pump();
    else if (this.#wake !== null && chat.readyAt < this.#sleepingUntil) this.#wake();
  }

  /** Forgets the chats with nothing queued, running or remembered in their windows. */
  #sweep(): void {
    const now = this.#clock.now();
    for (const [key, chat] of this.#chats) {
      if (chat.size === 0 && !chat.busy && chat.pausedUntil <= now && chat.window.idle(now)) {
        this.#chats.delete(key);
      }
    }
    this.#sweepAt = Math.max(1024, this.#chats.size * 2);
  }

  /** Releases the ready chats' next jobs, one at a time, as the windows allow. */
  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#heap.size > 0) {
        const chat = this.#heap.peek()!;
        const job = this.#live(chat);
        if (job === undefined) continue;
        const now = this.#clock.now();
        const at = Math.max(chat.readyAt, this.#overall.nextAt(now));
        if (at > now) {
          await this.#sleep(at, now);
          continue;
        }
        this.#heap.pop();
        chat.inHeap = false;
        chat.shift();
        this.#start(chat, job, now);
      }
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * The first job of the heap's top chat if it is still wanted; otherwise one step of
   * tidying (drop a cancelled job; take an emptied chat off the heap) and undefined.
   */
  #live(chat: ChatQueue): Job | undefined {
    const job = chat.peek();
    if (job !== undefined && !job.cancelled) return job;
    if (job !== undefined) chat.shift();
    if (chat.size === 0) {
      this.#heap.pop();
      chat.inHeap = false;
    }
    return undefined;
  }

  /** Sleeps until `at`, or until a chat that may go earlier arrives (`#wake`). */
  async #sleep(at: number, now: number): Promise<void> {
    const ctrl = new AbortController();
    this.#wake = () => ctrl.abort();
    this.#sleepingUntil = at;
    try {
      await this.#clock.sleep(at - now, ctrl.signal);
    } catch {
      // woken: a chat that may go earlier arrived
    } finally {
      this.#wake = null;
      this.#sleepingUntil = Infinity;
    }
  }

  /** Sends a job; when it settles, its chat may go on (a 429 pauses the chat first). */
  #start(chat: ChatQueue, job: Job, now: number): void {
    chat.window.record(now);
    this.#overall.record(now);
    chat.busy = true;
    this.#queued--;
    if (job.onAbort) job.options.signal?.removeEventListener("abort", job.onAbort);
    let result: Promise<unknown>;
    try {
      result = job.next(job.method, job.params, job.options);
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (value) => {
        this.#finish(chat);
        job.resolve(value);
      },
      (err) => {
        this.#pauseOn429(chat, err);
        this.#finish(chat);
        job.reject(err);
      },
    );
  }

  /** Telegram answered 429 anyway (another process shares the token): the chat waits. */
  #pauseOn429(chat: ChatQueue, err: unknown): void {
    const e = err as { errorCode?: unknown; parameters?: { retry_after?: unknown } };
    const retryAfter = e?.parameters?.retry_after;
    if (e?.errorCode === 429 && typeof retryAfter === "number") {
      chat.pausedUntil = this.#clock.now() + retryAfter * 1000;
    }
  }

  #finish(chat: ChatQueue): void {
    chat.busy = false;
    if (chat.size > 0) this.#schedule(chat);
  }
}

/**
 * A transformer that queues message-posting calls per chat and releases them within
 * Telegram's flood limits (or the `overall`, `privateChat`, `groupChat` rates given).
 * Queued calls can be cancelled with their signal. A 429 that still arrives (another
 * process shares the token) pauses that chat for `retry_after`.
 *
 * Opt-in: `bot.use(throttler())`. Combine with {@linkcode autoRetry} installed first
 * (inside), e.g. `new Bot(token, { transformers: [autoRetry(), throttler()] })`.
 *
 * @param options the limits, `methods`, `clock`
 * @returns the transformer (its `queued` tells how many calls wait)
 * @example
 * ```ts
 * import { Bot, throttler } from "../../mod.ts";
 * const bot = new Bot("123456:TOKEN");
 * bot.use(throttler());
 * // A broadcast: every call is queued and released at about 30 a second.
 * // await Promise.all(userIds.map((id) => bot.sendMessage(id, "news")));
 * ```
 */
export function throttler(options: ThrottlerOptions = {}): Throttler {
  const throttle = new Throttle(options);
  const transformer: Transformer = (next, method, params, callOptions) =>
    throttle.call(next, method, params, callOptions);
  Object.defineProperty(transformer, "queued", { get: () => throttle.queued, enumerable: true });
  return transformer as Throttler;
}
