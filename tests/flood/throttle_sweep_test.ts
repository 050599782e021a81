// The throttler forgets idle chats (so a bot that talks to millions of chats keeps a
// bounded state) and keeps the ones whose state still matters. Watched through the
// internal `Throttle` and its diagnostic `chats` count, in virtual time.
import assert from "node:assert/strict";
import type { ApiCaller } from "../../src/core/transformer.ts";
import { Throttle } from "../../src/flood/throttle.ts";
import { VirtualClock } from "../../testing.ts";

/** The sweep runs when a new chat arrives and this many are kept. */
const SWEEP_MARK = 1024;

// By default a wide overall window: only the per-chat windows matter.
function setup(overall = { limit: 1_000_000, interval: 1000 }) {
  const clock = new VirtualClock(1_700_000_000_000);
  const throttle = new Throttle({ clock, overall });
  const sent: { chatId: unknown; at: number }[] = [];
  const next: ApiCaller = (_method, params) => {
    sent.push({ chatId: params.chat_id, at: clock.now() });
    return Promise.resolve(true);
  };
  const send = (chatId: number, caller: ApiCaller = next) =>
    throttle.call(caller, "sendMessage", { chat_id: chatId, text: "x" }, {});
  return { clock, throttle, sent, send };
}

Deno.test("Throttle forgets the chats that went idle once many are kept", async () => {
  const { clock, throttle, sent, send } = setup();
  await Promise.all(Array.from({ length: SWEEP_MARK }, (_, i) => send(i + 1)));
  assert.equal(throttle.chats, SWEEP_MARK);
  // Within their one-second windows nothing may be forgotten.
  await send(SWEEP_MARK + 1);
  assert.equal(throttle.chats, SWEEP_MARK + 1, "chats sent to a moment ago are kept");
  // The next sweep comes at twice as many as it kept; a second later those windows are
  // empty, while the chats sent to since are not.
  clock.advance(1000);
  await Promise.all(Array.from({ length: SWEEP_MARK - 1 }, (_, i) => send(10_000 + i)));
  assert.equal(throttle.chats, 2 * SWEEP_MARK);
  await send(20_000);
  assert.equal(throttle.chats, SWEEP_MARK, "the SWEEP_MARK + 1 idle ones are forgotten");
  // A forgotten chat starts afresh: it may send at once.
  const before = sent.length;
  await send(1);
  assert.deepEqual(sent.slice(before), [{ chatId: 1, at: clock.now() }]);
});

Deno.test("Throttle's sweep keeps busy, paused and still-limited chats", async () => {
  const { clock, throttle, sent, send } = setup();
  const t0 = clock.now();
  // Chat 1: a call in flight. Chat 2: paused by a 429. Chat -3: a group, its window a minute.
  let answer!: (value: unknown) => void;
  const inFlight = send(1, () => new Promise((resolve) => (answer = resolve)));
  const flooded = { errorCode: 429, parameters: { retry_after: 5 } };
  await assert.rejects(send(2, () => Promise.reject(flooded)), (e) => e === flooded);
  await send(-3);
  await Promise.all(Array.from({ length: SWEEP_MARK - 3 }, (_, i) => send(100 + i)));
  assert.equal(throttle.chats, SWEEP_MARK);
  clock.advance(1000);
  await send(5000);
  assert.equal(throttle.chats, 4, "chats 1, 2, -3 and the new one");
  // What was kept still counts: chat 2 waits out its 429, chat 1 its call.
  const two = send(2);
  clock.advance(3000);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(sent.filter((s) => s.chatId === 2).length, 0, "chat 2 is still paused");
  clock.advance(1000);
  await two;
  assert.deepEqual(sent.filter((s) => s.chatId === 2).map((s) => s.at - t0), [5000]);
  answer(true);
  await inFlight;
});

Deno.test("Throttle's sweep keeps a chat whose call waits for the overall window", async () => {
  // 1023 calls fill the overall window for ten seconds; chat 1's call waits in its queue,
  // its own window still empty.
  const { clock, throttle, sent, send } = setup({ limit: SWEEP_MARK - 1, interval: 10_000 });
  const t0 = clock.now();
  await Promise.all(Array.from({ length: SWEEP_MARK - 1 }, (_, i) => send(100 + i)));
  const waiting = send(1);
  assert.equal(throttle.queued, 1);
  assert.equal(throttle.chats, SWEEP_MARK);
  clock.advance(1000);
  const late = send(5000);
  assert.equal(throttle.chats, 2, "chat 1, whose call is queued, and the new one");
  clock.advance(9000);
  await Promise.all([waiting, late]);
  const at = (chatId: number) => sent.filter((s) => s.chatId === chatId).map((s) => s.at - t0);
  assert.deepEqual([at(1), at(5000)], [[10_000], [10_000]]);
});
