/**
 * `deno task demo [guess|counter|skeleton|chatbox|alarm]`: chat with an example bot in the
 * terminal. Each line read from standard input is a message from a user; the bot's answers are
 * printed. It runs on the in-process Bot API emulator (no token, no network) and exits at end of
 * input, so `printf 'hi\n' | deno task demo` works. With TELEGRAM_BOT_TOKEN set, the same bot runs
 * against the real Bot API instead (stop it with Ctrl-C).
 * @module
 */

import type { Bot, BotOptions, Message } from "../mod.ts";
import { Emulator } from "../testing.ts";

type Factory = (token: string, options?: BotOptions) => Bot;
const EXAMPLES: Record<string, () => Promise<{ createBot: Factory }>> = {
  guess: () => import("../examples/guess.ts"),
  counter: () => import("../examples/counter.ts"),
  skeleton: () => import("../examples/skeleton.ts"),
  chatbox: () => import("../examples/chatbox.ts"),
  alarm: () => import("../examples/alarm.ts"),
};

const name = Deno.args[0] ?? "guess";
if (!(name in EXAMPLES)) {
  console.error(`unknown example "${name}"; choose one of: ${Object.keys(EXAMPLES).join(", ")}`);
  Deno.exit(2);
}
const { createBot } = await EXAMPLES[name]();

/** Splits a byte stream into lines (JSR's TextLineStream is unreachable here; this is 10 lines). */
async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let rest = "";
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    const parts = (rest + decoder.decode(chunk, { stream: true })).split(/\r?\n/);
    rest = parts.pop()!;
    yield* parts;
  }
  if (rest) yield rest;
}

/** How a message from the bot looks in a terminal. */
function show(msg: Message): string {
  const body = msg.text ?? msg.caption ?? `[${Object.keys(msg).find((k) => k in CONTENT) ?? "?"}]`;
  const markup = msg.reply_markup?.inline_keyboard?.flat().map((b) => `[${b.text}]`).join(" ");
  return markup ? `${body}\n     ${markup}` : body;
}
const CONTENT = { photo: 1, document: 1, sticker: 1, location: 1, audio: 1, voice: 1, video: 1 };

const realToken = Deno.env.get("TELEGRAM_BOT_TOKEN");
if (realToken) {
  const bot = createBot(realToken);
  Deno.addSignalListener("SIGINT", () => void bot.stop());
  console.log(`The ${name} example is running against the Bot API; Ctrl-C stops it.`);
  await bot.messageLoop();
  Deno.exit(0);
}

const emulator = new Emulator();
const bot = createBot(emulator.token, { fetch: emulator.fetch, apiRoot: emulator.apiRoot });
const loop = bot.messageLoop();
const you = emulator.user("You");
const interactive = Deno.stdin.isTerminal();
const prompt = () => interactive && Deno.stdout.writeSync(new TextEncoder().encode("you> "));

/** Prints what the bot says: waits `first` ms for an answer, then until it is quiet for 300 ms. */
async function printAnswers(first: number): Promise<void> {
  for (let wait = first;; wait = 300) {
    let msg: Message;
    try {
      msg = await you.nextMessage({ timeout: wait });
    } catch {
      return; // quiet: nothing more to print
    }
    console.log(`bot> ${show(msg)}`);
  }
}

if (interactive) console.log(`Chatting with the ${name} example on the emulator. Ctrl-D ends.`);
prompt();
for await (const line of lines(Deno.stdin.readable)) {
  if (line.trim() === "") {
    prompt();
    continue;
  }
  await you.send(line);
  await printAnswers(2000);
  prompt();
}
if (interactive) console.log();
await bot.stop();
await loop;
await emulator.close();
