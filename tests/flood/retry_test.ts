// autoRetry(): what is repeated (a 429, a request that never left, reads), what never is
// (a state-changing call that may have been delivered), and how waits end.
import assert from "node:assert/strict";
import { autoRetry, BadHTTPResponse, Bot, TooManyRequestsError } from "../../mod.ts";
import { isReadOnlyMethod } from "../../src/core/errors/http.ts";
import { Emulator, VirtualClock } from "../../testing.ts";
import { counting, driveVirtual, onEmulator, openEmulator } from "../_harness.ts";

function setup(options: Parameters<typeof autoRetry>[0] = {}, fetchOverride?: typeof fetch) {
  const clock = new VirtualClock(0);
  const rig = openEmulator();
  const emu = rig.emu;
  const net = counting(fetchOverride ?? emu.fetch);
  const bot = new Bot(
    emu.token,
    onEmulator(emu, { fetch: net.fetch, transformers: [autoRetry({ clock, ...options })] }),
  );
  return Object.assign(rig, { clock, net, bot });
}

/** What Node's fetch throws when nothing listens on the port. */
function refusedError(): TypeError {
  const inner = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), {
    code: "ECONNREFUSED",
  });
  return new TypeError("fetch failed", { cause: inner });
}

Deno.test("autoRetry() waits retry_after on a 429 and repeats the call", async () => {
  await using rig = setup();
  const { clock, emu, net, bot } = rig;
  try {
    const alice = emu.user("Alice");
    emu.inject("sendMessage", { kind: "429", retryAfter: 3 }, { times: 2 });
    const msg = await driveVirtual(clock, bot.sendMessage(alice.id, "hi"), net.inFlight);
    assert.equal(msg.text, "hi");
    assert.equal(clock.now(), 6000, "waited 3 s twice");
    assert.deepEqual(emu.calls.map((c) => c.error_code ?? 200), [429, 429, 200]);
    assert.deepEqual(alice.received().map((m) => m.text), ["hi"]);
  } finally {
    await emu.close();
  }
});

Deno.test("autoRetry() throws a 429 at once when retry_after is above maxWait", async () => {
  await using rig = setup({ maxWait: 10 });
  const { emu, bot } = rig;
  try {
    const alice = emu.user("Alice");
    emu.inject("sendMessage", { kind: "429", retryAfter: 11 });
    await assert.rejects(bot.sendMessage(alice.id, "hi"), (err) => {
      assert.ok(err instanceof TooManyRequestsError);
      assert.equal(err.retryAfter, 11);
      return true;
    });
    assert.equal(emu.calls.length, 1);
  } finally {
    await emu.close();
  }
});

Deno.test("autoRetry() gives up after maxRetries and throws the last error", async () => {
  await using rig = setup({ maxRetries: 2 });
  const { clock, emu, net, bot } = rig;
  try {
    const alice = emu.user("Alice");
    emu.inject("sendMessage", { kind: "429", retryAfter: 1 }, { times: 5 });
    const err = await driveVirtual(
      clock,
      bot.sendMessage(alice.id, "hi").catch((e) => e),
      net.inFlight,
    );
    assert.ok(err instanceof TooManyRequestsError);
    assert.equal(emu.calls.length, 3);
    assert.deepEqual(alice.received(), []);
  } finally {
    await emu.close();
  }
});

Deno.test("autoRetry() never repeats a sendMessage that may have been delivered", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    const alice = emu.user("Alice");
    for (const fault of [{ kind: "reset" }, { kind: "html" }, { kind: "5xx" }] as const) {
      emu.clearCalls();
      emu.inject("sendMessage", fault);
      const err = await bot.sendMessage(alice.id, "hi").catch((e) => e);
      assert.equal(emu.calls.length, 1, `${fault.kind}: sent once`);
      if (fault.kind === "5xx") {
        assert.equal(err.errorCode, 500);
      } else {
        assert.ok(err instanceof BadHTTPResponse, String(err));
        assert.equal(err.maybeDelivered, true);
        assert.match(err.message, /^sendMessage: .*; it may have been delivered$/);
      }
    }
  } finally {
    await emu.close();
  }
});

Deno.test("autoRetry({ retryMaybeDelivered }) repeats a state-changing call the user opted in for", async () => {
  await using rig = setup({
    retryMaybeDelivered: (method) => method === "sendMessage",
  });
  const { clock, emu, net, bot } = rig;
  try {
    const alice = emu.user("Alice");
    emu.inject("sendMessage", { kind: "reset" });
    emu.inject("sendChatAction", { kind: "reset" });
    const msg = await driveVirtual(clock, bot.sendMessage(alice.id, "hi"), net.inFlight);
    assert.equal(msg.text, "hi");
    assert.equal(clock.now(), 500, "after the first back-off step");
    await assert.rejects(bot.sendChatAction(alice.id, "typing"), BadHTTPResponse);
  } finally {
    await emu.close();
  }
});

