/**
 * The bench's Bot API: the emulator served over loopback HTTP (Deno.serve) in its own
 * process, with a workload queued or pushed in bursts, and a referee that checks every
 * reply. Started by bench/run.ts; talks JSON lines on stdout:
 *
 *   {"event":"ready","apiRoot":...,"token":...}   listening, workload prepared
 *   {"event":"start"}                             the bot's first getUpdates arrived
 *   {"event":"done", ...Referee stats}            every update answered (or the time cap)
 *
 * Workload: `--updates` text updates from `--chats` private chats, each to a random chat
 * (a fixed seed: every bot gets the same sequence). The n-th message of a chat says "n";
 * a correct echo bot (and the per-chat counter) answers "n" as its n-th reply there, so a
 * reply out of sequence is a reordering, one seen before a duplicate, one never seen lost.
 *
 * Usage: deno run -A bench/server.ts --chats 1000 --updates 20000 [--mode queued|bursts]
 *        [--burst 1000 --every 50] [--delay 20] [--cap 60000] [--port 0]
 * @module
 */
import { Emulator } from "../testing.ts";
import type { EmulatedUser } from "../testing.ts";

/** The options of one bench server. */
export interface ServerArgs {
  chats: number;
  updates: number;
  mode: "queued" | "bursts";
  burst: number;
  every: number;
  delay: number;
  cap: number;
  port: number;
  seed: number;
}

/** Reads `--name value` arguments. */
export function parseServerArgs(argv: string[]): ServerArgs {
  const get = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
  };
  const mode = get("mode", "queued");
  if (mode !== "queued" && mode !== "bursts") throw new Error(`--mode ${mode}?`);
  return {
    chats: Number(get("chats", "1000")),
    updates: Number(get("updates", "20000")),
    mode,
    burst: Number(get("burst", "1000")),
    every: Number(get("every", "50")),
    delay: Number(get("delay", "0")),
    cap: Number(get("cap", "60000")),
    port: Number(get("port", "0")),
    seed: Number(get("seed", "20240601")),
  };
}

/** A small seeded PRNG (mulberry32): the same workload for every bot. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the referee found. */
export interface RefereeStats {
  expected: number;
  replies: number;
  unique: number;
  duplicated: number;
  reordered: number;
  lost: number | null;
  unexpected: number;
  capped: boolean;
  ms: number;
  perSecond: number;
  p50: number | null;
  p99: number | null;
}

/** Checks replies against the per-chat sequence numbers and times them. */
export class Referee {
  readonly #seen: Set<number>[];
  readonly #max: Int32Array;
  readonly #sentAt: Float64Array[];
  readonly #latencies: number[] = [];
  expected = 0;
  replies = 0;
  unique = 0;
  duplicated = 0;
  reordered = 0;
  unexpected = 0;
  lastAt = 0;

  constructor(chats: number) {
    this.#seen = Array.from({ length: chats }, () => new Set<number>());
    this.#max = new Int32Array(chats);
    this.#sentAt = Array.from({ length: chats }, () => new Float64Array(8));
  }

  /** The n-th message of chat c was made available at time t. */
  offered(c: number, n: number, t: number): void {
    let arr = this.#sentAt[c];
    if (n >= arr.length) {
      const bigger = new Float64Array(Math.max(n + 1, arr.length * 2));
      bigger.set(arr);
      arr = this.#sentAt[c] = bigger;
    }
    arr[n] = t;
    this.expected++;
  }

