// The throttler against the emulator's flood mode, in virtual time (a broadcast to 10,000
// chats is over five minutes of Telegram time; here it takes about a second).
import assert from "node:assert/strict";
import { autoRetry, Bot, TELEGRAM_LIMITS, throttler, TooManyRequestsError } from "../../mod.ts";
import { VirtualClock } from "../../testing.ts";
import { counting, driveVirtual, onEmulator, openEmulator, turn } from "../_harness.ts";

function setup(options: { flood?: boolean } = {}) {
  const clock = new VirtualClock(1_700_000_000_000);
  const rig = openEmulator({ now: () => clock.now(), flood: options.flood ?? true });
  return Object.assign(rig, { clock, net: counting(rig.emu.fetch) });
}

Deno.test("throttler() broadcasts to 10,000 chats under the emulator's flood mode without one 429", async () => {
  await using rig = setup();
  const { clock, emu, net } = rig;
  try {
    const users = Array.from({ length: 10_000 }, (_, i) => emu.user(`U${i}`));
    const t = throttler({ clock });
    const bot = new Bot(emu.token, onEmulator(emu, { fetch: net.fetch, transformers: [t] }));
    const t0 = clock.now();
    const sent = Promise.all(users.map((u) => bot.sendMessage(u.id, "news")));
    await turn();
    assert.equal(t.queued, 10_000 - TELEGRAM_LIMITS.overall.limit, "the rest wait in the queues");
    const results = await driveVirtual(clock, sent, net.inFlight);
    assert.equal(results.length, 10_000);
    const flooded = emu.calls.filter((c) => c.error_code === 429);
    assert.equal(flooded.length, 0, "no 429 at all");
    assert.equal(emu.calls.filter((c) => c.method === "sendMessage" && c.ok).length, 10_000);
    for (const u of [users[0], users[4_999], users[9_999]]) {
      assert.deepEqual(u.received().map((m) => m.text), ["news"]);
    }
    // 30 a second: the last batch goes out after 333 seconds, not before.
    const elapsed = clock.now() - t0;
    assert.ok(elapsed >= 333_000 && elapsed < 334_000, `took ${elapsed} virtual ms`);
    assert.equal(t.queued, 0);
  } finally {
    await emu.close();
  }
});

Deno.test("Emulator flood mode answers 429 with retry_after past each limit", async () => {
  await using rig = setup();
  const { clock, emu, net } = rig;
  try {
    const bot = new Bot(emu.token, onEmulator(emu, { fetch: net.fetch }));
    const users = Array.from({ length: 31 }, (_, i) => emu.user(`U${i}`));
    // Overall: 30 a second.
    const first = await Promise.allSettled(users.map((u) => bot.sendMessage(u.id, "x")));
    const refused = first.filter((r) => r.status === "rejected");
    assert.equal(refused.length, 1);
    const err = (refused[0] as PromiseRejectedResult).reason;
    assert.ok(err instanceof TooManyRequestsError);
    assert.equal(err.retryAfter, 1);
    assert.equal(err.description, "Too Many Requests: retry after 1");
    // Private chat: one a second.
    clock.advance(1000);
    await bot.sendMessage(users[0].id, "a");
    await assert.rejects(bot.sendMessage(users[0].id, "b"), TooManyRequestsError);
    assert.deepEqual(users[0].received().map((m) => m.text), ["x", "a"], "refused = not executed");
    // Chat actions and reads do not count.
    await bot.sendChatAction(users[0].id, "typing");
    await bot.getMe();
    // Group: 20 a minute, the wait is what is left of the minute.
    clock.advance(1000);
    const group = emu.group("G", [users[1]]);
    for (let i = 0; i < 20; i++) {
      await bot.sendMessage(group.id, `g${i}`);
      clock.advance(1000);
    }
    const e = await bot.sendMessage(group.id, "g20").catch((x) => x);
    assert.ok(e instanceof TooManyRequestsError);
    assert.equal(e.retryAfter, 40);
    clock.advance(40_000);
    await bot.sendMessage(group.id, "g20");
    // Off again: no limits.
    emu.setFloodLimits(false);
    await Promise.all(Array.from({ length: 5 }, () => bot.sendMessage(users[2].id, "y")));
  } finally {
    await emu.close();
  }
});