Deno.test("autoRetry() repeats read-only calls after an unclear failure", async () => {
  await using rig = setup();
  const { clock, emu, net, bot } = rig;
  try {
    emu.inject("getMe", { kind: "reset" });
    emu.inject("getMe", { kind: "html", status: 502 });
    emu.inject("getMe", { kind: "5xx", status: 503 });
    const me = await driveVirtual(clock, bot.getMe(), net.inFlight);
    assert.equal(me.id, emu.bot.id);
    assert.equal(emu.calls.length, 4);
    assert.equal(clock.now(), 500 + 1000 + 2000, "back-off doubles");
  } finally {
    await emu.close();
  }
});

Deno.test("autoRetry() repeats a sendMessage whose connection was refused (it never left)", async () => {
  let refuse = 2;
  const emu0 = { fetch: undefined as unknown as typeof fetch };
  const flaky: typeof fetch = (input, init) =>
    refuse-- > 0 ? Promise.reject(refusedError()) : emu0.fetch(input, init);
  await using rig = setup({}, flaky);
  const { clock, emu, net, bot } = rig;
  emu0.fetch = emu.fetch;
  try {
    const alice = emu.user("Alice");
    const msg = await driveVirtual(clock, bot.sendMessage(alice.id, "hi"), net.inFlight);
    assert.equal(msg.text, "hi");
    assert.deepEqual(alice.received().map((m) => m.text), ["hi"]);
    // Without autoRetry, the error says the request was not sent.
    refuse = 1;
    const plain = new Bot(emu.token, onEmulator(emu, { fetch: flaky }));
    const err = await plain.sendMessage(alice.id, "x").catch((e) => e);
    assert.ok(err instanceof BadHTTPResponse);
    assert.equal(err.maybeDelivered, false);
    assert.equal(err.message, "sendMessage: network failure (no connection; not sent)");
  } finally {
    await emu.close();
  }
});

Deno.test("a refused connection over real TCP is reported as not sent", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  const bot = new Bot("123:abc", { apiRoot: `http://127.0.0.1:${port}` });
  const err = await bot.sendMessage(1, "x").catch((e) => e);
  assert.ok(err instanceof BadHTTPResponse, String(err));
  assert.equal(err.maybeDelivered, false);
});

Deno.test("autoRetry() leaves getUpdates to the update loop", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    emu.inject("getUpdates", { kind: "429", retryAfter: 1 });
    await assert.rejects(bot.getUpdates(), TooManyRequestsError);
    assert.equal(emu.calls.length, 1);
  } finally {
    await emu.close();
  }
});

Deno.test("autoRetry() ends a wait when the call's signal or its own signal aborts", async () => {
  const stop = new AbortController();
  await using rig = setup({ signal: stop.signal });
  const { emu, bot } = rig;
  try {
    const alice = emu.user("Alice");
    emu.inject("sendMessage", { kind: "429", retryAfter: 5 }, { times: 2 });
    const ctrl = new AbortController();
    const pending = bot.sendMessage(alice.id, "hi", { signal: ctrl.signal });
    while (emu.calls.length === 0) await new Promise((r) => setTimeout(r, 1));
    ctrl.abort(new Error("caller gave up"));
    await assert.rejects(pending, /caller gave up/);
    const second = bot.sendMessage(alice.id, "hi");
    while (emu.calls.length === 1) await new Promise((r) => setTimeout(r, 1));
    stop.abort(new Error("shutting down"));
    await assert.rejects(second, /shutting down/);
    assert.equal(emu.calls.length, 2);
  } finally {
    await emu.close();
  }
});

Deno.test("autoRetry() waits past 2^31 ms on real timers without firing early", async () => {
  // 30 days: a plain setTimeout would overflow and fire at once.
  const emu = new Emulator();
  const bot = new Bot(
    emu.token,
    onEmulator(emu, { transformers: [autoRetry({ maxWait: Infinity })] }),
  );
  try {
    const alice = emu.user("Alice");
    emu.inject("sendMessage", { kind: "429", retryAfter: 30 * 24 * 3600 });
    const ctrl = new AbortController();
    const pending = bot.sendMessage(alice.id, "hi", { signal: ctrl.signal });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(emu.calls.length, 1, "still waiting");
    ctrl.abort(new Error("enough"));
    await assert.rejects(pending, /enough/);
  } finally {
    await emu.close();
  }
});

Deno.test("autoRetry() refuses negative options; isReadOnlyMethod() knows the get* methods", () => {
  assert.throws(() => autoRetry({ maxWait: -1 }), RangeError);
  assert.throws(() => autoRetry({ maxRetries: Number.NaN }), RangeError);
  assert.equal(isReadOnlyMethod("getChat"), true);
  assert.equal(isReadOnlyMethod("getupdates"), true);
  assert.equal(isReadOnlyMethod("sendMessage"), false);
  assert.equal(isReadOnlyMethod("setWebhook"), false);
});