  /** Marks every offered-but-unanswered message as available from `t` (queued mode: the start). */
  availableFrom(t: number): void {
    for (const arr of this.#sentAt) for (let i = 0; i < arr.length; i++) if (arr[i] < t) arr[i] = t;
  }

  /** The bot replied `text` in chat c at time t. */
  reply(c: number, text: string | undefined, t: number): void {
    this.replies++;
    this.lastAt = t;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1) {
      this.unexpected++;
      return;
    }
    const seen = this.#seen[c];
    if (seen.has(n)) {
      this.duplicated++;
      return;
    }
    seen.add(n);
    this.unique++;
    if (n < this.#max[c]) this.reordered++;
    else this.#max[c] = n;
    const offered = this.#sentAt[c][n];
    if (offered > 0) this.#latencies.push(t - offered);
  }

  /** The stats, with throughput measured from `start`. */
  stats(start: number, capped: boolean): RefereeStats {
    const lat = this.#latencies.sort((a, b) => a - b);
    const q = (p: number) =>
      lat.length ? lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] : null;
    const ms = Math.max(1e-3, this.lastAt - start);
    return {
      expected: this.expected,
      replies: this.replies,
      unique: this.unique,
      duplicated: this.duplicated,
      reordered: this.reordered,
      lost: capped ? null : this.expected - this.unique,
      unexpected: this.unexpected,
      capped,
      ms,
      perSecond: this.unique / ms * 1000,
      p50: q(0.5),
      p99: q(0.99),
    };
  }
}

function emit(event: Record<string, unknown>): void {
  console.log(JSON.stringify(event));
}

async function main(): Promise<void> {
  const args = parseServerArgs(Deno.args);
  const emu = new Emulator({ recordCalls: false });
  const users: EmulatedUser[] = Array.from({ length: args.chats }, (_, i) => emu.user(`U${i}`));
  const index = new Map(users.map((u, i) => [u.id, i]));
  const referee = new Referee(args.chats);
  const random = prng(args.seed);
  const plan = Array.from({ length: args.updates }, () => Math.floor(random() * args.chats));
  const counts = new Int32Array(args.chats);
  let pushed = 0;
  const push = async (upTo: number) => {
    const now = performance.now();
    for (; pushed < upTo; pushed++) {
      const c = plan[pushed];
      const n = ++counts[c];
      referee.offered(c, n, now);
      await users[c].send(String(n));
    }
  };
  if (args.mode === "queued") await push(args.updates);
  if (args.delay > 0) emu.inject("*", { kind: "delay", ms: args.delay }, { times: Infinity });

  let start = 0;
  let finished = false;
  let capTimer: ReturnType<typeof setTimeout> | undefined;
  let burstTimer: ReturnType<typeof setTimeout> | undefined;
  const done = Promise.withResolvers<boolean>();
  // Every reply, as the users see them: in the order the emulator executed them. The waits
  // are endless (no timer each) and end when the emulator closes; no shared AbortSignal,
  // whose listener list (one per chat) would cost O(chats) per reply.
  for (const user of users) {
    const c = index.get(user.id)!;
    (async () => {
      for (;;) {
        const msg = await user.nextMessage({ timeout: Infinity });
        referee.reply(c, msg.text, performance.now());
        if (referee.unique >= args.updates) done.resolve(false);
      }
    })().catch(() => {});
  }
  const begin = () => {
    start = performance.now();
    emit({ event: "start" });
    if (args.mode === "queued") referee.availableFrom(start);
    else {
      const burst = () => {
        void push(Math.min(args.updates, pushed + args.burst));
        if (pushed < args.updates) burstTimer = setTimeout(burst, args.every);
      };
      burst();
    }
    capTimer = setTimeout(() => done.resolve(true), args.cap);
  };

  // Run with --unstable-no-legacy-abort: req.signal then aborts only when the client goes
  // away (what the emulator's long polls and delays listen to).
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: args.port,
    onListen() {},
  }, (req) => {
    if (start === 0 && !finished && req.url.endsWith("/getUpdates")) begin();
    return emu.handle(req).catch(() => new Response("reset", { status: 500 }));
  });
  emit({
    event: "ready",
    apiRoot: `http://127.0.0.1:${server.addr.port}`,
    token: emu.token,
  });
  const capped = await done.promise;
  finished = true;
  clearTimeout(capTimer);
  clearTimeout(burstTimer);
  emit({ event: "done", ...referee.stats(start, capped) });
  await emu.close();
  await server.shutdown();
}

if (import.meta.main) await main();
