import assert from "node:assert/strict";
import { Bot } from "../../mod.ts";
import type { Emulator } from "../../testing.ts";
import { delay } from "../../src/time/timers.ts";
import { Settlement, UpdateLoop, UpdateLoopError } from "../../src/updates/loop.ts";
import type { ErrorContext } from "../../src/updates/report.ts";
import { emulatedBot, onEmulator, waitUntil } from "../_harness.ts";

function setup(token?: string) {
  return emulatedBot({}, token ? { token } : {});
}

/** Collects reported errors instead of logging them. */
function errors() {
  const seen: { err: unknown; ctx: ErrorContext }[] = [];
  return {
    seen,
    onError: (err: unknown, ctx: ErrorContext) => seen.push({ err, ctx }),
  };
}

/** Resolves once `n` values were pushed. */
function collector<T>(n: number) {
  const items: T[] = [];
  let done!: () => void;
  const full = new Promise<void>((r) => (done = r));
  return {
    items,
    full,
    push(x: T) {
      items.push(x);
      if (items.length === n) done();
    },
  };
}

function getUpdatesCalls(emu: Emulator) {
  return emu.calls.filter((c) => c.method === "getUpdates");
}

Deno.test("messageLoop() hands payloads and updates to the handler in order", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const got = collector<[unknown, { update_id: number }]>(4);
  await alice.send("one");
  await alice.send("two");
  const running = bot.messageLoop((msg, update) => got.push([msg, update]), {
    timeout: 1,
  });
  await delay(5);
  await alice.send("three");
  const withButton = await bot.sendMessage(alice.id, "b", {
    reply_markup: { inline_keyboard: [[{ text: "B", callback_data: "data" }]] },
  });
  await alice.pressButton(withButton, "data");
  await got.full;
  await bot.stop();
  await running;
  assert.deepEqual(
    got.items.map(([m]) => (m as { text?: string }).text ?? "callback"),
    [
      "one",
      "two",
      "three",
      "callback",
    ],
  );
  for (const [msg, update] of got.items) {
    assert.ok(
      (Object.values(update) as unknown[]).includes(msg),
      "msg is the payload",
    );
  }
  const ids = got.items.map(([, u]) => u.update_id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
  await emu.close();
});

Deno.test("messageLoop() passes unknown update kinds through without stalling", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const got = collector<[unknown, Record<string, unknown>]>(2);
  emu.pushUpdate({ some_future_kind: { id: 1, note: "from Bot API 99" } });
  await emu.user("Bob").send("after");
  const running = bot.messageLoop((m, u) => got.push([m, u as never]), {
    timeout: 1,
  });
  await got.full;
  await bot.stop();
  await running;
  assert.deepEqual(got.items[0][0], { id: 1, note: "from Bot API 99" });
  assert.equal((got.items[1][0] as { text: string }).text, "after");
  const fresh = await bot.getUpdates({ timeout: 0 });
  assert.deepEqual(
    fresh,
    [],
    "both confirmed, the unknown one is not re-fetched",
  );
  await emu.close();
});

Deno.test("messageLoop() awaits an async handler before the next update", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const log: string[] = [];
  const got = collector<string>(3);
  for (const t of ["a", "b", "c"]) await alice.send(t);
  const running = bot.messageLoop(async (msg: { text: string }) => {
    log.push(`start ${msg.text}`);
    await delay(5);
    log.push(`end ${msg.text}`);
    got.push(msg.text);
  }, { timeout: 1 });
  await got.full;
  await bot.stop();
  await running;
  assert.deepEqual(log, [
    "start a",
    "end a",
    "start b",
    "end b",
    "start c",
    "end c",
  ]);
  await emu.close();
});

Deno.test("messageLoop() reports a throwing or rejecting handler and goes on", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const { seen, onError } = errors();
  const got = collector<string>(3);
  for (const t of ["sync-throw", "async-reject", "fine"]) await alice.send(t);
  const running = bot.messageLoop(async (msg: { text: string }) => {
    got.push(msg.text);
    if (msg.text === "sync-throw") throw new Error("boom 1");
    await delay(1);
    if (msg.text === "async-reject") throw new Error("boom 2");
  }, { timeout: 1, onError });
  await got.full;
  await bot.stop();
  await running;
  assert.deepEqual(got.items, ["sync-throw", "async-reject", "fine"]);
  assert.deepEqual(seen.map((s) => (s.err as Error).message), [
    "boom 1",
    "boom 2",
  ]);
  assert.ok(
    seen.every((s) => s.ctx.source === "handler" && typeof s.ctx.updateId === "number"),
  );
  assert.deepEqual(
    await bot.getUpdates({ timeout: 0 }),
    [],
    "failed updates count as handled",
  );
  await emu.close();
});

