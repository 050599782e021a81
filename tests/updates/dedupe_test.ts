import assert from "node:assert/strict";
import { DEFAULT_DEDUPE_WINDOW, RecentUpdateIds } from "../../src/updates/dedupe.ts";
import fc from "fast-check";

Deno.test("RecentUpdateIds.add() says whether an id is new, and forgets the oldest beyond capacity", () => {
  const seen = new RecentUpdateIds(3);
  assert.equal(seen.capacity, 3);
  assert.deepEqual([1, 2, 1, 3, 2].map((id) => seen.add(id)), [true, true, false, true, false]);
  assert.equal(seen.size, 3);
  assert.equal(seen.add(4), true); // 1 is forgotten
  assert.equal(seen.has(1), false);
  assert.equal(seen.add(1), true, "a forgotten id counts as new");
  assert.deepEqual([2, 3, 4].map((id) => seen.has(id)), [false, true, true]);
  assert.equal(seen.size, 3);
});

Deno.test("RecentUpdateIds keeps memory bounded over a million ids and still catches recent repeats", () => {
  const seen = new RecentUpdateIds(1000);
  for (let id = 1; id <= 1_000_000; id++) {
    assert.ok(seen.add(id));
    if (id % 1000 === 0) assert.equal(seen.add(id - 999), false, "a repeat within the window");
  }
  assert.equal(seen.size, 1000);
  assert.equal(seen.has(999_000), false);
  assert.equal(seen.has(999_001), true);
});

Deno.test("RecentUpdateIds.delete() forgets one id so it counts as new again", () => {
  const seen = new RecentUpdateIds(4);
  for (const id of [10, 11, 12]) seen.add(id);
  seen.delete(11);
  assert.equal(seen.has(11), false);
  assert.equal(seen.add(11), true);
  assert.equal(seen.add(11), false);
  assert.ok(seen.size <= seen.capacity);
});

Deno.test("RecentUpdateIds with capacity 0 remembers nothing; bad capacities are refused", () => {
  const off = new RecentUpdateIds(0);
  assert.equal(off.add(1), true);
  assert.equal(off.add(1), true);
  assert.equal(off.size, 0);
  assert.equal(new RecentUpdateIds().capacity, DEFAULT_DEDUPE_WINDOW);
  for (const bad of [-1, 1.5, NaN, Infinity]) {
    assert.throws(() => new RecentUpdateIds(bad), RangeError, String(bad));
  }
});

Deno.test("RecentUpdateIds.delete() leaves no stale slot: a re-added id is not forgotten early", () => {
  const seen = new RecentUpdateIds(3);
  seen.add(1);
  seen.delete(1);
  seen.add(1); // 1 now lives in the second slot; the first one is stale
  seen.add(2);
  seen.add(3); // evicts the stale first slot, not the live 1
  assert.equal(seen.has(1), true, "1 came back two adds ago: still remembered");
  assert.equal(seen.add(1), false, "so it is a repeat, not handed over again");
});

Deno.test("RecentUpdateIds matches a plain model over random adds and deletes (property)", () => {
  // The model: an id is remembered iff its latest successful add is among the last
  // `capacity` successful adds and it was not deleted since.
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4 }),
      // Few ids and long runs, so deletes hit remembered ids and ids come back often.
      fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 5 })), {
        minLength: 10,
        maxLength: 60,
        size: "max",
      }),
      (capacity, ops) => {
        const seen = new RecentUpdateIds(capacity);
        const adds: number[] = []; // ids of successful adds, in order
        const deleted = new Set<number>(); // indices in `adds` deleted since
        const remembered = (id: number) => {
          const at = adds.lastIndexOf(id);
          return at >= 0 && at >= adds.length - capacity && !deleted.has(at);
        };
        for (const [isAdd, id] of ops) {
          if (isAdd) {
            const fresh = !remembered(id);
            assert.equal(seen.add(id), fresh, `add(${id}) after ${JSON.stringify(ops)}`);
            if (fresh && capacity > 0) adds.push(id);
          } else {
            seen.delete(id);
            const at = adds.lastIndexOf(id);
            if (at >= 0) deleted.add(at);
          }
          for (let k = 1; k <= 5; k++) assert.equal(seen.has(k), remembered(k), `has(${k})`);
          assert.ok(seen.size <= capacity);
        }
      },
    ),
    { numRuns: 500 },
  );
});
