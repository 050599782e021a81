/**
 * Getting updates: getUpdates (offset, limit, long polling, allowed_updates, both 409s)
 * and the webhook methods.
 * @module
 */

import { ApiError, badRequest } from "../api_error.ts";
import { array, bool, type Handler, int, str } from "./context.ts";

/** A result that Telegram sends together with a `description` (e.g. "Webhook was set"). */
export class Described {
  constructor(readonly result: unknown, readonly description: string) {}
}

/** 409 while a webhook is set. */
export const WEBHOOK_ACTIVE =
  "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first";
/** 409 for a getUpdates ended by a newer one. */
export const TERMINATED =
  "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running";

const getUpdates: Handler = async (ctx) => {
  const { queue, webhook } = ctx.services;
  if (webhook.url) throw new ApiError(409, WEBHOOK_ACTIVE);
  // A newer request ends the one still waiting (that one answers 409).
  queue.terminateWaiter();
  const offset = int(ctx.p.offset);
  if (offset !== undefined && offset !== 0) queue.confirm(offset);
  const limit = Math.min(100, Math.max(1, int(ctx.p.limit) ?? 100));
  const timeout = Math.max(0, int(ctx.p.timeout) ?? 0);
  const allowed = array(ctx.p.allowed_updates, "allowed_updates");
  if (allowed) queue.setAllowed(allowed.map(String));
  if (queue.size === 0 && timeout > 0) {
    const outcome = await queue.wait(timeout * 1000, ctx.signal);
    if (outcome === "terminated") throw new ApiError(409, TERMINATED);
    if (outcome === "closed") return [];
    if (webhook.url) return [];
  }
  return queue.peek(limit);
};

const setWebhook: Handler = (ctx) => {
  const { queue, webhook } = ctx.services;
  const url = str(ctx.p.url) ?? "";
  if (url === "") {
    if (bool(ctx.p.drop_pending_updates)) queue.clear();
    const was = webhook.url;
    webhook.delete();
    return new Described(true, was ? "Webhook was deleted" : "Webhook is already deleted");
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest("bad webhook: Failed to resolve host: Name or service not known");
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw badRequest("bad webhook: An HTTPS URL must be provided for webhook");
  }
  const secret = str(ctx.p.secret_token);
  if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
    throw badRequest("secret token contains unallowed characters");
  }
  const max = int(ctx.p.max_connections);
  if (max !== undefined && (max < 1 || max > 100)) {
    throw badRequest("bad webhook: max_connections must be between 1 and 100");
  }
  const same = webhook.url === url;
  if (bool(ctx.p.drop_pending_updates)) queue.clear();
  const allowed = array(ctx.p.allowed_updates, "allowed_updates");
  if (allowed) queue.setAllowed(allowed.map(String));
  webhook.set({
    url,
    secretToken: secret,
    maxConnections: max,
    ipAddress: str(ctx.p.ip_address),
    hasCertificate: ctx.p.certificate !== undefined && ctx.p.certificate !== "",
  });
  return new Described(true, same ? "Webhook is already set" : "Webhook was set");
};

const deleteWebhook: Handler = (ctx) => {
  const { queue, webhook } = ctx.services;
  if (bool(ctx.p.drop_pending_updates)) queue.clear();
  const was = webhook.url;
  webhook.delete();
  return new Described(true, was ? "Webhook was deleted" : "Webhook is already deleted");
};

const getWebhookInfo: Handler = (ctx) => ctx.services.webhook.info();

/** Handlers for receiving updates. */
export const UPDATE_HANDLERS: Record<string, Handler> = {
  getUpdates,
  setWebhook,
  deleteWebhook,
  getWebhookInfo,
  getMe: (ctx) => ctx.world.me(),
  // Moving the bot between servers has no meaning offline: both simply succeed.
  logOut: () => true,
  close: () => true,
};