Deno.test("throttler() spaces one chat's messages and keeps their order", async () => {
  await using rig = setup();
  const { clock, emu, net } = rig;
  try {
    const alice = emu.user("Alice");
    const group = emu.group("G", [alice]);
    const bot = new Bot(
      emu.token,
      onEmulator(emu, { fetch: net.fetch, transformers: [throttler({ clock })] }),
    );
    const t0 = clock.now();
    const at: Record<string, number> = {};
    const mark = (p: Promise<unknown>, key: string) => p.then(() => (at[key] = clock.now() - t0));
    const work = Promise.all([
      ...Array.from({ length: 4 }, (_, i) => mark(bot.sendMessage(alice.id, `p${i}`), `p${i}`)),
      ...Array.from({ length: 22 }, (_, i) => mark(bot.sendMessage(group.id, `g${i}`), `g${i}`)),
      mark(bot.getMe(), "getMe"),
    ]);
    await driveVirtual(clock, work, net.inFlight);
    assert.deepEqual(alice.received().map((m) => m.text), ["p0", "p1", "p2", "p3"]);
    assert.deepEqual([at.p0, at.p1, at.p2, at.p3], [0, 1000, 2000, 3000]);
    const texts = emu.messages(group.id).filter((m) => m.from?.is_bot).map((m) => m.text);
    assert.deepEqual(texts, Array.from({ length: 22 }, (_, i) => `g${i}`));
    assert.equal(at.g19, 0);
    assert.deepEqual([at.g20, at.g21], [60_000, 60_000]);
    assert.equal(at.getMe, 0, "other calls are not queued");
    assert.equal(emu.calls.filter((c) => c.error_code === 429).length, 0);
  } finally {
    await emu.close();
  }
});

Deno.test("throttler() drops a queued call whose signal aborts, without sending it", async () => {
  await using rig = setup();
  const { clock, emu, net } = rig;
  try {
    const alice = emu.user("Alice");
    const t = throttler({ clock });
    const bot = new Bot(emu.token, onEmulator(emu, { fetch: net.fetch, transformers: [t] }));
    const ctrl = new AbortController();
    const first = bot.sendMessage(alice.id, "1");
    const second = bot.sendMessage(alice.id, "2", { signal: ctrl.signal });
    const third = bot.sendMessage(alice.id, "3");
    await turn();
    assert.equal(t.queued, 2);
    ctrl.abort(new Error("changed my mind"));
    await assert.rejects(second, /changed my mind/);
    assert.equal(t.queued, 1);
    await driveVirtual(clock, Promise.all([first, third]), net.inFlight);
    assert.deepEqual(alice.received().map((m) => m.text), ["1", "3"]);
    await assert.rejects(
      bot.sendMessage(alice.id, "4", { signal: AbortSignal.abort(new Error("early")) }),
      /early/,
    );
  } finally {
    await emu.close();
  }
});

Deno.test("throttler() with autoRetry() inside keeps a chat's order through a 429", async () => {
  await using rig = setup({ flood: false });
  const { clock, emu, net } = rig;
  try {
    const alice = emu.user("Alice");
    const bob = emu.user("Bob");
    const bot = new Bot(
      emu.token,
      onEmulator(emu, {
        fetch: net.fetch,
        transformers: [autoRetry({ clock }), throttler({ clock })],
      }),
    );
    emu.inject("sendMessage", { kind: "429", retryAfter: 5 });
    const work = Promise.all([
      bot.sendMessage(alice.id, "a1"),
      bot.sendMessage(alice.id, "a2"),
      bot.sendMessage(bob.id, "b1"),
    ]);
    await driveVirtual(clock, work, net.inFlight);
    assert.deepEqual(alice.received().map((m) => m.text), ["a1", "a2"]);
    assert.deepEqual(bob.received().map((m) => m.text), ["b1"]);
    const a = emu.calls.filter((c) => c.params.chat_id === alice.id).map((c) =>
      c.error_code ?? 200
    );
    assert.deepEqual(a, [429, 200, 200]);
  } finally {
    await emu.close();
  }
});

Deno.test("throttler() takes other rates and pauses a chat Telegram answered 429", async () => {
  await using rig = setup({ flood: false });
  const { clock, emu, net } = rig;
  try {
    const alice = emu.user("Alice");
    const t = throttler({ clock, privateChat: { limit: 2, interval: 100 } });
    const bot = new Bot(emu.token, onEmulator(emu, { fetch: net.fetch, transformers: [t] }));
    const t0 = clock.now();
    const times: number[] = [];
    const send = (text: string) =>
      bot.sendMessage(alice.id, text).then(() => times.push(clock.now() - t0));
    await driveVirtual(clock, Promise.all([send("1"), send("2"), send("3")]), net.inFlight);
    assert.deepEqual(times, [0, 0, 100]);
    emu.inject("sendMessage", { kind: "429", retryAfter: 7 });
    const before = clock.now();
    await assert.rejects(bot.sendMessage(alice.id, "x"), TooManyRequestsError);
    const after: number[] = [];
    await driveVirtual(
      clock,
      bot.sendMessage(alice.id, "y").then(() => after.push(clock.now() - before)),
      net.inFlight,
    );
    assert.deepEqual(after, [7000]);
    assert.throws(() => throttler({ overall: { limit: 0, interval: 1000 } }), RangeError);
  } finally {
    await emu.close();
  }
});
