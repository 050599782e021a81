import assert from "node:assert/strict";
import { DeadlineScheduler, Timed } from "../../src/delegation/deadlines.ts";
import { delay } from "../../src/time/timers.ts";

class Probe extends Timed {
  constructor(readonly name: string, readonly log: string[]) {
    super();
  }
  expire(): void {
    this.log.push(this.name);
  }
}

Deno.test("DeadlineScheduler fires deadlines in time order through one timer", async () => {
  const s = new DeadlineScheduler();
  const log: string[] = [];
  s.add(new Probe("c", log), 30);
  s.add(new Probe("a", log), 5);
  s.add(new Probe("b", log), 15);
  assert.equal(s.size, 3);
  await delay(60);
  assert.deepEqual(log, ["a", "b", "c"]);
  assert.equal(s.size, 0);
});

Deno.test("DeadlineScheduler.cancel() stops a deadline; none left means no timer", async () => {
  const s = new DeadlineScheduler();
  const log: string[] = [];
  const a = new Probe("a", log);
  const b = new Probe("b", log);
  s.add(a, 10);
  s.add(b, 60_000);
  s.cancel(a);
  s.cancel(a); // twice is fine
  assert.equal(s.size, 1);
  s.cancel(b); // the hour-long timer must be gone, or the sanitizer fails this test
  assert.equal(s.size, 0);
  await delay(20);
  assert.deepEqual(log, []);
});

Deno.test("DeadlineScheduler survives many cancellations (compaction) and keeps order", async () => {
  let now = 0;
  const s = new DeadlineScheduler(() => now);
  const log: string[] = [];
  const probes = Array.from(
    { length: 300 },
    (_, i) => new Probe(String(i), log),
  );
  probes.forEach((p, i) => s.add(p, 5 + (i % 7)));
  probes.forEach((p, i) => i % 10 !== 0 && s.cancel(p));
  assert.equal(s.size, 30);
  now = 100; // everything is due when the timer fires
  await delay(20);
  assert.equal(log.length, 30);
  const delays = log.map((n) => 5 + (Number(n) % 7));
  assert.deepEqual(
    delays,
    [...delays].sort((x, y) => x - y),
    "fired in deadline order",
  );
  assert.ok(log.every((n) => Number(n) % 10 === 0));
});

Deno.test("DeadlineScheduler uses its clock; an entry is reusable once out of the heap", async () => {
  let now = 1000;
  const s = new DeadlineScheduler(() => now);
  const log: string[] = [];
  const p = new Probe("p", log);
  s.add(p, 5);
  assert.equal(p.at, 1005);
  assert.equal(s.now(), 1000);
  assert.throws(() => s.add(p, 5), /still in the heap/);
  now = 2000;
  await delay(15);
  assert.deepEqual(log, ["p"]);
  s.addAt(p, 2001); // expired: out of the heap, schedulable again
  now = 3000;
  await delay(10);
  assert.deepEqual(log, ["p", "p"]);
  const q = new Probe("q", log);
  const r = new Probe("r", log);
  s.add(q, 60_000);
  s.add(r, 60_000);
  s.cancel(q);
  assert.equal(s.size, 1);
  assert.throws(() => s.add(q, 1), /still in the heap/, "cancelled, not yet dropped");
  s.cancel(r); // nothing live: the heap is dropped, and the timer with it
  assert.equal(s.size, 0);
  s.add(q, 1); // out of the heap now
  now = 5000;
  await delay(10);
  assert.deepEqual(log, ["p", "p", "q"]);
});
