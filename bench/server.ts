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
import { emit, parseServerArgs, prng, Referee, startRun } from "./referee.mjs";

export { parseServerArgs, prng, Referee, type RefereeStats, type ServerArgs } from "./referee.mjs";

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
  let run: { start: number; stop(): void } | undefined;
  const begin = () => {
    run = startRun(args, referee, (upTo) => void push(upTo), () => pushed, done.resolve);
    start = run.start;
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
  run?.stop();
  emit({ event: "done", ...referee.stats(start, capped) });
  await emu.close();
  await server.shutdown();
}

if (import.meta.main) await main();
