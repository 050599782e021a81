/**
 * Capture criteria, as telepot has them: which messages a {@linkcode Listener}
 * wants. Also computes, for each criteria, one literal it pins down (a "route"),
 * so the Microphone can index listeners instead of offering every message to all.
 * @module
 */

/** A test on one part of a message: a literal, a predicate, a RegExp, or nested criteria. */
export type Template =
  | string
  | number
  | bigint
  | boolean
  | null
  | RegExp
  | readonly unknown[]
  // deno-lint-ignore no-explicit-any
  | ((part: any) => unknown)
  | Criteria;

/**
 * Capture criteria: keys select parts of the message (`chat__id` goes down a level
 * for every `__`; `_` is the whole message), values are templates. All keys of one
 * criteria must hold for a message to match it.
 *
 * @example
 * ```ts
 * import type { Criteria } from "./capture.ts";
 * const fromAlice: Criteria = { chat__id: 42, text: (t: string) => t.startsWith("/") };
 * const nested: Criteria = { chat: { id: 42, type: "private" } };
 * ```
 */
export interface Criteria {
  /** A key selecting a part of the message, and the template that part must meet. */
  [key: string]: Template;
}

/** A literal that pins down a criteria: `[path segments, value]`. */
export type Route = readonly [path: string, value: RouteValue];
/** Values that can index a route (compared with `===`, NaN aside). */
export type RouteValue = string | number | bigint | boolean | null;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isLiteral(v: unknown): v is RouteValue {
  const t = typeof v;
  return v === null || t === "string" || t === "number" || t === "bigint" || t === "boolean";
}

const paths = new Map<string, readonly string[]>();
const NO_PATH: readonly string[] = Object.freeze([]);

/** Splits a criteria key into the path of property names it selects (`_` = the whole). */
export function keyPath(key: string): readonly string[] {
  if (key === "_") return NO_PATH;
  let path = paths.get(key);
  if (path === undefined) {
    path = Object.freeze(key.split("__"));
    if (paths.size < 10_000) paths.set(key, path);
  }
  return path;
}

/** The part of `msg` a path selects, or `undefined` when any level is missing. */
export function pick(msg: unknown, path: readonly string[]): unknown {
  let part = msg;
  for (const name of path) {
    if (part === null || typeof part !== "object") return undefined;
    part = (part as Record<string, unknown>)[name];
    if (part === undefined) return undefined;
  }
  return part;
}

/** Deep equality of JSON-like values; functions and other objects compare by identity. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (a instanceof RegExp && b instanceof RegExp) return String(a) === String(b);
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}

/**
 * A criteria prepared for fast matching: for each key, its path (split once),
 * a kind (0 literal, 1 predicate, 2 RegExp, 3 array by value, 4 nested), and the
 * template, flattened into one exact-size array.
 */
export type CompiledCriteria = readonly unknown[];

/** Prepares criteria for {@linkcode test}. */
export function compile(criteria: Criteria): CompiledCriteria {
  const keys = Object.keys(criteria);
  const out = new Array<unknown>(keys.length * 3);
  for (let i = 0; i < keys.length; i++) {
    const template = criteria[keys[i]];
    let kind: number;
    let value: unknown = template;
    if (typeof template === "function") kind = 1;
    else if (template instanceof RegExp) kind = 2;
    else if (Array.isArray(template)) kind = 3;
    else if (isPlainObject(template)) {
      kind = 4;
      value = compile(template as Criteria);
    } else kind = 0;
    out[3 * i] = keyPath(keys[i]);
    out[3 * i + 1] = kind;
    out[3 * i + 2] = value;
  }
  return out;
}

/** Whether `msg` meets compiled criteria (see {@linkcode matches}). */
export function test(msg: unknown, criteria: CompiledCriteria): boolean {
  for (let i = 0; i < criteria.length; i += 3) {
    const path = criteria[i] as readonly string[];
    const part = path.length === 0 ? msg : pick(msg, path);
    if (part === undefined) return false;
    const value = criteria[i + 2];
    switch (criteria[i + 1]) {
      case 0:
        if (part !== value) return false;
        break;
      case 1:
        if (!(value as (p: unknown) => unknown)(part)) return false;
        break;
      case 2:
        if (typeof part !== "string" || part.search(value as RegExp) === -1) return false;
        break;
      case 3:
        if (!sameValue(part, value)) return false;
        break;
      default:
        if (part === null || typeof part !== "object") return false;
        if (!test(part, value as CompiledCriteria)) return false;
    }
  }
  return true;
}

/** Whether `msg` meets at least one of the compiled criteria. */
export function testAny(msg: unknown, list: readonly CompiledCriteria[]): boolean {
  for (let i = 0; i < list.length; i++) if (test(msg, list[i])) return true;
  return false;
}

/**
 * Whether `msg` meets every key of `criteria`. A key whose part is missing fails,
 * so `{ chat__id: 1 }` never matches a callback query (it has no `chat`).
 *
 * @example
 * ```ts
 * import { matches } from "./capture.ts";
 * matches({ chat: { id: 1 }, text: "hi" }, { chat__id: 1, text: /^h/ }); // true
 * ```
 */
export function matches(msg: unknown, criteria: Criteria): boolean {
  return test(msg, compile(criteria));
}

/** Whether `msg` meets at least one of the criteria. */
export function matchesAny(msg: unknown, list: readonly Criteria[]): boolean {
  for (const c of list) if (matches(msg, c)) return true;
  return false;
}

/** Every literal a criteria pins down, as `[path joined by "__", value]`. */
export function literals(criteria: Criteria, prefix = ""): Route[] {
  const found: Route[] = [];
  for (const key in criteria) {
    const value = criteria[key];
    const path = key === "_" ? prefix : prefix ? `${prefix}__${key}` : key;
    if (isLiteral(value) && path !== "" && !(typeof value === "number" && Number.isNaN(value))) {
      found.push([path, value]);
    } else if (isPlainObject(value)) {
      found.push(...literals(value as Criteria, path));
    }
  }
  return found;
}

/**
 * The one literal that best indexes a criteria, or `null` if it has none (a
 * predicate-only criteria must see every message). Ids are preferred: they
 * split messages finely, a chat type does not.
 */
export function routeOf(criteria: Criteria): Route | null {
  const all = literals(criteria);
  if (all.length === 0) return null;
  const best = all.find(([path]) => /(^|_)id$/.test(path)) ?? all[0];
  return [best[0], best[1]];
}

/**
 * Routes that index a whole list of criteria (a message matches if any criteria
 * does), or `null` when some criteria has no literal, or the list is empty: then
 * the listener must be offered every message.
 */
export function routesOf(list: readonly Criteria[]): Route[] | null {
  if (list.length === 0) return null;
  const routes = new Array<Route>(list.length);
  for (let i = 0; i < list.length; i++) {
    const r = routeOf(list[i]);
    if (r === null) return null;
    routes[i] = r;
  }
  return routes;
}