Deno.test("messageLoop()'s default error report is one line without the token", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const lines: string[] = [];
  const original = console.error;
  console.error = (line: string) => lines.push(line);
  try {
    const got = collector<number>(1);
    await emu.user("Alice").send("x");
    const running = bot.messageLoop(() => {
      got.push(1);
      throw new Error(`bad thing with ${emu.token} inside`);
    }, { timeout: 1 });
    await got.full;
    await bot.stop();
    await running;
  } finally {
    console.error = original;
  }
  assert.equal(lines.length, 1);
  assert.ok(!lines[0].includes("\n"));
  assert.ok(!lines[0].includes(emu.token.split(":")[1]), lines[0]);
  assert.match(
    lines[0],
    /handler, update \d+: Error: bad thing with <token> inside/,
  );
  await emu.close();
});

Deno.test("stop() confirms what was handed over and leaves the rest: a restart neither loses nor repeats", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  for (const t of ["1", "2", "3", "4"]) await alice.send(t);
  const first: string[] = [];
  const running = bot.messageLoop((msg: { text: string }) => {
    first.push(msg.text);
    if (msg.text === "2") void bot.stop(); // stop in the middle of a batch
  }, { timeout: 1 });
  await running;
  assert.deepEqual(first, ["1", "2"]);
  await alice.send("5");
  const second = collector<string>(3);
  const again = bot.messageLoop(
    (msg: { text: string }) => second.push(msg.text),
    { timeout: 1 },
  );
  await second.full;
  await bot.stop();
  await again;
  assert.deepEqual(second.items, ["3", "4", "5"]);
  await emu.close();
});

Deno.test("stop() aborts a pending long poll at once and confirms with timeout 0, limit 1", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const got = collector<string>(1);
  await emu.user("Alice").send("only");
  const running = bot.messageLoop(
    (msg: { text: string }) => got.push(msg.text),
    { timeout: 50 },
  );
  await got.full;
  await delay(20); // the loop is now long-polling for 50 s
  const t0 = performance.now();
  await bot.stop();
  await running;
  assert.ok(
    performance.now() - t0 < 5000,
    "stop() does not wait for the 50 s poll",
  );
  const polls = getUpdatesCalls(emu);
  const last = polls.at(-1)!;
  assert.equal(last.params.timeout, 0);
  assert.equal(last.params.limit, 1);
  assert.equal(
    last.params.offset,
    (polls[0].result as { update_id: number }[])[0].update_id + 1,
  );
  await emu.close();
});

Deno.test("messageLoop() ends when its signal aborts, like stop()", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const controller = new AbortController();
  const got = collector<string>(1);
  await emu.user("Alice").send("x");
  const running = bot.messageLoop((m: { text: string }) => got.push(m.text), {
    timeout: 50,
    signal: controller.signal,
  });
  await got.full;
  controller.abort();
  await running;
  assert.deepEqual(await bot.getUpdates({ timeout: 0 }), []);
  const early = bot.messageLoop(() => {}, { signal: AbortSignal.abort() });
  await early;
  await emu.close();
});

Deno.test("messageLoop() retries network failures and 5xx with backoff, reporting each", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const { seen, onError } = errors();
  emu.inject("getUpdates", { kind: "5xx", status: 502 });
  emu.inject("getUpdates", { kind: "html", status: 503 });
  emu.inject("getUpdates", { kind: "reset" });
  await emu.user("Alice").send("survived");
  const got = collector<string>(1);
  const running = bot.messageLoop((m: { text: string }) => got.push(m.text), {
    timeout: 1,
    onError,
    backoff: { initial: 0.01, max: 0.05 },
  });
  await got.full;
  await bot.stop();
  await running;
  assert.deepEqual(got.items, ["survived"]);
  assert.equal(seen.length, 3);
  assert.ok(
    seen.every((s) => s.ctx.source === "getUpdates" && s.ctx.retryIn! <= 50),
  );
  await emu.close();
});

