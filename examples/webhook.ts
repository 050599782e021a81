/**
 * The counter bot of examples/counter.ts behind a webhook instead of long polling:
 * `Deno.serve` runs {@linkcode webhookCallback}, and setWebhook tells Telegram where
 * to POST updates, with a secret token only Telegram and this server know. Updates go
 * through the same `handle()` and delegation as with polling: one counter per chat.
 *
 * Run: `deno run -A examples/webhook.ts <token> <public https URL>` (or set
 * TELEGRAM_BOT_TOKEN and WEBHOOK_URL; PORT is the local port, default 8443). Telegram
 * must reach the URL: put it behind your TLS proxy or tunnel. Ctrl-C removes the webhook.
 * @module
 */

import type { BotOptions, DelegatorBot } from "../mod.ts";
import { webhookCallback } from "../webhook.ts";
import { createBot } from "./counter.ts";

/** Options of {@linkcode serveWebhook}. */
export interface WebhookExampleOptions extends BotOptions {
  /** The public URL Telegram POSTs to. Default: this server's own URL. */
  url?: string;
  /** Local port (0: any free one). Default 8443. */
  port?: number;
  /** Local interface. Default 127.0.0.1. */
  hostname?: string;
  /** The secret token. Default: a random one. */
  secretToken?: string;
  /** Seconds of silence after which a chat's count starts over. Default 10. */
  idle?: number;
}

/** A running webhook bot. */
export interface RunningWebhook {
  /** The bot behind the webhook. */
  bot: DelegatorBot;
  /** The URL given to setWebhook. */
  url: string;
  /** The secret token given to setWebhook. */
  secretToken: string;
  /** Removes the webhook, stops the bot and the server. */
  close(): Promise<void>;
}

/**
 * Serves the counter bot on a webhook and registers it with setWebhook.
 *
 * @param token the bot token
 * @param options where to listen, the public URL, Bot options
 * @returns the running bot, its URL and secret, and `close()`
 */
export async function serveWebhook(
  token: string,
  options: WebhookExampleOptions = {},
): Promise<RunningWebhook> {
  const { url, port = 8443, hostname = "127.0.0.1", idle, secretToken: given, ...botOptions } =
    options;
  const secretToken = given ?? crypto.randomUUID();
  const bot = createBot(token, { ...botOptions, idle });
  const server = Deno.serve(
    { port, hostname, onListen() {} },
    webhookCallback(bot, { secretToken }),
  );
  const publicUrl = url ?? `http://${hostname}:${server.addr.port}/`;
  try {
    await bot.setWebhook(publicUrl, {
      secret_token: secretToken,
      allowed_updates: ["message", "callback_query"],
      drop_pending_updates: true,
    });
  } catch (err) {
    await server.shutdown();
    throw err;
  }
  return {
    bot,
    url: publicUrl,
    secretToken,
    async close() {
      try {
        await bot.deleteWebhook();
      } finally {
        await bot.stop();
        await server.shutdown();
      }
    },
  };
}

if (import.meta.main) {
  const token = Deno.args[0] ?? Deno.env.get("TELEGRAM_BOT_TOKEN");
  const url = Deno.args[1] ?? Deno.env.get("WEBHOOK_URL");
  if (!token || !url) {
    console.error("usage: deno run -A examples/webhook.ts <token> <public https URL>");
    Deno.exit(2);
  }
  const running = await serveWebhook(token, {
    url,
    port: Number(Deno.env.get("PORT") ?? 8443),
    hostname: "0.0.0.0",
  });
  console.log(`Webhook set to ${running.url}; Ctrl-C removes it.`);
  Deno.addSignalListener("SIGINT", async () => {
    await running.close();
    Deno.exit(0);
  });
}
