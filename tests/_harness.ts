/**
 * The wiring the tests share, each piece returning a {@linkcode Rig} to hold with
 * `await using` (or to `close()` in `finally`), so emulators, servers, update loops,
 * delegates and timers end even when an assertion fails:
 * - `openEmulator()`: an emulator; `reachEmulator()`: one reached in process or over
 *   HTTP, with `post()` for raw Bot API calls;
 * - `onEmulator(emu, options)`: the options that put a bot on it in process;
 * - `emulatedBot()`: an emulator and a Bot (or SpeakerBot, DelegatorBot, ...) on it;
 * - `startDelegator()`: a DelegatorBot polling an emulator, with what `onError` saw.
 * Also `timersOf()` (the timers some work starts), `collectGarbage()`/`stillHeld()` (what
 * stays in memory), and, re-exported, `waitUntil` and the virtual-time helpers.
 * @module
 */
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Bot, type BotOptions } from "../src/bot.ts";
import {
  type DelegationPattern,
  DelegatorBot,
  type DelegatorBotOptions,
} from "../src/delegation/delegator.ts";
import type { LoopOptions } from "../src/updates/loop.ts";
import type { ErrorContext } from "../src/updates/report.ts";
import { Emulator, type EmulatorOptions } from "../testing.ts";
import { turn } from "./_virtual_time.ts";

export { counting, driveVirtual, turn } from "./_virtual_time.ts";
export { waitUntil } from "./_wait_until.ts";

/**
 * Things a test opened, closed in reverse order by `close()` (once; later calls wait for
 * the first). Every closer runs even if an earlier one throws; the first error is rethrown.
 */
export class Rig implements AsyncDisposable {
  #closers: (() => unknown)[] = [];
  #closing: Promise<void> | undefined;

  /** Registers `closer` to run at `close()`, before everything registered earlier. */
  defer(closer: () => unknown): void {
    this.#closers.push(closer);
  }

  /** Runs every closer, newest first. */
  close(): Promise<void> {
    return this.#closing ??= (async () => {
      let failure: { err: unknown } | undefined;
      for (const closer of this.#closers.reverse()) {
        try {
          await closer();
        } catch (err) {
          failure ??= { err };
        }
      }
      this.#closers = [];
      if (failure) throw failure.err;
    })();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** An emulator of its own; `close()` closes it (its servers and webhook deliveries too). */
export function openEmulator(options?: EmulatorOptions): Rig & { readonly emu: Emulator } {
  const emu = new Emulator(options);
  const rig = new Rig();
  rig.defer(() => emu.close());
  return Object.assign(rig, { emu });
}

/** The options that put a bot on `emu` in process: its fetch and its apiRoot, then `options`. */
export function onEmulator<O extends DelegatorBotOptions & { [option: string]: unknown }>(
  emu: Emulator,
  options?: O,
): O & { fetch: typeof fetch; apiRoot: string } {
  return { fetch: emu.fetch, apiRoot: emu.apiRoot, ...options } as O & {
    fetch: typeof fetch;
    apiRoot: string;
  };
}

/** A constructor of a Bot (or a subclass) that takes the usual `(token, options)`. */
export type BotClass<B extends Bot, O> = new (token: string, options: O) => B;

/** An emulator and a bot on it; `close()` stops the bot (and its loop) and the emulator. */
export interface EmulatedBot<B extends Bot = Bot> extends Rig {
  readonly emu: Emulator;
  readonly bot: B;
}

/**
 * A new emulator and a bot on it, in process.
 *
 * @example
 * ```ts
 * await using rig = emulatedBot();
 * await rig.bot.sendMessage(rig.emu.user("Alice").id, "hi");
 * ```
 */
export function emulatedBot(options?: BotOptions, emulator?: EmulatorOptions): EmulatedBot;
export function emulatedBot<B extends Bot, O extends BotOptions>(
  options: O,
  emulator: EmulatorOptions | undefined,
  BotType: BotClass<B, O>,
): EmulatedBot<B>;
export function emulatedBot(
  options: BotOptions = {},
  emulator?: EmulatorOptions,
  BotType: BotClass<Bot, BotOptions> = Bot,
): EmulatedBot {
  const rig = openEmulator(emulator);
  const bot = new BotType(rig.emu.token, { ...onEmulator(rig.emu), ...options });
  rig.defer(() => bot.stop());
  return Object.assign(rig, { bot });
}