Deno.test("messageLoop()'s backoff grows and is capped", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const { seen, onError } = errors();
  emu.inject("getUpdates", { kind: "5xx", status: 500 }, { times: 6 });
  await emu.user("Alice").send("x");
  const got = collector<string>(1);
  const running = bot.messageLoop((m: { text: string }) => got.push(m.text), {
    timeout: 1,
    onError,
    backoff: { initial: 0.002, max: 0.016 },
  });
  await got.full;
  await bot.stop();
  await running;
  const waits = seen.map((s) => s.ctx.retryIn!);
  assert.equal(waits.length, 6);
  // full jitter on the upper half: wait n is within [d/2, d] with d = min(max, initial * 2^n)
  waits.forEach((w, n) => {
    const d = Math.min(16, 2 * 2 ** n);
    assert.ok(
      w >= Math.floor(d / 2) && w <= Math.ceil(d),
      `wait ${n} = ${w} for ${d}`,
    );
  });
  await emu.close();
});

Deno.test("messageLoop() waits retry_after on 429", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const { seen, onError } = errors();
  emu.inject("getUpdates", { kind: "429", retryAfter: 1 });
  await emu.user("Alice").send("x");
  const got = collector<number>(1);
  const t0 = performance.now();
  const running = bot.messageLoop(() => got.push(performance.now() - t0), {
    timeout: 1,
    onError,
  });
  await got.full;
  await bot.stop();
  await running;
  assert.equal(seen[0].ctx.retryIn, 1000);
  assert.ok(got.items[0] >= 900, `handled after ${got.items[0]} ms`);
  await emu.close();
});

Deno.test("messageLoop() ends with a clear error on 401, without retrying or leaking the token", async () => {
  await using rig = setup();
  const { emu } = rig;
  const wrong = "987654321:AAHwrongwrongwrongwrongwrongwrongwro";
  const bot = new Bot(wrong, onEmulator(emu));
  const { seen, onError } = errors();
  await assert.rejects(
    bot.messageLoop(() => {}, { timeout: 1, onError }),
    (err: unknown) => {
      assert.ok(err instanceof UpdateLoopError);
      assert.equal(err.errorCode, 401);
      assert.match(err.message, /token is wrong or was revoked/);
      assert.ok(!err.message.includes("AAHwrong"));
      assert.ok(!String(err.stack).includes("AAHwrong"));
      return true;
    },
  );
  assert.equal(emu.calls.length, 1, "one getUpdates, no hot retry, no confirm");
  assert.equal(seen.length, 0);
  await emu.close();
});

Deno.test("messageLoop() ends with a clear error on 404 (wrong apiRoot)", async () => {
  await using rig = setup();
  const { emu } = rig;
  const bot = new Bot(emu.token, {
    fetch: emu.fetch,
    apiRoot: emu.apiRoot + "/wrong/prefix",
  });
  await assert.rejects(
    bot.messageLoop(() => {}, { timeout: 1 }),
    (err: unknown) => {
      assert.ok(err instanceof UpdateLoopError);
      assert.equal(err.errorCode, 404);
      assert.match(err.message, /apiRoot is wrong/);
      return true;
    },
  );
  await emu.close();
});

Deno.test("messageLoop() ends on 409 explaining webhook vs. a second instance", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  await bot.setWebhook("https://example.com/hook");
  await assert.rejects(
    bot.messageLoop(() => {}, { timeout: 1 }),
    (err: unknown) => {
      assert.ok(err instanceof UpdateLoopError);
      assert.equal(err.errorCode, 409);
      assert.match(err.message, /webhook is set/);
      assert.match(err.message, /another instance/);
      return true;
    },
  );
  await bot.deleteWebhook();
  await emu.close();
});

Deno.test("a second loop polling the same bot ends the first with 409", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const other = new Bot(emu.token, onEmulator(emu));
  const first = bot.messageLoop(() => {}, { timeout: 30 });
  await delay(20);
  const second = other.messageLoop(() => {}, { timeout: 30 });
  await assert.rejects(
    first,
    (err: unknown) => err instanceof UpdateLoopError && err.errorCode === 409,
  );
  await other.stop();
  await second;
  await emu.close();
});

