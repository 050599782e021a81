/**
 * What a failed getUpdates means for the update loop: wait `retry_after` (429), back
 * off and retry (network errors, 5xx, stalls), or end the loop with an
 * {@linkcode UpdateLoopError} that says what to fix (401, 404, 409, other 4xx).
 * @module
 */

import { UpdateLoopError } from "../core/errors/loop.ts";
import { backoff } from "../time/timers.ts";

/** What to do after a failed getUpdates: end the loop (`fatal`), or retry after `wait` ms. */
export interface Verdict {
  /** The error that ends the loop. */
  fatal?: UpdateLoopError;
  /** Milliseconds to wait before retrying; unset: the loop's backoff decides. */
  wait?: number;
}

/** The Bot API error code of an error, or its HTTP status. */
function codeOf(err: unknown): number | undefined {
  const e = err as { errorCode?: unknown; status?: unknown } | null;
  if (typeof e?.errorCode === "number") return e.errorCode;
  if (typeof e?.status === "number") return e.status;
  return undefined;
}

/** What the loop says when getUpdates answers these codes (`said`: Telegram's words). */
const FATAL: Record<number, (said: string) => string> = {
  401: (said) =>
    `getUpdates was refused with 401 Unauthorized${said}: the bot token is wrong or was ` +
    "revoked. The update loop stopped; get a valid token from @BotFather and start again.",
  404: (said) =>
    `getUpdates answered 404 Not Found${said}: the bot token or the apiRoot is wrong ` +
    "(Telegram answers 404 for a malformed token). The update loop stopped.",
  409: (said) =>
    `getUpdates answered 409 Conflict${said}: Telegram gives updates to one receiver only. ` +
    "Either a webhook is set for this bot (call deleteWebhook() before polling, or keep " +
    "the webhook and do not poll), or another instance of this bot is polling with the " +
    "same token (stop it). The update loop stopped.",
};

/** Why the loop must end after `err` (code `code`), or undefined when a retry may help. */
function fatalText(err: unknown, code: number | undefined): string | undefined {
  if (code === undefined) return undefined;
  const e = err as { errorCode?: number; description?: string };
  const said = e?.description ? ` (Telegram said: "${e.description}")` : "";
  const known = FATAL[code];
  if (known !== undefined) return known(said);
  if (e?.errorCode !== undefined && code >= 400 && code < 500) {
    return `getUpdates was refused with ${code}${said}; retrying cannot help. The update loop stopped.`;
  }
  return undefined;
}

/** Decides what a failed getUpdates means: end the loop, or wait and retry. */
export function classify(err: unknown): Verdict {
  const code = codeOf(err);
  if (code === 429) {
    const e = err as { parameters?: { retry_after?: number }; retryAfter?: number };
    const seconds = e?.parameters?.retry_after ?? e.retryAfter ?? 1;
    return { wait: Math.max(0, seconds) * 1000 };
  }
  const text = fatalText(err, code);
  return text === undefined ? {} : { fatal: new UpdateLoopError(text, code, { cause: err }) };
}

/** The retry delays of a loop, in milliseconds: `initial` doubling to `max`. */
export interface Backoff {
  /** The first delay. */
  readonly initial: number;
  /** The longest delay. */
  readonly max: number;
}

/** Milliseconds to wait after the `failures`-th failure in a row, by `verdict` or backoff. */
export function retryWait(verdict: Verdict, failures: number, delays: Backoff): number {
  return verdict.wait ?? backoff(failures - 1, delays.initial, delays.max, true);
}

/**
 * Whether a failed final confirmation is tried again: after a 409 (the loop's aborted
 * long poll may still count as running at Telegram's end), up to three attempts.
 */
export function retryConfirm(err: unknown, attempt: number): boolean {
  return codeOf(err) === 409 && attempt < 3;
}
