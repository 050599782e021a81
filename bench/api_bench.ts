/**
 * The Bot's own cost per call, side by side with grammY's `bot.api` in the same run:
 * 1. request building + response parsing alone: both clients get a fetch that answers a canned
 *    sendMessage result at once, so only client work is timed;
 * 2. through the in-process emulator (`emulator.fetch`), both clients alike.
 * Then a 50 MB document is uploaded from a ReadableStream to an emulator in another process,
 * and the peak RSS of the uploading process is reported (streamed: it must stay far below 50 MB).
 *
 * Run: `deno task bench:api [--calls N]`.
 * @module
 */

import { Bot as GrammyBot } from "grammy";
import { Bot, InputFile } from "../mod.ts";
import { Emulator } from "../testing.ts";

const CALLS = Number(Deno.args[Deno.args.indexOf("--calls") + 1]) || 20_000;
const ROUNDS = 5;

const canned = JSON.stringify({
  ok: true,
  result: {
    message_id: 1,
    date: 1_700_000_000,
    chat: { id: 42, type: "private", first_name: "A" },
    from: { id: 1, is_bot: true, first_name: "bot", username: "bot" },
    text: "hello",
  },
});
const cannedFetch: typeof fetch = (_input, init) => {
  // Consume the body as a real transport would, so serialization work is not skipped.
  const body = init?.body;
  if (typeof body !== "string" && body) void new Response(body).arrayBuffer();
  return Promise.resolve(
    new Response(canned, { headers: { "content-type": "application/json" } }),
  );
};

type Send = (i: number) => Promise<unknown>;

/** Median microseconds per call over ROUNDS rounds of `calls` sequential calls. */
async function measure(send: Send, calls: number): Promise<number> {
  for (let i = 0; i < 500; i++) await send(i); // warm-up
  const perCall: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await send(i);
    perCall.push(((performance.now() - t0) * 1000) / calls);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(ROUNDS / 2)];
}

function ours(fetchFn: typeof fetch, token: string, apiRoot: string, chat: number): Send {
  const bot = new Bot(token, { fetch: fetchFn, apiRoot });
  return (i) => bot.sendMessage(chat, `hello ${i}`, { disable_notification: true });
}

function grammy(fetchFn: typeof fetch, token: string, apiRoot: string, chat: number): Send {
  const bot = new GrammyBot(token, { client: { fetch: fetchFn, apiRoot } });
  return (i) => bot.api.sendMessage(chat, `hello ${i}`, { disable_notification: true });
}

const rows: [string, number, number][] = [];
{
  const token = "123456:canned-token";
  const root = "http://canned.test";
  const a = await measure(ours(cannedFetch, token, root, 42), CALLS);
  const b = await measure(grammy(cannedFetch, token, root, 42), CALLS);
  rows.push(["client only (canned answer)", a, b]);
}
{
  const emulator = new Emulator({ recordCalls: false });
  const alice = emulator.user("Alice"); // the emulator checks that the chat exists
  const { fetch: f, token, apiRoot } = emulator;
  const calls = Math.max(1000, Math.floor(CALLS / 4));
  const a = await measure(ours(f, token, apiRoot, alice.id), calls);
  const b = await measure(grammy(f, token, apiRoot, alice.id), calls);
  rows.push(["through the in-process emulator", a, b]);
  await emulator.close();
}

console.log("\nBot API call cost, sendMessage, sequential (median of 5 rounds)");
console.log("| path | telepot µs/call | grammY µs/call | telepot / grammY |");
console.log("| --- | ---: | ---: | ---: |");
for (const [name, a, b] of rows) {
  console.log(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(a / b).toFixed(2)} |`);
}

// 50 MB streamed upload: the emulator runs in its own process so its stored copy of the file
// does not count; this process samples its own RSS while the upload runs.
const MB = 1_000_000;
const server = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", new URL("../scripts/emulator.ts", import.meta.url).pathname, "--port", "0"],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
let banner = "";
while (!/token:\s+\S+/.test(banner) || !/apiRoot:\s+\S+/.test(banner)) {
  const { value, done } = await reader.read();
  if (done) throw new Error("emulator exited early");
  banner += value;
}
const apiRoot = /apiRoot:\s+(\S+)/.exec(banner)![1];
const token = /token:\s+(\S+)/.exec(banner)![1];
try {
  const user = await (await fetch(`${apiRoot}/_emulator/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ first_name: "Uploader" }),
  })).json();
  const chatId = user.result?.id ?? user.id;
  const bot = new Bot(token, { apiRoot, timeout: 0 });
  const chunk = new Uint8Array(64 * 1024).fill(7);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= 50 * MB) return controller.close();
      const n = Math.min(chunk.length, 50 * MB - sent);
      controller.enqueue(n === chunk.length ? chunk : chunk.subarray(0, n));
      sent += n;
    },
  });
  const before = Deno.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => peak = Math.max(peak, Deno.memoryUsage().rss), 5);
  const t0 = performance.now();
  const msg = await bot.sendDocument(chatId, new InputFile(stream, "big.bin"));
  const ms = performance.now() - t0;
  clearInterval(sampler);
  peak = Math.max(peak, Deno.memoryUsage().rss);
  console.log("\n50 MB document uploaded from a ReadableStream over loopback HTTP");
  console.log(
    `| file_size ${msg.document?.file_size} | ${ms.toFixed(0)} ms | RSS before ${
      (before / MB).toFixed(1)
    } MB | peak ${(peak / MB).toFixed(1)} MB | growth ${((peak - before) / MB).toFixed(1)} MB |`,
  );
} finally {
  server.kill();
  await server.status;
  await reader.cancel().catch(() => {});
}
