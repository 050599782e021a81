/**
 * Keeps the bot token out of errors: runtimes put the request URL (which holds the
 * token) into fetch failures' messages, stacks and causes. Loaded lazily by
 * `client.ts`, on the first error.
 * @module
 */
import { tokenInPath } from "./token.ts";

/** What replaces the token. */
export const REDACTED = "<token>";

/**
 * Returns a function that replaces every spelling of `token` in a text (as is, and
 * percent-encoded the ways URLs encode it, in either hex case; also the secret after
 * the colon on its own) by {@linkcode REDACTED}.
 */
export function redactor(token: string): (text: string) => string {
  const variants = new Set<string>();
  const add = (s: string, min: number) => {
    for (const v of [s, encodeURIComponent(s), encodeURI(s), tokenInPath(s)]) {
      if (v.length < min) continue;
      variants.add(v);
      variants.add(v.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
    }
  };
  add(token, 1);
  const colon = token.indexOf(":");
  if (colon >= 0) add(token.slice(colon + 1), 8);
  if (variants.size === 0) return (text) => text;
  const escaped = [...variants].sort((a, b) => b.length - a.length).map((v) =>
    v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  );
  const re = new RegExp(escaped.join("|"), "g");
  return (text) => text.replace(re, REDACTED);
}

/**
 * A copy of `value` (an error, its causes, an AggregateError's errors, any string) with
 * the token removed everywhere; the original is left alone.
 */
export function redactError(value: unknown, redact: (text: string) => string, depth = 0): unknown {
  if (typeof value === "string") return redact(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8) return undefined;
  if (!(value instanceof Error)) {
    let text: string;
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
    return redact(text);
  }
  const copy = value instanceof TypeError ? new TypeError(redact(value.message)) : new Error(
    redact(value.message),
  );
  Object.defineProperty(copy, "name", { value: redact(String(value.name)), configurable: true });
  Object.defineProperty(copy, "stack", {
    value: value.stack === undefined ? undefined : redact(String(value.stack)),
    configurable: true,
    writable: true,
  });
  const rec = copy as unknown as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    const v = (value as unknown as Record<string, unknown>)[key];
    if (key === "cause" || key === "errors") continue;
    if (typeof v === "string") rec[key] = redact(v);
    else if (v === null || typeof v !== "object") rec[key] = v;
  }
  if ("cause" in value && value.cause !== undefined) {
    rec.cause = redactError(value.cause, redact, depth + 1);
  }
  const errors = (value as { errors?: unknown }).errors;
  if (Array.isArray(errors)) rec.errors = errors.map((e) => redactError(e, redact, depth + 1));
  return copy;
}
