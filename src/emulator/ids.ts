/**
 * Random identifiers in the shapes Telegram uses (tokens, file ids, query ids).
 * @module
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** `n` random base64url characters. */
export function randomString(n: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(n));
  let out = "";
  for (const b of bytes) out += ALPHABET[b & 63];
  return out;
}

/** A random positive integer below `max`. */
export function randomInt(max: number): number {
  const [a] = crypto.getRandomValues(new Uint32Array(1));
  return a % max;
}

/** A valid-looking bot token: `<bot id>:AA<33 characters>`. */
export function randomToken(): string {
  return `${1_000_000_000 + randomInt(999_999_999)}:AA${randomString(33)}`;
}

/** The bot id a token starts with, or undefined when the token is not `<digits>:<secret>`. */
export function botIdFromToken(token: string): number | undefined {
  const m = /^(\d{1,15}):[A-Za-z0-9_-]{1,100}$/.exec(token);
  return m ? Number(m[1]) : undefined;
}

/** A decimal string id, as Telegram's callback/inline query ids look. */
export function randomQueryId(): string {
  return `${1 + randomInt(9)}${String(randomInt(1_000_000_000)).padStart(9, "0")}${
    String(randomInt(1_000_000_000)).padStart(9, "0")
  }`;
}
