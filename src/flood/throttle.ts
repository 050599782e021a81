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
  const limits = floodLimits({
    overall: options.overall,
    privateChat: options.privateChat,
    groupChat: options.groupChat,
  });
  const throttled = options.methods ?? postsMessage;
  const clock = options.clock ?? realClock;
  const overall = new SlidingWindow(limits.overall);
  const chats = new Map<string, ChatQueue>();
  const heap = new ReadyHeap();
  let order = 0;
  let queued = 0;
  let pumping = false;
  let wake: (() => void) | null = null;
  let sleepingUntil = Infinity;
  let sweepAt = 1024;

  const schedule = (chat: ChatQueue) => {
    const now = clock.now();
    chat.readyAt = Math.max(chat.window.nextAt(now), chat.pausedUntil);
    chat.order = order++;
    chat.inHeap = true;
    heap.push(chat);
    if (!pumping) void pump();
    else if (wake !== null && chat.readyAt < sleepingUntil) wake();
  };

  const sweep = () => {
    const now = clock.now();
    for (const [key, chat] of chats) {
      if (chat.size === 0 && !chat.busy && chat.pausedUntil <= now && chat.window.idle(now)) {
        chats.delete(key);
      }
    }
    sweepAt = Math.max(1024, chats.size * 2);
  };

  const finish = (chat: ChatQueue) => {
    chat.busy = false;
    if (chat.size > 0) schedule(chat);
  };

  const start = (chat: ChatQueue, job: Job, now: number) => {
    chat.window.record(now);
    overall.record(now);
    chat.busy = true;
    queued--;
    if (job.onAbort) job.options.signal?.removeEventListener("abort", job.onAbort);
    let result: Promise<unknown>;
    try {
      result = job.next(job.method, job.params, job.options);
    } catch (err) {
      result = Promise.reject(err);
    }
    result.then(
      (value) => {
        finish(chat);
        job.resolve(value);
      },
      (err) => {
        const e = err as { errorCode?: unknown; parameters?: { retry_after?: unknown } };
        const retryAfter = e?.parameters?.retry_after;
        if (e?.errorCode === 429 && typeof retryAfter === "number") {
          chat.pausedUntil = clock.now() + retryAfter * 1000;
        }
        finish(chat);
        job.reject(err);
      },
    );
  };

  const pump = async () => {
    pumping = true;
    try {
      while (heap.size > 0) {
        const chat = heap.peek()!;
        const job = chat.peek();
        if (job === undefined || job.cancelled) {
          if (job !== undefined) chat.shift();
          if (chat.size === 0) {
            heap.pop();
            chat.inHeap = false;
          }
          continue;
        }
        const now = clock.now();
        const at = Math.max(chat.readyAt, overall.nextAt(now));
        if (at > now) {
          const ctrl = new AbortController();
          wake = () => ctrl.abort();
          sleepingUntil = at;
          try {
            await clock.sleep(at - now, ctrl.signal);
          } catch {
            // woken: a chat that may go earlier arrived
          } finally {
            wake = null;
            sleepingUntil = Infinity;
          }
          continue;
        }
        heap.pop();
        chat.inHeap = false;
        chat.shift();
        start(chat, job, now);
      }
    } finally {
      pumping = false;
    }
  };

  const transformer = (
    next: ApiCaller,
    method: string,
    params: Record<string, unknown>,
    callOptions: CallOptions,
  ): Promise<unknown> => {
    const chatId = params.chat_id;
    if (!throttled(method) || (typeof chatId !== "number" && typeof chatId !== "string")) {
      return next(method, params, callOptions);
    }
    const signal = callOptions.signal;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const key = String(chatId);
    let chat = chats.get(key);
    if (chat === undefined) {
      if (chats.size >= sweepAt) sweep();
      chat = new ChatQueue(
        new SlidingWindow(isPrivateChatId(chatId) ? limits.privateChat : limits.groupChat),
      );
      chats.set(key, chat);
    }
    const queue = chat;
    return new Promise((resolve, reject) => {
      const job: Job = {
        next,
        method,
        params,
        options: callOptions,
        resolve,
        reject,
        cancelled: false,
      };
      if (signal) {
        job.onAbort = () => {
          if (job.cancelled) return;
          job.cancelled = true;
          queued--;
          reject(signal.reason);
        };
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      queue.jobs.push(job);
      queued++;
      if (!queue.busy && !queue.inHeap) schedule(queue);
    });
  };
  Object.defineProperty(transformer, "queued", { get: () => queued, enumerable: true });
  return transformer as Throttler;
}
