/**
 * Fault injection: the next N calls of a method misbehave in a chosen way.
 * @module
 */

/** How an injected call misbehaves. */
export type Fault =
  /** 429 Too Many Requests with `parameters.retry_after` (seconds, default 1). Not executed. */
  | { kind: "429"; retryAfter?: number }
  /**
   * A JSON `{ok:false}` error answer with `status` as its error_code (default 500).
   * Named for its usual use, server errors; any status works (tests use 403 and 409).
   * Not executed.
   */
  | { kind: "5xx"; status?: number; description?: string }
  /** A non-JSON HTML error page, as a proxy answers (default 502). Not executed. */
  | { kind: "html"; status?: number }
  /** The connection drops without an answer. Not executed. */
  | { kind: "reset" }
  /** The call is executed at once, but its answer comes `ms` milliseconds late. */
  | { kind: "delay"; ms: number }
  /** No answer at all until the request is aborted or the emulator/server closes. Not executed. */
  | { kind: "hang" };

/** Options of `inject`. */
export interface InjectOptions {
  /** How many calls misbehave (default 1; `Infinity` for all until cleared). */
  times?: number;
}

interface Entry {
  method: string;
  fault: Fault;
  left: number;
}

/** The injected faults, consumed in the order they were added. */
export class FaultTable {
  #entries: Entry[] = [];

  /** Adds a fault for `method` (canonical name, or "*" for any method). */
  add(method: string, fault: Fault, times = 1): void {
    if (!(times > 0)) throw new RangeError("times must be a positive number");
    this.#entries.push({ method, fault, left: times });
  }

  /** Takes the fault that applies to the next call of `method`, if any. */
  take(method: string): Fault | undefined {
    if (this.#entries.length === 0) return undefined;
    for (let i = 0; i < this.#entries.length; i++) {
      const e = this.#entries[i];
      if (e.method !== method && e.method !== "*") continue;
      e.left--;
      if (e.left <= 0) this.#entries.splice(i, 1);
      return e.fault;
    }
    return undefined;
  }

  /** Removes every pending fault. */
  clear(): void {
    this.#entries = [];
  }

  /** Number of pending fault entries. */
  get size(): number {
    return this.#entries.length;
  }
}
