/**
 * Delegate factories for DelegatorBot patterns: `call`, `createRun`, `createOpen`.
 * A delegate is `(seedTuple, signal) => unknown | Promise<unknown>`; it starts with
 * the message that produced its seed, and its signal aborts when it should stop.
 * @module
 */

import { attachSignal, type SeedTuple } from "./context.ts";
import { StopListening, WaitTooLong } from "../core/errors/listening.ts";
import type { Openable } from "./handler.ts";
import { isThenable } from "../time/timers.ts";

/** A delegate: runs for one seed; its signal aborts when the bot stops. */
export type Delegate = (seedTuple: SeedTuple, signal: AbortSignal) => unknown;

/**
 * A delegate that calls `fn(seedTuple, ...args, signal)`.
 *
 * @example
 * ```ts
 * import { call } from "../../delegate.ts";
 * const welcome = call(async ([bot, msg]) => {
 *   await bot.sendMessage(msg.chat.id, "Hello!");
 * });
 * ```
 */
export function call<A extends unknown[]>(
  fn: (seedTuple: SeedTuple, ...rest: [...A, AbortSignal]) => unknown,
  ...args: A
): Delegate {
  return (seedTuple, signal) => fn(seedTuple, ...args, signal);
}

/**
 * A delegate that constructs `new Cls(seedTuple, ...args)` and returns its
 * `run(signal)`. The instance's `signal` (if it is a ListenerContext) is the
 * delegate's.
 *
 * @example
 * ```ts
 * import { createRun } from "../../delegate.ts";
 * import { ChatHandler } from "../../helper.ts";
 * class Greeter extends ChatHandler {
 *   async run() {
 *     await this.sender.sendMessage("Hi!");
 *   }
 * }
 * const delegate = createRun(Greeter);
 * ```
 */
export function createRun<A extends unknown[]>(
  Cls: new (seedTuple: SeedTuple, ...args: A) => { run(signal: AbortSignal): unknown },
  ...args: A
): Delegate {
  return (seedTuple, signal) => {
    const job = new Cls(seedTuple, ...args);
    attachSignal(job, signal);
    return job.run(signal);
  };
}

/** Whether a delegate ended the normal way: idle, closed, or stopped by its signal. */
export function isNormalClose(reason: unknown, signal?: AbortSignal): boolean {
  return reason instanceof WaitTooLong || reason instanceof StopListening ||
    (signal !== undefined && signal.aborted && reason === signal.reason);
}

/**
 * Drives an openable object: `open(msg, seed)`, then `onMessage(msg)` unless open
 * returned true, then `onMessage` for every message its listener captures, until
 * it is closed, idles past its timeout, throws, or `signal` aborts. Then its
 * listener is closed (later messages of its seed go to a new delegate) and
 * `onClose(reason)` runs. An accident (any other error) is re-thrown after
 * onClose, so the DelegatorBot reports it.
 */
export async function runOpenable(
  job: Openable,
  seedTuple: SeedTuple,
  signal: AbortSignal,
): Promise<void> {
  const [, initial, seed] = seedTuple;
  let reason: unknown;
  try {
    const consumed = job.open ? await job.open(initial, seed) : undefined;
    if (!consumed) {
      const done = job.onMessage(initial);
      if (isThenable(done)) await done;
    }
    for (;;) {
      const msg = await job.listener.wait(signal);
      const done = job.onMessage(msg);
      if (isThenable(done)) await done;
    }
  } catch (err) {
    reason = err;
  }
  job.listener.close(reason);
  try {
    if (job.onClose) await job.onClose(reason);
  } catch (closeErr) {
    if (isNormalClose(reason, signal)) throw closeErr;
    throw new AggregateError([reason, closeErr], "delegate failed, then its onClose() failed");
  }
  if (!isNormalClose(reason, signal)) throw reason;
}

/**
 * A delegate that constructs `new Cls(seedTuple, ...args)` and drives it: `open`,
 * `onMessage` for each captured message, `onClose(reason)` at the end (see
 * {@linkcode runOpenable}). The usual way to run a ChatHandler.
 *
 * @example
 * ```ts
 * import { createOpen, perChatId } from "../../delegate.ts";
 * import { ChatHandler } from "../../helper.ts";
 * class Counter extends ChatHandler {
 *   n = 0;
 *   onChatMessage() {
 *     return this.sender.sendMessage(String(++this.n));
 *   }
 * }
 * const pattern = [perChatId(), createOpen(Counter, { timeout: 10 })];
 * ```
 */
export function createOpen<A extends unknown[]>(
  Cls: new (seedTuple: SeedTuple, ...args: A) => Openable,
  ...args: A
): Delegate {
  return (seedTuple, signal) => {
    const job = new Cls(seedTuple, ...args);
    attachSignal(job, signal);
    return runOpenable(job, seedTuple, signal);
  };
}
