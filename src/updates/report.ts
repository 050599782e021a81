/**
 * The one place errors that nobody awaits are reported: a failing update handler,
 * a retried getUpdates, a delegate that crashed. By default one line per error on
 * the console's error stream, without stack dump and without anything that looks
 * like a bot token; pass `onError` to the loop or the DelegatorBot to take over.
 * @module
 */

/** Where an error was caught. */
export interface ErrorContext {
  /**
   * `"handler"` (the update handler threw), `"getUpdates"` (polling failed; it will be
   * retried in `retryIn` ms), `"confirm"` (the final offset confirmation failed),
   * `"seed"` (a seed function threw), `"factory"` (a delegate factory threw),
   * `"delegate"` (a delegate failed), `"stop"` (delegates still running when stop()
   * gave up waiting), `"settle"` (updates whose work was still running when the
   * update loop stopped waiting for it, see `LoopOptions.settleTimeout`).
   */
  source:
    | "handler"
    | "getUpdates"
    | "confirm"
    | "seed"
    | "factory"
    | "delegate"
    | "stop"
    | "settle";
  /** The update being handled, if any. */
  updateId?: number;
  /** The seed whose delegate failed, if any. */
  seed?: unknown;
  /** Milliseconds until the failed operation is retried, if it will be. */
  retryIn?: number;
}

/** Receives errors that have no caller to go to. */
export type ErrorHook = (err: unknown, context: ErrorContext) => void;

/** Anything shaped like a bot token (`123456:ABC...`), in case user code put one in a message. */
const TOKEN_LIKE = /\d{3,}:[A-Za-z0-9_-]{20,}/g;

/** One line describing an error: `Name: message (at first frame)`, token-like text removed. */
export function describeError(err: unknown): string {
  let text: string;
  if (err instanceof Error) {
    text = `${err.name}: ${err.message}`;
    if (err instanceof AggregateError && err.errors.length > 0) {
      text += ` [${err.errors.map(describeError).join("; ")}]`;
    }
    const frame = err.stack?.split("\n").find((l) => l.trim().startsWith("at "));
    if (frame) text += ` (${frame.trim()})`;
  } else if (err instanceof DOMException) {
    text = `${err.name}: ${err.message}`;
  } else {
    try {
      text = typeof err === "string" ? err : JSON.stringify(err) ?? String(err);
    } catch {
      text = String(err);
    }
  }
  return text.replace(/\s*\n\s*/g, " ").replace(TOKEN_LIKE, "<token>");
}

/** The line the default hook logs for an error in a context. */
export function formatReport(err: unknown, context: ErrorContext): string {
  const where: string[] = [context.source];
  if (context.updateId !== undefined) where.push(`update ${context.updateId}`);
  if (context.seed !== undefined) where.push(`seed ${describeSeed(context.seed)}`);
  let line = `[telepot] ${where.join(", ")}: ${describeError(err)}`;
  if (context.retryIn !== undefined) {
    line += `; retrying in ${(context.retryIn / 1000).toFixed(1)} s`;
  }
  return line;
}

function describeSeed(seed: unknown): string {
  try {
    return typeof seed === "bigint" ? String(seed) : JSON.stringify(seed) ?? String(seed);
  } catch {
    return String(seed);
  }
}

/** Writes one line to the error stream of the console, if the runtime has one. */
export function logLine(line: string): void {
  (globalThis as { console?: { error?: (s: string) => void } }).console?.error?.(line);
}

/**
 * The default {@linkcode ErrorHook}: one line per error on the console's error stream,
 * `[telepot] <source>, update <id>: <Name>: <message> (<first stack frame>)`, with
 * anything that looks like a bot token replaced by `<token>`. Call it from a hook of
 * your own to keep that line.
 *
 * @example
 * ```ts
 * import { logError } from "../../helper.ts";
 * import { Bot, type ErrorHook } from "../../mod.ts";
 *
 * let failures = 0;
 * const onError: ErrorHook = (err, context) => {
 *   failures++;
 *   logError(err, context); // and keep the default line
 * };
 * const bot = new Bot("123456:TOKEN");
 * // await bot.messageLoop(undefined, { onError });
 * ```
 */
export const logError: ErrorHook = (err: unknown, context: ErrorContext): void =>
  logLine(formatReport(err, context));

/** Calls `hook`, and falls back to the default if the hook itself throws. */
export function report(hook: ErrorHook | undefined, err: unknown, context: ErrorContext): void {
  try {
    (hook ?? logError)(err, context);
  } catch (hookErr) {
    logError(hookErr, context);
  }
}
