/**
 * Delegation benchmark: messages per second through DelegatorBot.handle() with 10,
 * 1,000 and 100,000 live ChatHandlers (each with an idle timeout, waiting on its
 * listener), and the heap used per idle ChatHandler.
 *
 * Updates are fed the way the update loop feeds them: batches of 100 handed to
 * handle() one after the other, then a macrotask turn (where the next getUpdates
 * would be). A message counts when its ChatHandler's onChatMessage ran. No network:
 * this measures dispatch (microphone index, seed records, listener queues, the
 * createOpen loop), not HTTP. Two traffic patterns:
 * - "10 busy": every message goes to one of 10 busy chats, the other live
 *   ChatHandlers idle. Same traffic for every size, so the difference between sizes
 *   is what idle delegates cost dispatch (the target: within 20%).
 * - "all busy": every message goes to a random live chat; with many chats each
 *   message wakes a different handler (no batching per handler, cold caches).
 *
 * Run: `deno run --v8-flags=--expose-gc bench/delegation_bench.ts [--sizes=10,1000] [--json]`
 * (`deno task bench` runs each size in a fresh process, so one size's heap and JIT
 * state does not bleed into the next). Without --expose-gc memory is not shown.
 * @module
 */

import process from "node:process";
import { DelegatorBot } from "../mod.ts";
import { createOpen, perChatId } from "../delegate.ts";
import { ChatHandler, type SeedTuple } from "../helper.ts";

const sizesArg = Deno.args.find((a) => a.startsWith("--sizes="));
const SIZES = sizesArg ? sizesArg.slice(8).split(",").map(Number) : [10, 1_000, 100_000];
const MESSAGES = 100_000;
const BATCH = 100;
const ROUNDS = 10;

let handled = 0;
let target = 0;
let reached: (() => void) | null = null;

class Sink extends ChatHandler {
  constructor(seedTuple: SeedTuple) {
    super(seedTuple, { timeout: 3600 });
  }
  onChatMessage(): void {
    if (++handled === target) reached?.();
  }
}

const channel = new MessageChannel();
const turns: (() => void)[] = [];
channel.port1.onmessage = () => turns.shift()?.();
if (!import.meta.main) channel.port1.close();
/** One macrotask turn, without timer clamping. */
function turn(): Promise<void> {
  return new Promise((resolve) => {
    turns.push(resolve);
    channel.port2.postMessage(0);
  });
}

function until(count: number): Promise<void> {
  if (handled >= count) return Promise.resolve();
  target = count;
  return new Promise((resolve) => (reached = resolve));
}

let updateId = 0;
function message(chatId: number) {
  const update = {
    update_id: ++updateId,
    message: {
      message_id: updateId,
      date: 0,
      chat: { id: chatId, type: "private" },
      from: { id: chatId, is_bot: false, first_name: "U" },
      text: "hi",
    },
  };
  return update;
}

const gc = (globalThis as { gc?: () => void }).gc;
function heap(): number {
  gc?.();
  gc?.();
  return Deno.memoryUsage().heapUsed;
}

/**
 * Hands `count` updates to the bot in batches, each update made just before (as
 * the loop parses a getUpdates answer), for the chat `chatOf(i)`.
 */
async function feed(
  count: number,
  chatOf: (i: number) => number,
  bot: DelegatorBot,
): Promise<void> {
  for (let i = 0; i < count; i += BATCH) {
    const end = Math.min(count, i + BATCH);
    for (let j = i; j < end; j++) {
      const update = message(chatOf(j));
      bot.handle(update.message, update as never);
    }
    await turn();
  }
}

/** Throughput of one traffic pattern: per wall-clock second and per CPU second. */
export interface Rate {
  /** Messages per second of elapsed time (best round). */
  wall: number;
  /** Messages per second of CPU time this process used (best round): robust on a busy machine. */
  cpu: number;
}

/** What one size measured. */
export interface Result {
  handlers: number;
  tenBusy: Rate;
  allBusy: Rate;
  bytesPerIdleHandler: number | null;
}

/** CPU time used by this process so far, in seconds (all threads, user + system). */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

