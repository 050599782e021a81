import assert from "node:assert/strict";
import { DEFAULT_DEDUPE_WINDOW, RecentUpdateIds } from "../../src/updates/dedupe.ts";

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
