import { delay } from "../src/time/timers.ts";

/** Polls `cond` every few ms until it holds; throws after `ms` (generous: CI machines are busy). */
export async function waitUntil(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) {
      throw new Error(`condition not met within ${ms} ms: ${cond}`);
    }
    await delay(2);
  }
}