async function measure(bot: DelegatorBot, pick: () => number): Promise<Rate> {
  let wall = 0;
  let cpu = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const goal = handled + MESSAGES;
    const t0 = performance.now();
    const c0 = cpuSeconds();
    await feed(MESSAGES, pick, bot);
    await until(goal);
    wall = Math.max(wall, MESSAGES / ((performance.now() - t0) / 1000));
    cpu = Math.max(cpu, MESSAGES / (cpuSeconds() - c0));
  }
  return { wall: Math.round(wall), cpu: Math.round(cpu) };
}

function newBot(): DelegatorBot {
  return new DelegatorBot("123456:bench", [[perChatId(), createOpen(Sink)]], {
    fetch: () => Promise.reject(new TypeError("no network in this benchmark")),
  });
}

/** Runs the whole path once, so compiled code is not counted as handler memory. */
async function warmUp(): Promise<void> {
  const bot = newBot();
  handled = 0;
  await feed(2000, (i) => 1 + (i % 200), bot);
  await until(2000);
  await bot.stop();
}

async function run(n: number): Promise<Result> {
  await warmUp();
  const bot = newBot();
  handled = 0;
  const before = heap();
  // Start n delegates: the first message of each chat opens its ChatHandler.
  await feed(n, (i) => i + 1, bot);
  await until(n);
  await turn();
  const after = heap();
  if (bot.liveDelegates !== n) {
    throw new Error(`expected ${n} live delegates, got ${bot.liveDelegates}`);
  }

  const tenBusyChat = () => 1 + Math.floor(Math.random() * 10);
  const anyChat = () => 1 + Math.floor(Math.random() * n);
  // One unmeasured pass of each pattern: the collector sizes its young generation
  // (it shrank at the full collections above) and the JIT settles, for every size alike.
  const warm = handled + 2 * MESSAGES;
  await feed(MESSAGES, tenBusyChat, bot);
  await feed(MESSAGES, anyChat, bot);
  await until(warm);
  const tenBusy = await measure(bot, tenBusyChat);
  const allBusy = await measure(bot, anyChat);
  if (bot.liveDelegates !== n) throw new Error("delegates were lost on the way");
  await bot.stop();
  if (bot.liveDelegates !== 0) throw new Error("stop() left delegates behind");
  return {
    handlers: n,
    tenBusy,
    allBusy,
    // Too few handlers to see past heap noise below 1,000.
    bytesPerIdleHandler: gc && n >= 1000 ? Math.round((after - before) / n) : null,
  };
}

if (import.meta.main) {
  const results: Result[] = [];
  for (const n of SIZES) results.push(await run(n));
  console.log(Deno.args.includes("--json") ? JSON.stringify(results) : formatTable(results));
}
channel.port1.close();

/** The results as a table, each rate also as a share of the 10-handler case. */
export function formatTable(results: readonly Result[]): string {
  const base = results.find((r) => r.handlers === 10) ?? results[0];
  const rate = (r: Rate, b: Rate) =>
    `${String(r.wall).padStart(8)} msg/s ${String(r.cpu).padStart(8)} msg/CPU-s (${
      ((r.cpu / b.cpu) * 100).toFixed(0).padStart(3)
    }%)`;
  const lines = [
    `DelegatorBot dispatch: ${MESSAGES} messages per round in batches of ${BATCH}, best of ${ROUNDS}`,
    "(% = CPU-time throughput relative to 10 live handlers, same traffic pattern)",
    "",
    "handlers | 10 busy chats, rest idle                  | every chat busy                          | heap/idle handler",
  ];
  for (const r of results) {
    const mem = r.bytesPerIdleHandler === null
      ? "(too few)"
      : `${(r.bytesPerIdleHandler / 1024).toFixed(2)} KiB`;
    lines.push(
      `${String(r.handlers).padStart(8)} | ${rate(r.tenBusy, base.tenBusy)} | ${
        rate(r.allBusy, base.allBusy)
      } | ${mem}`,
    );
  }
  const big = results.find((r) => r.handlers === 100_000);
  if (big && big !== base) {
    const share = big.tenBusy.cpu / base.tenBusy.cpu;
    lines.push(
      "",
      `target, 100,000 within 20% of 10 (10 busy chats): ${share >= 0.8 ? "met" : "NOT met"} (${
        (share * 100).toFixed(0)
      }%)`,
    );
  }
  return lines.join("\n");
}