/** An answer of the Bot API as a test reads it. */
export interface Answer {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** An emulator reached in process (`"fetch"`) or over real HTTP; `post()` calls its Bot API. */
export interface Reached extends Rig {
  readonly emu: Emulator;
  /** The Bot API root the requests go to. */
  readonly apiRoot: string;
  /** emu.fetch in process; the global fetch over HTTP. */
  readonly fetch: typeof fetch;
  /** POSTs `params` as JSON to `method` as a bot with the emulator's token. */
  post(method: string, params?: Record<string, unknown>, signal?: AbortSignal): Promise<Answer>;
}

/**
 * A new emulator, reached in process or through a server of its own (`"http"`: Deno's,
 * `"http-node"`: node:http); `close()` closes the emulator and its servers.
 */
export async function reachEmulator(
  transport: "fetch" | "http" | "http-node" = "fetch",
  options?: EmulatorOptions,
): Promise<Reached> {
  const rig = openEmulator(options);
  const emu = rig.emu;
  let apiRoot = emu.apiRoot;
  let f: typeof fetch = emu.fetch;
  if (transport !== "fetch") {
    const srv = await emu.serve({ engine: transport === "http-node" ? "node" : "deno" });
    apiRoot = srv.apiRoot;
    f = fetch;
  }
  const post = async (
    method: string,
    params: Record<string, unknown> = {},
    signal?: AbortSignal,
  ) => {
    const res = await f(`${apiRoot}/bot${emu.token}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
      signal,
    });
    return { status: res.status, headers: res.headers, body: await res.json() };
  };
  return Object.assign(rig, { emu, apiRoot, fetch: f, post });
}

/** A DelegatorBot polling an emulator, with the errors it reported. */
export interface Delegating extends EmulatedBot<DelegatorBot> {
  /** What `onError` received. */
  readonly seen: { err: unknown; ctx: ErrorContext }[];
  /** The running `messageLoop()`. */
  readonly running: Promise<void>;
}

/**
 * A DelegatorBot with `patterns` on a new emulator, its update loop running (long polls
 * of 5 s); `close()` stops the bot, waits for the loop and closes the emulator.
 */
export function startDelegator(
  patterns: readonly DelegationPattern[],
  options: DelegatorBotOptions = {},
  loop: LoopOptions = { timeout: 5 },
): Delegating {
  const rig = openEmulator();
  const emu = rig.emu;
  const seen: { err: unknown; ctx: ErrorContext }[] = [];
  const bot = new DelegatorBot(
    emu.token,
    patterns,
    onEmulator(emu, {
      onError: (err, ctx) => seen.push({ err, ctx }),
      ...options,
    }),
  );
  const running = bot.messageLoop(undefined, loop);
  rig.defer(async () => {
    await bot.stop();
    await running;
  });
  return Object.assign(rig, { bot, seen, running });
}

/** The delays (ms) of the timers `work` starts with the global setTimeout while it runs. */
export async function timersOf(work: () => unknown): Promise<number[]> {
  const delays: number[] = [];
  const real = globalThis.setTimeout;
  globalThis.setTimeout = ((fn: () => void, ms?: number, ...rest: unknown[]) => {
    delays.push(ms ?? 0);
    return real(fn, ms, ...rest);
  }) as typeof setTimeout;
  try {
    await work();
  } finally {
    globalThis.setTimeout = real;
  }
  return delays;
}

let gc: (() => void) | undefined;

/**
 * A full garbage collection, between macrotasks (so WeakRefs made in this job may clear).
 * Turns on V8's --expose-gc for a fresh context the first time: tests need no flag.
 */
export async function collectGarbage(): Promise<void> {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  for (let i = 0; i < 2; i++) {
    await turn();
    gc();
  }
  await turn();
}

/** How many of `refs` still point at something after a full garbage collection. */
export async function stillHeld(refs: readonly WeakRef<object>[]): Promise<number> {
  await collectGarbage();
  return refs.filter((r) => r.deref() !== undefined).length;
}
