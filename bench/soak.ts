/**
 * Soak: 1,000,000 text updates across 10,000 private chats through a DelegatorBot (one
 * ChatHandler per chat counting its messages and answering the count), polling the
 * emulator in-process (`emulator.fetch`). Updates arrive while the bot runs: a producer
 * keeps at most `--backlog` of them queued. The bench reports the process's RSS (and
 * the JS heap) at the start (10,000 chats exist, no update yet), its peak, and at the end
 * (after a full GC when run with --expose-gc), with a sample every 100,000 updates, and
 * checks that every update was answered once, in order per chat.
 *
 * RSS includes the emulator (it keeps `historyLimit` messages per chat, so its memory is
 * bounded too). "Flat" means: after the delegates exist, memory does not grow with the
 * number of updates handled.
 *
 * Run: `deno run -A --v8-flags=--expose-gc bench/soak.ts [--updates=1000000]
 *   [--chats=10000] [--backlog=20000] [--json]`
 * @module
 */

import { DelegatorBot } from "../mod.ts";
import { createOpen, perChatId } from "../delegate.ts";
import { ChatHandler, type SeedTuple } from "../helper.ts";
import { Emulator } from "../testing.ts";

function arg(name: string, fallback: number): number {
  const a = Deno.args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
}

const UPDATES = arg("updates", 1_000_000);
const CHATS = arg("chats", 10_000);
const BACKLOG = arg("backlog", 20_000);
const JSON_OUT = Deno.args.includes("--json");
const gc = (globalThis as { gc?: () => void }).gc;

const MB = 1024 * 1024;
const mem = () => {
  const m = Deno.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
};

/** Per chat: how many answers the bot sent and whether they came in order. */
const answered = new Int32Array(CHATS);
let disorder = 0;
let total = 0;
let reached: (() => void) | null = null;

class Counter extends ChatHandler {
  count = 0;
  readonly index: number;
  constructor(seedTuple: SeedTuple) {
    super(seedTuple, { timeout: 600 });
    this.index = chatIndex.get(this.chatId as number)!;
  }
  async onChatMessage(msg: { text: string }) {
    this.count++;
    // The text is the chat's sequence number: answers must come in that order.
    if (Number(msg.text) !== this.count) disorder++;
    await this.sender.sendMessage(String(this.count));
    answered[this.index]++;
    if (++total === UPDATES) reached?.();
  }
}

const chatIndex = new Map<number, number>();
const emu = new Emulator({ recordCalls: false, historyLimit: 2 });
const users = Array.from({ length: CHATS }, (_, i) => {
  const u = emu.user(`U${i}`);
  chatIndex.set(u.id, i);
  return u;
});
const bot = new DelegatorBot(emu.token, [[perChatId(), createOpen(Counter)]], {
  fetch: emu.fetch,
  apiRoot: emu.apiRoot,
});

gc?.();
const start = mem();
let peak = { ...start };
const samples: { updates: number; rss: number; heap: number; live: number; seconds: number }[] = [];
const t0 = performance.now();
const sampler = setInterval(() => {
  const m = mem();
  if (m.rss > peak.rss) peak = { ...peak, rss: m.rss };
  if (m.heap > peak.heap) peak = { ...peak, heap: m.heap };
}, 100);

const done = new Promise<void>((resolve) => (reached = resolve));
const running = bot.messageLoop(undefined, {
  timeout: 10,
  onError: (e) => console.error(e),
});

// The producer: every chat sends its messages numbered 1, 2, 3, ... in random chat order.
const sent = new Int32Array(CHATS);
let next = 100_000;
for (let i = 0; i < UPDATES; i++) {
  while (emu.pendingUpdateCount >= BACKLOG) await new Promise((r) => setTimeout(r, 1));
  const c = Math.floor(Math.random() * CHATS);
  await users[c].send(String(++sent[c]));
  // Updates come from the network: let timers (and the RSS sampler) run now and then.
  if (i % 1000 === 999) await new Promise((r) => setTimeout(r, 0));
  if (i + 1 === next || (i + 1) % 100_000 === 0) {
    while (total < i + 1 - BACKLOG) await new Promise((r) => setTimeout(r, 5));
    const m = mem();
    if (m.rss > peak.rss) peak = { ...peak, rss: m.rss };
    if (m.heap > peak.heap) peak = { ...peak, heap: m.heap };
    gc?.(); // what is live, without the garbage of the moment
    const live = mem().heap;
    samples.push({ updates: total, ...m, live, seconds: (performance.now() - t0) / 1000 });
    if (!JSON_OUT) {
      console.error(
        `${String(total).padStart(8)} handled  rss ${(m.rss / MB).toFixed(1)} MB  heap ` +
          `${(m.heap / MB).toFixed(1)} MB` +
          (gc ? `  live heap after GC ${(live / MB).toFixed(1)} MB` : "") +
          `  ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    next += 100_000;
  }
}
await done;
const seconds = (performance.now() - t0) / 1000;
await bot.stop();
await running;
clearInterval(sampler);
gc?.();
const end = mem();
await emu.close();

let missing = 0;
for (let c = 0; c < CHATS; c++) missing += sent[c] - answered[c];
const result = {
  updates: UPDATES,
  chats: CHATS,
  seconds: Number(seconds.toFixed(1)),
  updatesPerSecond: Math.round(UPDATES / seconds),
  rssMB: {
    start: +(start.rss / MB).toFixed(1),
    peak: +(peak.rss / MB).toFixed(1),
    end: +(end.rss / MB).toFixed(1),
  },
  heapMB: {
    start: +(start.heap / MB).toFixed(1),
    peak: +(peak.heap / MB).toFixed(1),
    end: +(end.heap / MB).toFixed(1),
  },
  samples: samples.map((s) => ({
    updates: s.updates,
    rssMB: +(s.rss / MB).toFixed(1),
    heapMB: +(s.heap / MB).toFixed(1),
    liveHeapMB: gc ? +(s.live / MB).toFixed(1) : undefined,
  })),
  missing,
  disorder,
  gc: gc !== undefined,
};
if (JSON_OUT) console.log(JSON.stringify(result));
else {
  console.log(
    `soak: ${UPDATES} updates, ${CHATS} chats, ${result.seconds} s ` +
      `(${result.updatesPerSecond}/s); RSS start ${result.rssMB.start} MB, peak ` +
      `${result.rssMB.peak} MB, end ${result.rssMB.end} MB; heap start ${result.heapMB.start}` +
      ` MB, peak ${result.heapMB.peak} MB, end ${result.heapMB.end} MB; missing ${missing}, ` +
      `out of order ${disorder}${gc ? "" : " (no --expose-gc: end measured without a full GC)"}`,
  );
}
if (missing !== 0 || disorder !== 0) Deno.exit(1);
