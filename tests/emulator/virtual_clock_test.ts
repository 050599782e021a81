import assert from "node:assert/strict";
import { VirtualClock } from "../../testing.ts";
import { realClock } from "../../src/time/clock.ts";

Deno.test("VirtualClock.sleep() resolves only when advanced, in time order", async () => {
  const clock = new VirtualClock(1000);
  const woke: string[] = [];
  const a = clock.sleep(300).then(() => woke.push(`a@${clock.now()}`));
  const b = clock.sleep(100).then(() => woke.push(`b@${clock.now()}`));
  assert.equal(clock.pending, 2);
  assert.equal(clock.nextAt, 1100);
  clock.advance(50);
  await Promise.resolve();
  assert.deepEqual(woke, []);
  assert.equal(clock.advanceToNext(), 1100);
  await b;
  assert.equal(clock.advanceToNext(), 1300);
  await a;
  assert.deepEqual(woke, ["b@1100", "a@1300"]);
  assert.equal(clock.pending, 0);
  assert.equal(clock.advanceToNext(), 1300, "nothing pending: time stays");
});

Deno.test("VirtualClock.sleep() rejects with the signal's reason and forgets the sleeper", async () => {
  const clock = new VirtualClock(0);
  const ctrl = new AbortController();
  const p = clock.sleep(10, ctrl.signal);
  ctrl.abort(new Error("stop"));
  await assert.rejects(p, /stop/);
  assert.equal(clock.pending, 0);
  await assert.rejects(clock.sleep(1, AbortSignal.abort(new Error("already"))), /already/);
  assert.throws(() => clock.advance(-1), RangeError);
});

Deno.test("realClock.sleep() waits on real timers and is abortable", async () => {
  const t0 = realClock.now();
  await realClock.sleep(5);
  assert.ok(realClock.now() - t0 >= 4);
  const ctrl = new AbortController();
  const p = realClock.sleep(2 ** 32, ctrl.signal);
  ctrl.abort(new Error("bye"));
  await assert.rejects(p, /bye/);
});