Deno.test("messageLoop() sends allowed_updates and limit; UpdateLoop validates limit", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const got = collector<unknown>(1);
  await emu.user("Alice").send("x");
  const running = bot.messageLoop((m) => got.push(m), {
    timeout: 1,
    limit: 5,
    allowedUpdates: ["message", "callback_query"],
  });
  await got.full;
  await bot.stop();
  await running;
  const first = getUpdatesCalls(emu)[0];
  assert.deepEqual(first.params.allowed_updates, ["message", "callback_query"]);
  assert.equal(first.params.limit, 5);
  assert.throws(() => new UpdateLoop(bot, () => {}, { limit: 0 }), RangeError);
  await emu.close();
});

Deno.test("messageLoop() starts from the given offset", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  await alice.send("old");
  await alice.send("new");
  const [old] = await bot.getUpdates({ timeout: 0 });
  const got = collector<string>(1);
  const running = bot.messageLoop((m: { text: string }) => got.push(m.text), {
    timeout: 1,
    offset: old.update_id + 1,
  });
  await got.full;
  await bot.stop();
  await running;
  assert.deepEqual(got.items, ["new"]);
  await emu.close();
});

Deno.test("stop() while an async handler runs does not wait for it; its failure is still reported", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const { seen, onError } = errors();
  await emu.user("Alice").send("slow");
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const started = collector<number>(1);
  const running = bot.messageLoop(async () => {
    started.push(1);
    await gate;
    throw new Error("late failure");
  }, { timeout: 1, onError });
  await started.full;
  await bot.stop();
  await running;
  assert.deepEqual(
    await bot.getUpdates({ timeout: 0 }),
    [],
    "handed over = confirmed",
  );
  release();
  await delay(1);
  assert.deepEqual(seen.map((s) => (s.err as Error).message), ["late failure"]);
  await emu.close();
});

Deno.test("messageLoop() works with the emulator over real HTTP", async () => {
  await using rig = setup();
  const { emu } = rig;
  const server = await emu.serve();
  const bot = new Bot(emu.token, { apiRoot: server.apiRoot });
  const got = collector<string>(2);
  const alice = emu.user("Alice");
  await alice.send("a");
  const running = bot.messageLoop((m: { text: string }) => got.push(m.text), {
    timeout: 5,
  });
  await delay(30);
  await alice.send("b");
  await got.full;
  await bot.stop();
  await running;
  assert.deepEqual(got.items, ["a", "b"]);
  await server.close();
  await emu.close();
});

Deno.test("messageLoop() confirms an update whose handler returned a Settlement only once it settled", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  let release!: (done: boolean) => void;
  const settled = new Promise<boolean>((r) => (release = r));
  const got = collector<string>(1);
  await alice.send("deferred");
  const running = bot.messageLoop((m: { text: string }) => {
    got.push(m.text);
    return new Settlement(settled);
  }, { timeout: 1, settleTimeout: 10_000 });
  await got.full;
  await delay(30);
  assert.equal(emu.pendingUpdateCount, 1, "not confirmed while its work runs");
  assert.equal(getUpdatesCalls(emu).length, 1, "no getUpdates meanwhile");
  release(true);
  await delay(30);
  assert.equal(emu.pendingUpdateCount, 0, "the next getUpdates confirmed it");
  await bot.stop();
  await running;
  await emu.close();
});

Deno.test("messageLoop() waits at most settleTimeout for Settlements, says so once, and goes on", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const { seen, onError } = errors();
  const never = new Settlement(new Promise<boolean>(() => {}));
  const got = collector<string>(3);
  const running = bot.messageLoop((m: { text: string }) => {
    got.push(m.text);
    return never;
  }, { timeout: 1, settleTimeout: 20, onError });
  for (const t of ["a", "b", "c"]) {
    await alice.send(t);
    await delay(5);
  }
  await got.full;
  await bot.stop();
  await running;
  assert.deepEqual(got.items, ["a", "b", "c"]);
  const settle = seen.filter((s) => s.ctx.source === "settle");
  assert.ok(settle.length >= 1 && settle.length <= 2, "once while running, once on stop");
  assert.match((settle[0].err as Error).message, /still in progress after 20 ms/);
  await emu.close();
});

