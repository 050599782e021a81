/**
 * The bot token as requests spell it. Kept apart from `client.ts` so that `redact.ts`
 * (loaded lazily, on the first error) can spell the token the same way without importing
 * the client back.
 * @module
 */

/** The token as it appears in a request path: percent-encoded, except for the colon. */
export function tokenInPath(token: string): string {
  return encodeURIComponent(token).replaceAll("%3A", ":");
}
