/**
 * Handing one update to a handler, the same way wherever updates come from (the
 * update loop, a webhook, a DelegatorBot's `handle()`): the payload is taken out of
 * the Update and its kind remembered (for `kindOf`), the handler is called with
 * `(payload, update)`, and a throw or a rejection is reported through the error hook
 * as `"handler"` with the update_id.
 * @module
 */

import type { Update } from "../core/types.ts";
import { payloadOf, rememberKind } from "./kind.ts";
import { type ErrorHook, report } from "./report.ts";

/**
 * Handles one update: `msg` is its payload (`update.message`,
 * `update.callback_query`, ... whatever kind it is, even one newer than this
 * code), `update` the whole Update. May return a promise: the loop awaits it
 * before handing over the next update. May return a `Settlement`: the
 * loop goes on at once, and waits for it before confirming the update.
 */
export type UpdateHandler = (
  // deno-lint-ignore no-explicit-any
  msg: any,
  update: Update,
) => unknown;

/** What {@linkcode handOver} returns when the handler threw (the throw was reported). */
export const THREW: unique symbol = Symbol("the handler threw");

/** The payload of `update` (its one field besides update_id), its kind remembered for `kindOf`. */
export function takePayload(update: Update): unknown {
  const [kind, payload] = payloadOf(update as unknown as Record<string, unknown>);
  rememberKind(payload, kind);
  return payload;
}

/**
 * Calls `handler(payload, update)` and returns what it returned; a throw is reported
 * to `onError` (source `"handler"`) and yields {@linkcode THREW}. A promise returned is
 * not awaited here: see {@linkcode handled}.
 */
export function handOver(
  handler: UpdateHandler,
  update: Update,
  onError: ErrorHook | undefined,
): unknown {
  const payload = takePayload(update);
  try {
    return handler(payload, update);
  } catch (err) {
    report(onError, err, { source: "handler", updateId: update.update_id });
    return THREW;
  }
}

/**
 * Resolves once a handler's promise settles; a rejection is reported to `onError`
 * (source `"handler"`, the update's id), so the returned promise never rejects.
 */
export function handled(
  result: PromiseLike<unknown>,
  onError: ErrorHook | undefined,
  updateId: number,
): Promise<void> {
  return Promise.resolve(result).then(
    () => {},
    (err) => report(onError, err, { source: "handler", updateId }),
  );
}