Deno.test("stop() leaves an update whose Settlement did not settle unconfirmed; the next run hands it over again", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const { seen, onError } = errors();
  for (const t of ["done", "busy", "after"]) await alice.send(t);
  const first: string[] = [];
  const running = bot.messageLoop((m: { text: string }) => {
    first.push(m.text);
    return new Settlement(m.text === "busy" ? new Promise(() => {}) : Promise.resolve(true));
  }, { timeout: 1, settleTimeout: 30, onError });
  await waitUntil(() => first.length === 3);
  await bot.stop();
  await running;
  assert.equal(emu.pendingUpdateCount, 2, "confirmed below 'busy' only");
  assert.match(
    (seen.find((s) => s.ctx.source === "settle")!.err as Error).message,
    /come again on the next start/,
  );
  const second: string[] = [];
  const again = bot.messageLoop((m: { text: string }) => void second.push(m.text), {
    timeout: 1,
    onError,
  });
  await waitUntil(() => emu.pendingUpdateCount === 0);
  await bot.stop();
  await again;
  assert.deepEqual(second, ["busy"], "'after' was done: the dedupe window skips it");
  await emu.close();
});

Deno.test("UpdateLoop refuses bad settleTimeout, handlerTimeout, stallTimeout and dedupe", () => {
  const bot = new Bot("1:a");
  for (
    const bad of [
      { settleTimeout: -1 },
      { handlerTimeout: NaN },
      { stallTimeout: -5 },
      { dedupe: 1.5 },
      { dedupe: -1 },
    ]
  ) {
    assert.throws(() => new UpdateLoop(bot, () => {}, bad), RangeError, JSON.stringify(bad));
  }
});

Deno.test("messageLoop() right after stop() polls only once the old loop confirmed (no 409 between them)", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const { seen, onError } = errors();
  const handled: string[] = [];
  await alice.send("slow");
  // The old loop's final confirmation waits for this update's work (100 ms).
  const running = bot.messageLoop((m: { text: string }) => {
    handled.push(m.text);
    return new Settlement(delay(100).then(() => true));
  }, { timeout: 1, onError });
  await waitUntil(() => handled.length === 1);
  void bot.stop();
  const again = bot.messageLoop((m: { text: string }) => void handled.push(m.text), {
    timeout: 1,
    onError,
  });
  await delay(150);
  await alice.send("next");
  await waitUntil(() => handled.length === 2);
  await bot.stop();
  await running;
  await again;
  assert.deepEqual(handled, ["slow", "next"]);
  assert.deepEqual(seen, [], "no 409, no failed confirmation");
  assert.equal(emu.pendingUpdateCount, 0);
  await emu.close();
});

Deno.test("messageLoop() polls on during a backlog from the first update in progress, confirming only what is done", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  const users = Array.from({ length: 20 }, (_, i) => emu.user(`U${i}`));
  for (const [i, u] of users.entries()) await u.send(String(i + 1));
  const handed: number[] = [];
  const ids = new Map<number, number>();
  const release = new Map<number, (done: boolean) => void>();
  const running = bot.messageLoop((m: { text: string }, update: { update_id: number }) => {
    const n = Number(m.text);
    handed.push(n);
    ids.set(n, update.update_id);
    return new Settlement(new Promise<boolean>((r) => release.set(n, r)));
  }, { timeout: 1, limit: 10, settleTimeout: 10_000 });
  const done = (...ns: number[]) => ns.forEach((n) => release.get(n)!(true));
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

  await waitUntil(() => handed.length === 10);
  await delay(30);
  assert.equal(getUpdatesCalls(emu).length, 1, "nothing done yet: no poll");
  done(...range(1, 5)); // half the room is free again
  await waitUntil(() => handed.length === 15);
  const second = getUpdatesCalls(emu)[1];
  assert.equal(second.params.offset, ids.get(6), "asks from the first update in progress");
  assert.equal(emu.pendingUpdateCount, 15, "1-5 confirmed, 6-15 in progress, 16-20 waiting");

  done(...range(7, 15)); // 6 still runs: it holds the room, no poll would bring new ones
  await delay(30);
  assert.equal(getUpdatesCalls(emu).length, 2, "no poll while the first in progress blocks");
  assert.deepEqual(handed, range(1, 15));
  done(6);
  await waitUntil(() => handed.length === 20);
  done(...range(16, 20));
  await waitUntil(() => emu.pendingUpdateCount === 0);
  await bot.stop();
  await running;
  assert.deepEqual(handed, range(1, 20), "each handed over once, in order");
  await emu.close();
});

/**
 * A bot's getUpdates that logs each poll as it goes out: `poll n` asks from the update
 * whose text is n (updates are numbered from the first update_id, `first`), `poll -`
 * has no offset.
 */
