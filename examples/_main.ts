/**
 * Runs an example bot against Telegram: the token comes from the first argument or
 * `TELEGRAM_BOT_TOKEN`; Ctrl-C stops it gracefully (confirming what was handled).
 * @module
 */

import type { Bot } from "../mod.ts";

/** Starts `create(token)`'s message loop and stops it on SIGINT. */
export async function runExample(name: string, create: (token: string) => Bot): Promise<void> {
  const token = Deno.args[0] ?? Deno.env.get("TELEGRAM_BOT_TOKEN");
  if (!token) {
    console.error(`usage: deno run -A examples/${name}.ts <token>  (or set TELEGRAM_BOT_TOKEN)`);
    Deno.exit(2);
  }
  const bot = create(token);
  const stop = () => void bot.stop();
  Deno.addSignalListener("SIGINT", stop);
  console.log("Listening ...");
  try {
    await bot.messageLoop();
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
  }
}
