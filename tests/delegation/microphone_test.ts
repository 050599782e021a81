import assert from "node:assert/strict";
import fc from "fast-check";
import { type Criteria, matchesAny, routesOf } from "../../src/delegation/capture.ts";
import { MessageQueue, Microphone, type Receiver } from "../../src/delegation/microphone.ts";

function receiver(
  routes: Receiver["routes"] = null,
): Receiver & { got: unknown[] } {
  const got: unknown[] = [];
  return { routes, got, put: (m: unknown) => got.push(m) };
}

const inChat = (id: number, extra: Record<string, unknown> = {}) => ({
  chat: { id },
  ...extra,
});

Deno.test("Microphone.send() reaches only receivers whose route matches, and unrouted ones", () => {
  const mic = new Microphone();
  const a = receiver([["chat__id", 1]]);
  const b = receiver([["chat__id", 2]]);
  const all = receiver(null);
  mic.add(a);
  mic.add(b);
  mic.add(all);
  const m1 = inChat(1);
  const m2 = inChat(2);
  const m3 = { id: "x" };
  mic.send(m1);
  mic.send(m2);
  mic.send(m3);
  assert.deepEqual(a.got, [m1]);
  assert.deepEqual(b.got, [m2]);
  assert.deepEqual(all.got, [m1, m2, m3]);
  assert.equal(mic.size, 3);
});

Deno.test("Microphone.send() delivers once to a receiver filed under several paths", () => {
  const mic = new Microphone();
  const r = receiver([["chat__id", 1], ["from__id", 9]]);
  mic.add(r);
  const both = { chat: { id: 1 }, from: { id: 9 } };
  mic.send(both);
  mic.send({ chat: { id: 5 }, from: { id: 9 } });
  mic.send({ chat: { id: 1 }, from: { id: 5 } });
  assert.equal(r.got.length, 3);
  assert.equal(r.got[0], both);
});

Deno.test("Microphone shares a bucket between receivers with the same route", () => {
  const mic = new Microphone();
  const a = receiver([["chat__id", 1]]);
  const b = receiver([["chat__id", 1]]);
  const c = receiver([["chat__id", 1]]);
  mic.add(a);
  mic.add(b);
  mic.add(c);
  mic.send(inChat(1));
  assert.deepEqual([a.got.length, b.got.length, c.got.length], [1, 1, 1]);
  mic.remove(b);
  mic.send(inChat(1));
  assert.deepEqual([a.got.length, b.got.length, c.got.length], [2, 1, 2]);
  mic.remove(a);
  mic.remove(c);
  mic.send(inChat(1));
  assert.equal(mic.size, 0);
  assert.deepEqual([a.got.length, c.got.length], [2, 2]);
});

Deno.test("Microphone.remove() of an unknown receiver does nothing; has() tells", () => {
  const mic = new Microphone();
  const r = receiver();
  mic.remove(r);
  assert.ok(!mic.has(r));
  mic.add(r);
  assert.ok(mic.has(r));
  mic.add(r);
  assert.equal(mic.size, 1, "adding twice keeps one entry");
  mic.send(inChat(1));
  assert.equal(r.got.length, 1);
});

Deno.test("Microphone.reindex() follows changed routes", () => {
  const mic = new Microphone();
  const r = new MessageQueue();
  mic.add(r);
  r.routes = [["chat__id", 2]];
  mic.reindex(r);
  mic.send(inChat(1));
  mic.send(inChat(2));
  assert.equal(r.size, 1);
  mic.reindex(receiver()); // unknown: ignored
});

Deno.test("MessageQueue.get() waits for put(), honours abort, keeps FIFO order", async () => {
  const q = new MessageQueue();
  q.put(1);
  q.put(2);
  assert.equal(q.size, 2);
  assert.equal(await q.get(), 1);
  assert.equal(await q.get(), 2);
  const later = q.get();
  q.put(3);
  assert.equal(await later, 3);
  const controller = new AbortController();
  const aborted = q.get(controller.signal);
  controller.abort(new Error("no"));
  await assert.rejects(aborted, /no/);
  q.put(4);
  assert.equal(q.size, 1, "an aborted waiter takes nothing");
  assert.deepEqual(q.drain(), [4]);
  assert.equal(q.poll(), undefined);
  await assert.rejects(q.get(AbortSignal.abort(new Error("pre"))), /pre/);
});

Deno.test("MessageQueue keeps order across many puts and polls", () => {
  const q = new MessageQueue();
  const out: number[] = [];
  for (let i = 0; i < 500; i++) {
    q.put(i);
    if (i % 3 === 0) out.push(q.poll()!.msg as number);
  }
  for (let p = q.poll(); p; p = q.poll()) out.push(p.msg as number);
  assert.deepEqual(out, [...Array(500).keys()]);
});

// Property: whatever the listeners' criteria, a receiver filed under routesOf(its
// criteria) gets every message that its criteria match (the index hides nothing).
const msgArb = fc.record({
  chat: fc.record({ id: fc.integer({ min: 0, max: 4 }) }),
  from: fc.record({ id: fc.integer({ min: 0, max: 4 }) }),
  text: fc.constantFrom("a", "b"),
});
const critArb: fc.Arbitrary<Criteria> = fc.oneof(
  fc.record({ chat__id: fc.integer({ min: 0, max: 4 }) }),
  fc.record({
    from__id: fc.integer({ min: 0, max: 4 }),
    text: fc.constantFrom("a", "b"),
  }),
  fc.record({ chat: fc.record({ id: fc.integer({ min: 0, max: 4 }) }) }),
  fc.constant({ text: (t: string) => t === "a" } as Criteria),
);

Deno.test("Microphone never withholds a message some criteria of a receiver matches (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(critArb, { minLength: 1, maxLength: 3 }), {
        minLength: 1,
        maxLength: 6,
      }),
      fc.array(msgArb, { maxLength: 20 }),
      (lists, msgs) => {
        const mic = new Microphone();
        const rs = lists.map((list) => ({ list, r: receiver(routesOf(list)) }));
        for (const { r } of rs) mic.add(r);
        for (const m of msgs) mic.send(m);
        return rs.every(({ list, r }) => {
          const wanted = msgs.filter((m) => matchesAny(m, list));
          const got = r.got.filter((m) => matchesAny(m, list));
          return wanted.length === got.length && wanted.every((m, i) => got[i] === m) &&
            new Set(r.got).size === r.got.length;
        });
      },
    ),
    { numRuns: 500 },
  );
});
