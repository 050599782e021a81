import { setImmediate } from "node:timers";
import type { VirtualClock } from "../testing.ts";

/** One macrotask turn (not clamped like nested zero timeouts). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A fetch that counts its requests in flight (so virtual time moves only when all answered). */
export function counting(inner: typeof fetch): { fetch: typeof fetch; inFlight: () => number } {
  let n = 0;
  return {
    fetch: (input, init) => {
      n++;
      return inner(input, init).finally(() => n--);
    },
    inFlight: () => n,
  };
}

/**
 * Runs `work` under virtual time: whenever nothing is in flight for a few turns, moves
 * the clock to the next pending sleep. Throws if the work waits on nothing.
 */
export async function driveVirtual<T>(
  clock: VirtualClock,
  work: Promise<T>,
  inFlight: () => number,
): Promise<T> {
  let finished = false;
  const watched = work.finally(() => {
    finished = true;
  });
  watched.catch(() => {});
  while (!finished) {
    let quiet = 0;
    while (quiet < 3 && !finished) {
      await turn();
      quiet = inFlight() === 0 ? quiet + 1 : 0;
    }
    if (finished) break;
    if (clock.pending === 0) throw new Error("driveVirtual: the work waits, but not on the clock");
    clock.advanceToNext();
  }
  return await watched;
}