function loggedSource(bot: Bot, log: (string | number)[]) {
  return {
    call(method: "getUpdates", params: { offset?: number }, options: { signal?: AbortSignal }) {
      log.push(params.offset ?? "-");
      return bot.call(method, params, options);
    },
  };
}

/** The log with raw offsets turned into `poll n` (update n has update_id first + n - 1). */
function readable(log: (string | number)[], first: number): string[] {
  return log.map((e) => typeof e === "number" ? `poll ${e - first + 1}` : e === "-" ? "poll -" : e);
}

/** A handler that logs `hand n` and hands over at once (a Settlement), like a DelegatorBot. */
function quickHandler(log: (string | number)[], seen: { first?: number }) {
  return (m: { text: string }, u: { update_id: number }) => {
    seen.first ??= u.update_id - Number(m.text) + 1;
    log.push(`hand ${m.text}`);
    return new Settlement(Promise.resolve(true));
  };
}

/** An emulator with updates "1".."6" queued, a log, and a quick handler writing to it. */
async function sixQueued() {
  const rig = setup();
  const alice = rig.emu.user("Alice");
  for (let i = 1; i <= 6; i++) await alice.send(String(i));
  const log: (string | number)[] = [];
  const seen: { first?: number } = {};
  return Object.assign(rig, { log, seen, quick: quickHandler(log, seen) });
}

Deno.test("with settleTimeout 0, a loop whose handlers hand over at once asks for the next batch before handing this one over", async () => {
  await using rig = await sixQueued();
  const { emu, bot, log, seen, quick } = rig;
  const loop = new UpdateLoop(loggedSource(bot, log), quick, {
    timeout: 1,
    limit: 2,
    settleTimeout: 0,
  });
  const running = loop.run();
  await waitUntil(() => log.includes("hand 6"));
  await loop.stop();
  await running;
  assert.deepEqual(readable(log, seen.first!).slice(0, 8), [
    "poll -",
    "hand 1",
    "hand 2",
    "poll 3", // the first batch: no handler seen yet, so asked for after it
    "poll 5", // from then on each next batch is asked for before this one is handed over
    "hand 3",
    "hand 4",
    "poll 7",
  ]);
  assert.equal(emu.pendingUpdateCount, 0);
  await emu.close();
});

Deno.test("with settleTimeout 0, a stop during a batch whose successor was asked for still hands all of it over", async () => {
  await using rig = await sixQueued();
  const { emu, bot, log, seen, quick } = rig;
  const loop: UpdateLoop = new UpdateLoop(loggedSource(bot, log), (m, u) => {
    if (m.text === "3") void loop.stop();
    return quick(m, u);
  }, { timeout: 1, limit: 2, settleTimeout: 0 });
  await loop.run();
  const lines = readable(log, seen.first!);
  assert.deepEqual(lines.slice(0, 7), [
    "poll -",
    "hand 1",
    "hand 2",
    "poll 3",
    "poll 5", // sent ahead: it confirms 3 and 4
    "hand 3", // stop() here
    "hand 4", // handed over all the same: nothing confirmed is dropped
  ]);
  assert.ok(!lines.includes("hand 5"));
  assert.equal(emu.pendingUpdateCount, 2, "5 and 6 wait for the next start");
  await emu.close();
});

Deno.test("with settleTimeout 0, after a batch whose handler was awaited the next one is asked for after it, and a stop leaves the rest", async () => {
  await using rig = await sixQueued();
  const { emu, bot, log, seen, quick } = rig;
  const loop: UpdateLoop = new UpdateLoop(loggedSource(bot, log), (m, u) => {
    const settlement = quick(m, u);
    if (m.text === "3") {
      void loop.stop();
      return settlement;
    }
    return m.text === "2" ? delay(1) : settlement; // 2's promise is awaited
  }, { timeout: 1, limit: 2, settleTimeout: 0 });
  await loop.run();
  assert.deepEqual(readable(log, seen.first!), [
    "poll -",
    "hand 1",
    "hand 2",
    "poll 3", // asked for after 2's awaited handler: not ahead of the batch
    "hand 3", // stop() here: 4 is neither handed over nor confirmed
    "poll 4", // the final confirmation
  ]);
  assert.equal(emu.pendingUpdateCount, 3, "4, 5 and 6 wait for the next start");
  await emu.close();
});
