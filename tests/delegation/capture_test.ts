import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type Criteria,
  keyPath,
  literals,
  matches,
  matchesAny,
  pick,
  routeOf,
  routesOf,
} from "../../src/delegation/capture.ts";

const msg = {
  message_id: 5,
  chat: { id: 42, type: "private" },
  from: { id: 42, first_name: "Alice" },
  text: "/start now",
  entities: [{ type: "bot_command", offset: 0, length: 6 }],
};

Deno.test("matches() compares literals at a__b paths", () => {
  assert.ok(matches(msg, { chat__id: 42 }));
  assert.ok(
    matches(msg, { chat__id: 42, chat__type: "private", text: "/start now" }),
  );
  assert.ok(!matches(msg, { chat__id: 43 }));
  assert.ok(!matches(msg, { chat__id: "42" }), "=== semantics, no coercion");
});

Deno.test("matches() fails on a missing part instead of throwing", () => {
  assert.ok(!matches(msg, { chat__title: "x" }));
  assert.ok(!matches(msg, { reply_to_message__chat__id: 42 }));
  assert.ok(!matches({ id: "cb", data: "x" }, { chat__id: 42 }));
  assert.ok(!matches(null, { chat__id: 42 }));
});

Deno.test("matches() with _ tests the whole message", () => {
  assert.ok(matches(msg, { _: (m: typeof msg) => m.message_id === 5 }));
  assert.ok(!matches(msg, { _: () => false }));
});

Deno.test("matches() calls predicates with the selected part", () => {
  const seen: unknown[] = [];
  assert.ok(
    matches(msg, { text: (t: string) => (seen.push(t), t.startsWith("/")) }),
  );
  assert.deepEqual(seen, ["/start now"]);
});

Deno.test("matches() takes nested criteria objects", () => {
  assert.ok(matches(msg, { chat: { id: 42, type: "private" } }));
  assert.ok(!matches(msg, { chat: { id: 42, type: "group" } }));
  assert.ok(matches(msg, { from: { id: (id: number) => id > 10 } }));
  assert.ok(matches(msg, { chat: { _: (c: { id: number }) => c.id === 42 } }));
});

Deno.test("matches() tests strings against a RegExp and arrays by value", () => {
  assert.ok(matches(msg, { text: /^\/start\b/ }));
  assert.ok(!matches(msg, { text: /^\/help/ }));
  assert.ok(!matches({ text: 5 }, { text: /5/ }));
  const g = /start/g;
  assert.ok(
    matches(msg, { text: g }) && matches(msg, { text: g }),
    "global flag has no state",
  );
  assert.ok(
    matches(msg, { entities: [{ type: "bot_command", offset: 0, length: 6 }] }),
  );
  assert.ok(!matches(msg, { entities: [] }));
});

Deno.test("matches() requires every key; matchesAny() any criteria", () => {
  assert.ok(!matches(msg, { chat__id: 42, text: "other" }));
  assert.ok(matchesAny(msg, [{ text: "other" }, { chat__id: 42 }]));
  assert.ok(!matchesAny(msg, [{ text: "other" }, { chat__id: 1 }]));
  assert.ok(!matchesAny(msg, []));
  assert.ok(matches(msg, {}), "empty criteria match everything");
});

Deno.test("keyPath() and pick() select parts", () => {
  assert.deepEqual(keyPath("chat__id"), ["chat", "id"]);
  assert.deepEqual(keyPath("message_id"), ["message_id"]);
  assert.deepEqual(keyPath("_"), []);
  assert.equal(pick(msg, ["chat", "id"]), 42);
  assert.equal(pick(msg, ["chat", "nope", "x"]), undefined);
  assert.equal(pick(msg, []), msg);
});

Deno.test("literals() and routeOf() find the literal that indexes a criteria, ids first", () => {
  assert.deepEqual(
    literals({ chat: { type: "group", id: 7 }, text: () => true }),
    [
      ["chat__type", "group"],
      ["chat__id", 7],
    ],
  );
  assert.deepEqual(routeOf({ chat__type: "group", chat__id: 7 }), [
    "chat__id",
    7,
  ]);
  assert.deepEqual(routeOf({ text: "hi" }), ["text", "hi"]);
  assert.deepEqual(routeOf({ message__chat__id: 3, _: () => true }), [
    "message__chat__id",
    3,
  ]);
  assert.equal(routeOf({ _: () => true }), null);
  assert.equal(routeOf({ text: /x/ }), null);
});

Deno.test("routesOf() is null when some criteria has no literal, or the list is empty", () => {
  assert.equal(routesOf([]), null);
  assert.equal(routesOf([{ chat__id: 1 }, { _: () => true }]), null);
  assert.deepEqual(routesOf([{ chat__id: 1 }, { from__id: 2 }]), [[
    "chat__id",
    1,
  ], [
    "from__id",
    2,
  ]]);
});

// Property: indexing never hides a match. If a message meets a criteria, the
// route chosen for that criteria holds on the message.
const leaf = fc.oneof(
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom("a", "b", "private"),
);
const messageArb = fc.record({
  chat: fc.record({
    id: fc.integer({ min: -3, max: 3 }),
    type: fc.constantFrom("private", "group"),
  }),
  from: fc.option(fc.record({ id: fc.integer({ min: -3, max: 3 }) }), {
    nil: undefined,
  }),
  text: fc.option(fc.constantFrom("a", "b"), { nil: undefined }),
});
const criteriaArb: fc.Arbitrary<Criteria> = fc.dictionary(
  fc.constantFrom("chat__id", "chat__type", "from__id", "text", "chat", "_"),
  fc.oneof(
    leaf,
    fc.constant((() => true) as Criteria[string]),
    fc.record({ id: leaf }),
  ),
  { maxKeys: 3 },
);

Deno.test("routeOf() never excludes a message the criteria matches (property)", () => {
  fc.assert(
    fc.property(messageArb, criteriaArb, (m, c) => {
      if (!matches(m, c)) return true;
      const route = routeOf(c);
      if (route === null) return true;
      return pick(m, keyPath(route[0])) === route[1];
    }),
    { numRuns: 2000 },
  );
});
