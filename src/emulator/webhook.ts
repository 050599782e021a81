/**
 * Webhook delivery: POSTs each pending update to the webhook URL in order, with the
 * secret-token header, retrying failures with a bounded backoff, and runs a Bot API call
 * the bot puts in its webhook answer.
 * @module
 */

import { reasonPhrase } from "./http.ts";
import type { UpdateQueue } from "./updates.ts";
import type { Obj } from "./world.ts";
import type { WebhookControl } from "./methods/context.ts";

/** How the deliverer reaches the webhook and how hard it tries. */
export interface WebhookOptions {
  /** The fetch used to POST updates (default the global fetch). */
  fetch: typeof fetch;
  /** Delays in ms before each retry of a failed delivery; its length bounds the retries. */
  retryDelays: readonly number[];
  /** How long one delivery may take before it counts as failed (ms). */
  timeoutMs: number;
  /** Unix seconds. */
  now(): number;
  /** Runs a method call found in a webhook answer (`{"method": ..., ...params}`). */
  execute(method: string, params: Obj): Promise<void>;
}

/** Webhook state and the delivery loop. */
export class WebhookDeliverer implements WebhookControl {
  url = "";
  #secret?: string;
  #maxConnections = 40;
  #ipAddress?: string;
  #hasCertificate = false;
  #lastErrorDate?: number;
  #lastErrorMessage?: string;
  #running = false;
  #closed = false;
  #generation = 0;
  #sleep: { timer: ReturnType<typeof setTimeout>; resolve: () => void } | null = null;
  #inflight: AbortController | null = null;
  #idle: Promise<void> = Promise.resolve();
  /** Number of delivery attempts made (for tests and statistics). */
  attempts = 0;

  constructor(readonly queue: UpdateQueue, readonly options: WebhookOptions) {}

  /** Sets (or replaces) the webhook and starts delivering. */
  set(o: {
    url: string;
    secretToken?: string;
    maxConnections?: number;
    ipAddress?: string;
    hasCertificate: boolean;
  }): void {
    this.url = o.url;
    this.#secret = o.secretToken;
    this.#maxConnections = o.maxConnections ?? 40;
    this.#ipAddress = o.ipAddress;
    this.#hasCertificate = o.hasCertificate;
    this.#lastErrorDate = undefined;
    this.#lastErrorMessage = undefined;
    this.#generation++;
    this.#wakeSleep();
    this.kick();
  }

  /** Removes the webhook; pending updates stay for getUpdates. */
  delete(): void {
    this.url = "";
    this.#secret = undefined;
    this.#hasCertificate = false;
    this.#ipAddress = undefined;
    this.#lastErrorDate = undefined;
    this.#lastErrorMessage = undefined;
    this.#generation++;
    this.#wakeSleep();
  }

  /** The WebhookInfo object. */
  info(): Obj {
    const info: Obj = {
      url: this.url,
      has_custom_certificate: this.url ? this.#hasCertificate : false,
      pending_update_count: this.queue.size,
    };
    if (!this.url) return info;
    if (this.#ipAddress) info.ip_address = this.#ipAddress;
    if (this.#lastErrorDate !== undefined) {
      info.last_error_date = this.#lastErrorDate;
      info.last_error_message = this.#lastErrorMessage;
    }
    info.max_connections = this.#maxConnections;
    const allowed = this.queue.allowedUpdates;
    if (allowed) info.allowed_updates = allowed;
    return info;
  }

  /** Starts the delivery loop if there is work and it is not running. */
  kick(): void {
    if (this.#running || this.#closed || !this.url || this.queue.size === 0) return;
    this.#running = true;
    this.#idle = this.#loop().finally(() => {
      this.#running = false;
      this.kick();
    });
  }

  /** Resolves when the loop has nothing left to do. */
  idle(): Promise<void> {
    return this.#idle;
  }

  /** Stops delivering for good: aborts an in-flight POST and pending retries. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#inflight?.abort();
    this.#wakeSleep();
    await this.#idle.catch(() => {});
  }

  async #loop(): Promise<void> {
    let failures = 0;
    while (!this.#closed && this.url) {
      const update = this.queue.first();
      if (!update) return;
      const generation = this.#generation;
      const ok = await this.#deliver(update);
      if (this.#closed || generation !== this.#generation) {
        failures = 0;
        if (ok && this.queue.first() === update) this.queue.shift();
        continue;
      }
      if (ok) {
        if (this.queue.first() === update) this.queue.shift();
        failures = 0;
        continue;
      }
      failures++;
      if (failures > this.options.retryDelays.length) {
        // Telegram gives up on an update after a reasonable number of attempts.
        if (this.queue.first() === update) this.queue.shift();
        failures = 0;
        continue;
      }
      await this.#pause(this.options.retryDelays[failures - 1]);
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#sleep = null;
        resolve();
      }, ms);
      this.#sleep = { timer, resolve };
    });
  }

  #wakeSleep(): void {
    if (!this.#sleep) return;
    clearTimeout(this.#sleep.timer);
    const { resolve } = this.#sleep;
    this.#sleep = null;
    resolve();
  }

  async #deliver(update: Obj): Promise<boolean> {
    this.attempts++;
    const ctrl = new AbortController();
    this.#inflight = ctrl;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, this.options.timeoutMs);
    try {
      const { res, text } = await this.#post(update, ctrl.signal);
      if (!res.ok) {
        this.#fail(
          `Wrong response from the webhook: ${res.status} ${
            res.statusText || reasonPhrase(res.status)
          }`,
        );
        return false;
      }
      await this.#executeReply(res, text);
      return true;
    } catch {
      this.#fail(timedOut ? "Read timeout expired" : "Connection refused");
      return false;
    } finally {
      clearTimeout(timer);
      if (this.#inflight === ctrl) this.#inflight = null;
    }
  }

  /** POSTs `update` to the webhook and reads the answer; rejects once `signal` aborts. */
  async #post(update: Obj, signal: AbortSignal): Promise<{ res: Response; text: string }> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.#secret) headers["x-telegram-bot-api-secret-token"] = this.#secret;
    const aborted = new Promise<never>((_, reject) => {
      signal.addEventListener("abort", () => reject(new Error("aborted")), { once: true });
    });
    aborted.catch(() => {});
    // Race the abort too, so a fetch that ignores its signal cannot stall delivery.
    const res = await Promise.race([
      this.options.fetch(this.url, {
        method: "POST",
        headers,
        body: JSON.stringify(update),
        signal,
      }),
      aborted,
    ]);
    const text = await Promise.race([res.text(), aborted]);
    return { res, text };
  }

  /** Runs the method call a webhook may answer with (a JSON object with `method`). */
  async #executeReply(res: Response, text: string): Promise<void> {
    const type = res.headers.get("content-type") ?? "";
    if (!type.includes("application/json") || !text.trim().startsWith("{")) return;
    try {
      const call = JSON.parse(text) as Obj;
      if (typeof call.method === "string") {
        const params = { ...call };
        delete params.method;
        await this.options.execute(call.method, params);
      }
    } catch {
      // A malformed answer is ignored, as Telegram does.
    }
  }

  #fail(message: string): void {
    this.#lastErrorDate = this.options.now();
    this.#lastErrorMessage = message;
  }
}
