/**
 * Which failed requests surely never reached the server: the client's test before it
 * says whether a failed call may have been delivered.
 * @module
 */

/** Error codes (anywhere in the cause chain) that mean the request never left. */
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
]);
/** What Deno's and Bun's fetch say when the connection could not be made. */
const NOT_SENT_TEXT =
  /connection refused|tcp connect error|dns error|failed to lookup address|name or service not known|unable to connect/i;

/**
 * Whether a failed request surely never reached the server: the connection was refused
 * or the host did not resolve (Node's, Deno's and Bun's wording). Anything else (a reset,
 * a browser's opaque "Failed to fetch") may have been delivered.
 */
export function neverSent(err: unknown, depth = 0): boolean {
  if (err === null || typeof err !== "object" || depth > 6) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
  if (typeof e.code === "string" && NOT_SENT_CODES.has(e.code)) return true;
  if (typeof e.message === "string" && NOT_SENT_TEXT.test(e.message)) return true;
  if (neverSent(e.cause, depth + 1)) return true;
  return Array.isArray(e.errors) && e.errors.length > 0 &&
    e.errors.every((x) => neverSent(x, depth + 1));
}
