import assert from "node:assert/strict";
import {
  floodLimits,
  isPrivateChatId,
  postsMessage,
  SlidingWindow,
  TELEGRAM_LIMITS,
} from "../../src/flood/limits.ts";

Deno.test("SlidingWindow.nextAt() allows `limit` sends per interval, then the oldest's expiry", () => {
  const w = new SlidingWindow({ limit: 3, interval: 1000 });
  assert.equal(w.nextAt(0), 0);
  w.record(0);
  w.record(100);
  assert.equal(w.nextAt(200), 200);
  w.record(200);
  assert.equal(w.nextAt(300), 1000);
  assert.equal(w.nextAt(1500), 1500);
  w.record(1000);
  assert.equal(w.nextAt(1000), 1100, "the ring moved on: now the send at 100 is the oldest");
  assert.equal(w.idle(1999), false);
  assert.equal(w.idle(2000), true);
  assert.equal(new SlidingWindow({ limit: 1, interval: 5 }).idle(0), true);
});

Deno.test("floodLimits() completes limits with Telegram's and refuses malformed rates", () => {
  assert.deepEqual(floodLimits(), TELEGRAM_LIMITS);
  assert.deepEqual(floodLimits({ privateChat: { limit: 2, interval: 10 } }).privateChat, {
    limit: 2,
    interval: 10,
  });
  assert.deepEqual(TELEGRAM_LIMITS.overall, { limit: 30, interval: 1000 });
  assert.deepEqual(TELEGRAM_LIMITS.groupChat, { limit: 20, interval: 60_000 });
  assert.throws(() => floodLimits({ overall: { limit: 1.5, interval: 1 } }), RangeError);
  assert.throws(() => floodLimits({ groupChat: { limit: 1, interval: -1 } }), RangeError);
});

Deno.test("postsMessage() counts sends, forwards and copies but not chat actions or reads", () => {
  for (
    const m of ["sendMessage", "sendPhoto", "sendMediaGroup", "forwardMessages", "copyMessage"]
  ) {
    assert.equal(postsMessage(m), true, m);
  }
  for (const m of ["sendChatAction", "sendMessageDraft", "getMe", "editMessageText"]) {
    assert.equal(postsMessage(m), false, m);
  }
  assert.equal(isPrivateChatId(42), true);
  assert.equal(isPrivateChatId("42"), true);
  assert.equal(isPrivateChatId(-100123), false);
  assert.equal(isPrivateChatId("@channel"), false);
});
