/**
 * Crash and restart: a DelegatorBot process (tests/fixtures/crash_bot.ts, run by Deno as
 * a subprocess) polls the emulator over HTTP on 127.0.0.1 while 10,000 updates flow in
 * bursts from 100 chats; it is killed at random moments (by progress: after a random
 * number of further answers, or early in its run) and started again until every update
 * was answered.
 * - Killed with SIGKILL (no chance to clean up): every update is answered at least once
 *   (an update is confirmed only after its delegate answered, so a kill loses nothing;
 *   what the killed process answered but had not confirmed is answered again).
 * - Stopped with SIGTERM (bot.stop()): every update is answered exactly once.
 * Handling is recorded by what the emulator saw the bot send: `echo <text>` per update.
 * The random moments come from a seeded generator; the seed is printed.
 */
import assert from "node:assert/strict";
import { Emulator } from "../testing.ts";
import { delay } from "../src/time/timers.ts";
import { prng } from "../bench/server.ts";

const FIXTURE = new URL("./fixtures/crash_bot.ts", import.meta.url).pathname;
const UPDATES = 10_000;
const CHATS = 100;
const BURST = 250;

interface Run {
  restarts: number;
  /** Replies per update text. */
  replies: Map<string, number>;
  /** Everything the bot processes wrote on stderr. */
  stderr: string;
  token: string;
}

/** One bot process: resolves `ready` once it polls; `stop(signal)` ends it. */
function spawnBot(apiRoot: string, token: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", FIXTURE, apiRoot, token],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let err = "";
  const errDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (err += chunk) }),
  );
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const outDone = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (chunk.includes("ready") && markReady()) }),
  );
  const status = child.status;
  status.then(() => markReady()); // a process that died early is "ready" to be restarted
  return {
    ready,
    async stop(signal: Deno.Signal): Promise<{ stderr: string; code: number }> {
      try {
        child.kill(signal);
      } catch { /* already gone */ }
      const { code } = await status;
      await Promise.all([errDone, outDone]);
      return { stderr: err, code };
    },
  };
}

async function scenario(signal: "SIGKILL" | "SIGTERM", seed: number): Promise<Run> {
  const next = prng(seed); // seeded: a failing run can be replayed
  const emu = new Emulator({ recordCalls: false });
  const server = await emu.serve();
  const users = Array.from({ length: CHATS }, (_, i) => emu.user(`U${i}`));
  const texts: string[] = [];
  let producing = true;
  const producer = (async () => {
    for (let i = 0; i < UPDATES; i++) {
      const text = `u${i}`;
      texts.push(text);
      await users[Math.floor(next() * CHATS)].send(text);
      if (i % BURST === BURST - 1) await delay(15);
    }
    producing = false;
  })();
  const replies = () => {
    const counts = new Map<string, number>();
    for (const u of users) {
      for (const m of u.received()) {
        const text = m.text!.slice("echo ".length);
        counts.set(text, (counts.get(text) ?? 0) + 1);
      }
    }
    return counts;
  };
  const finished = () => !producing && emu.pendingUpdateCount === 0 && replies().size === UPDATES;

  let restarts = 0;
  let stderr = "";
  try {
    for (;;) {
      const bot = spawnBot(server.apiRoot, emu.token);
      await bot.ready;
      // A random moment, chosen by progress rather than by the clock, so that a faster bot
      // is stopped as often as a slower one: one time in five within its first 150 ms,
      // otherwise once it answered another 200 to 2,000 updates (or after 3 s at the most);
      // earlier if all is done.
      const early = next() < 0.2;
      const until = Date.now() + (early ? next() * 150 : 3000);
      const target = replies().size + 200 + Math.floor(next() * 1800);
      while (Date.now() < until && !finished() && (early || replies().size < target)) {
        await delay(early ? 5 : 20);
      }
      const done = finished();
      const end = await bot.stop(done ? "SIGTERM" : signal);
      stderr += end.stderr;
      if (done) {
        assert.equal(end.code, 0, `a graceful stop exits 0: ${end.stderr}`);
        break;
      }
      if (signal === "SIGTERM") assert.equal(end.code, 0, `a graceful stop exits 0: ${end.stderr}`);
      restarts++;
      // Nothing runs now: with nothing left to get, what has no answer is lost for good.
      if (!producing && emu.pendingUpdateCount === 0 && replies().size < UPDATES) break;
      assert.ok(restarts < 200, "no progress");
    }
    await producer;
    return { restarts, replies: replies(), stderr, token: emu.token };
  } finally {
    await server.close();
    await emu.close();
  }
}

function summary(name: string, seed: number, run: Run): string {
  let twice = 0;
  for (const n of run.replies.values()) if (n > 1) twice += n - 1;
  return `${name} (seed ${seed}): ${UPDATES} updates, ${run.restarts} restarts, ` +
    `${run.replies.size} answered, ${twice} answered more than once`;
}

function assertNoToken(run: Run): void {
  const secret = run.token.slice(run.token.indexOf(":") + 1);
  assert.ok(!run.stderr.includes(secret), "the token is not in the bot's output");
}

Deno.test("a DelegatorBot killed with SIGKILL at random moments answers every update at least once", async () => {
  const seed = Number(Deno.env.get("CRASH_SEED") ?? Date.now() % 1_000_000);
  const run = await scenario("SIGKILL", seed);
  console.log(summary("SIGKILL", seed, run));
  assert.ok(run.restarts >= 3, `killed at least 3 times (${run.restarts})`);
  for (let i = 0; i < UPDATES; i++) {
    assert.ok((run.replies.get(`u${i}`) ?? 0) >= 1, `u${i} was lost (seed ${seed})`);
  }
  assertNoToken(run);
});

Deno.test("a DelegatorBot stopped with SIGTERM at random moments answers every update exactly once", async () => {
  const seed = Number(Deno.env.get("CRASH_SEED") ?? Date.now() % 1_000_000);
  const run = await scenario("SIGTERM", seed);
  console.log(summary("SIGTERM", seed, run));
  assert.ok(run.restarts >= 3, `stopped at least 3 times (${run.restarts})`);
  for (let i = 0; i < UPDATES; i++) {
    assert.equal(run.replies.get(`u${i}`), 1, `u${i} (seed ${seed})`);
  }
  assertNoToken(run);
});
