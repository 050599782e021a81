/**
 * Webhooks for any runtime: {@linkcode webhookCallback} makes a web-standard
 * `(Request) => Promise<Response>` endpoint that feeds a bot's `handle()` (the same
 * path as polling, delegation included), for `Deno.serve`, `Bun.serve` and
 * Cloudflare Workers; {@linkcode toNodeListener} plugs it into node:http.
 *
 * @example
 * ```ts
 * import { Bot } from "./mod.ts";
 * import { webhookCallback } from "./webhook.ts";
 *
 * class EchoBot extends Bot {
 *   override async handle(msg: { chat: { id: number }; text?: string }) {
 *     if (msg.text) await this.sendMessage(msg.chat.id, msg.text);
 *   }
 * }
 * const bot = new EchoBot("123456:TOKEN");
 * const onRequest = webhookCallback(bot, { secretToken: "s3cret" });
 * // Deno.serve({ port: 8443 }, onRequest);
 * // await bot.setWebhook("https://bot.example.com/", { secret_token: "s3cret" });
 * ```
 * @module
 */

export {
  type UpdateReceiver,
  type WebhookCallback,
  webhookCallback,
  type WebhookOptions,
} from "./src/updates/webhook.ts";
export type { ErrorContext, ErrorHook } from "./src/updates/report.ts";
export type { Update } from "./src/core/types.ts";
export {
  type NodeIncomingMessage,
  type NodeListener,
  type NodeServerResponse,
  toNodeListener,
} from "./src/updates/webhook_node.ts";
