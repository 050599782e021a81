/**
 * What a method handler gets: the world, the validated parameters and the emulator's
 * services, plus small coercion helpers for parameters.
 * @module
 */

import { badRequest } from "../api_error.ts";
import type { UpdateQueue } from "../updates.ts";
import type { Obj, World } from "../world.ts";

/** Services of the emulator that some handlers need beyond the world. */
export interface Services {
  readonly queue: UpdateQueue;
  /** Fetches the content of an HTTP URL given as a file (as Telegram downloads it). */
  fetchFileUrl(url: string, signal?: AbortSignal): Promise<Uint8Array>;
  /** The webhook state (setWebhook and friends). */
  readonly webhook: WebhookControl;
}

/** The webhook as the webhook methods see it. */
export interface WebhookControl {
  set(options: {
    url: string;
    secretToken?: string;
    maxConnections?: number;
    ipAddress?: string;
    hasCertificate: boolean;
  }): void;
  delete(): void;
  readonly url: string;
  info(): Obj;
}

/** One call of a Bot API method. */
export interface Ctx {
  readonly world: World;
  /** Validated, coerced parameters; uploaded parts are web `File`s. */
  readonly p: Obj;
  readonly method: string;
  readonly signal?: AbortSignal;
  readonly services: Services;
}

/** A Bot API method's implementation: returns the `result` or throws an ApiError. */
export type Handler = (ctx: Ctx) => unknown;

/** An integer parameter (numbers or numeric strings), or undefined. */
export function int(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === "string" && /^-?\d+$/.test(v.trim())) return Number(v.trim());
  return undefined;
}

/** A float parameter, or undefined. */
export function float(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A boolean parameter (true/false, "true"/"false", 1/0), or undefined. */
export function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true" || v === "1" || v === 1) return true;
  if (v === "false" || v === "0" || v === 0) return false;
  return undefined;
}

/** A string parameter, or undefined. */
export function str(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  return undefined;
}

/** A JSON-serialized object/array parameter (already parsed or a JSON string), or undefined. */
export function json(v: unknown, name: string): unknown {
  if (typeof v !== "string") return v;
  try {
    return JSON.parse(v);
  } catch {
    throw badRequest(`can't parse ${name} JSON object`);
  }
}

/** An object parameter, or undefined; throws 400 when it is something else. */
export function object(v: unknown, name: string): Obj | undefined {
  const x = json(v, name);
  if (x === undefined || x === null) return undefined;
  if (typeof x !== "object" || Array.isArray(x)) {
    throw badRequest(`can't parse ${name} JSON object`);
  }
  return x as Obj;
}

/** An array parameter, or undefined; throws 400 when it is something else. */
export function array(v: unknown, name: string): unknown[] | undefined {
  const x = json(v, name);
  if (x === undefined || x === null) return undefined;
  if (!Array.isArray(x)) throw badRequest(`can't parse ${name} JSON array`);
  return x;
}
