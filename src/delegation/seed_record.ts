/**
 * A DelegatorBot's bookkeeping per seed: each delegation {@linkcode Pattern} keeps the
 * {@linkcode SeedRecord} of every live delegate under its seed, and a record keeps what
 * was routed to its delegate and not yet taken, and the settlements waiting for it.
 * @module
 */

import { Settlement } from "../updates/settlement.ts";
import type { Delegate } from "./factories.ts";
import type { Listener, ListenerOwner } from "./listener.ts";
import type { SeedFunction } from "./seeds.ts";

/** No payload. */
const NONE = Symbol("none");

function isPrimitive(v: unknown): boolean {
  const t = typeof v;
  return v === null || t === "string" || t === "number" || t === "bigint" || t === "boolean" ||
    t === "undefined";
}

/** The key of a tuple seed (an array of primitives), unambiguous per element type. */
function tupleKey(seed: readonly unknown[]): string {
  return seed.map((v) => typeof v === "string" ? JSON.stringify(v) : `${typeof v}:${String(v)}`)
    .join(",");
}

/**
 * A delegation pattern at work: its seed function, its delegate, and the records of
 * its live delegates by seed. A primitive seed is kept by value, a non-empty array of
 * primitives (telepot's tuple) by its elements; any other seed is never kept (a new
 * delegate every time).
 */
export class Pattern {
  readonly #byValue = new Map<unknown, SeedRecord>();
  readonly #byTuple = new Map<unknown, SeedRecord>();

  /**
   * @param seedFn computes the seed of a payload
   * @param delegate runs for one seed
   */
  constructor(readonly seedFn: SeedFunction, readonly delegate: Delegate) {}

  /** The map `seed`'s record is kept in; null when it is not kept. */
  #mapOf(seed: unknown): Map<unknown, SeedRecord> | null {
    if (isPrimitive(seed) || typeof seed === "symbol") return this.#byValue;
    if (Array.isArray(seed) && seed.length > 0 && seed.every(isPrimitive)) return this.#byTuple;
    return null;
  }

  #keyOf(map: Map<unknown, SeedRecord>, seed: unknown): unknown {
    return map === this.#byTuple ? tupleKey(seed as unknown[]) : seed;
  }

  /** The record of the live delegate of `seed`, if there is one. */
  live(seed: unknown): SeedRecord | undefined {
    const map = this.#mapOf(seed);
    return map === null ? undefined : map.get(this.#keyOf(map, seed));
  }

  /** A new record for `seed`, kept under it when seeds like it are kept. */
  add(seed: unknown): SeedRecord {
    const map = this.#mapOf(seed);
    const key = map === null ? undefined : this.#keyOf(map, seed);
    const rec = new SeedRecord(this, map, key, seed);
    map?.set(key, rec);
    return rec;
  }
}

/** One live delegate: its seed, its signal, its listeners, messages routed to it not yet taken. */
export class SeedRecord implements ListenerOwner {
  controller: AbortController | null = null;
  listeners: Listener[] | null = null;
  /** The oldest payload routed to this seed and not yet taken by its delegate (or NONE). */
  owedFirst: unknown = NONE;
  /** The later ones, in order. */
  owedMore: unknown[] | null = null;
  task: Promise<void> | null = null;
  /** Settlements waiting for this seed's delegate to be done with what it was routed. */
  settlers: ((done: boolean) => void)[] | null = null;

  /**
   * @param pattern the pattern whose delegate this record runs
   * @param map where the pattern keeps this record (null: not kept)
   * @param key its key there
   * @param seed the seed
   */
  constructor(
    readonly pattern: Pattern,
    readonly map: Map<unknown, SeedRecord> | null,
    readonly key: unknown,
    readonly seed: unknown,
  ) {}

  /** The delegate's signal while it runs. */
  get signal(): AbortSignal | null {
    return this.controller?.signal ?? null;
  }

  /** Takes the record out of its pattern's map (its seed has no live delegate any more). */
  forget(): void {
    if (this.map !== null && this.map.get(this.key) === this) this.map.delete(this.key);
  }

  /** Adds a listener the delegate created. */
  addListener(listener: Listener): void {
    this.listeners = this.listeners === null ? [listener] : [...this.listeners, listener];
  }

  /** Closes the delegate's listeners (with `reason`), keeping them listed. */
  closeListeners(reason?: unknown): void {
    if (this.listeners !== null) { for (const l of this.listeners) l.close(reason); }
  }

  /** Notes that `msg` was routed to this seed while its delegate lives. */
  owe(msg: unknown): void {
    if (this.owedFirst === NONE) this.owedFirst = msg;
    else if (this.owedMore === null) this.owedMore = [msg];
    else this.owedMore.push(msg);
  }

  /** A listener of the delegate took `msg`: it is no longer owed. */
  taken(msg: unknown): void {
    if (this.owedFirst === msg) {
      const more = this.owedMore;
      if (more === null) this.owedFirst = NONE;
      else {
        this.owedFirst = more.shift();
        if (more.length === 0) this.owedMore = null;
      }
    } else if (this.owedMore !== null) {
      const i = this.owedMore.indexOf(msg);
      if (i >= 0) this.owedMore.splice(i, 1);
      if (this.owedMore.length === 0) this.owedMore = null;
    }
  }

  /**
   * Whether the delegate is done with every payload routed to it: it ended, or it
   * took them all and now waits on one of its listeners for more.
   */
  quiet(): boolean {
    if (this.controller === null) return true;
    if (this.owedFirst !== NONE) return false;
    const listeners = this.listeners;
    if (listeners === null) return false;
    for (const l of listeners) if (l.waiting) return true;
    return false;
  }

  /** A listener of the delegate started waiting: settle what is waiting for it. */
  idle(): void {
    if (this.settlers !== null && this.quiet()) this.settle(true);
  }

  /** A settlement that resolves when the delegate is done with what it was routed. */
  settlement(): Promise<boolean> {
    return new Promise((resolve) => (this.settlers ??= []).push(resolve));
  }

  /** Resolves every waiting settlement (true: done; false: given up). */
  settle(done: boolean): void {
    const settlers = this.settlers;
    if (settlers === null) return;
    this.settlers = null;
    for (const s of settlers) s(done);
  }

  /** Takes every owed payload, oldest first. */
  takeOwed(): unknown[] {
    if (this.owedFirst === NONE) return [];
    const all = this.owedMore === null ? [this.owedFirst] : [this.owedFirst, ...this.owedMore];
    this.owedFirst = NONE;
    this.owedMore = null;
    return all;
  }
}

/** The settlement of an update routed to `recs`: undefined when they are all done already. */
export function settlementOf(recs: SeedRecord[]): Settlement | undefined {
  let one: Promise<boolean> | undefined;
  let more: Promise<boolean>[] | undefined;
  for (const rec of recs) {
    if (rec.quiet()) continue;
    const p = rec.settlement();
    if (one === undefined) one = p;
    else (more ??= [one]).push(p);
  }
  if (one === undefined) return undefined;
  if (more === undefined) return new Settlement(one);
  return new Settlement(Promise.all(more).then((all) => all.every(Boolean)));
}
