import assert from "node:assert/strict";
import {
  abortable,
  backoff,
  deadline,
  delay,
  isThenable,
  MAX_TIMER,
  startTimer,
  timeoutSignal,
} from "../../src/time/timers.ts";
import { timersOf } from "../_harness.ts";

Deno.test("delay() resolves after the time", async () => {
  const start = performance.now();
  await delay(20);
  assert.ok(performance.now() - start >= 15);
});

Deno.test("delay() rejects with signal.reason when aborted and clears its timer", async () => {
  const controller = new AbortController();
  const reason = new Error("stopped");
  const waiting = delay(60_000, { signal: controller.signal });
  controller.abort(reason);
  await assert.rejects(waiting, (err) => err === reason);
  // A leaked 60 s timer would fail Deno's sanitizer for this test.
});

Deno.test("delay() rejects at once with an already aborted signal", async () => {
  const reason = new Error("already");
  await assert.rejects(
    delay(10, { signal: AbortSignal.abort(reason) }),
    (err) => err === reason,
  );
});

Deno.test("delay() with an abort reason-less signal rejects with an AbortError", async () => {
  const controller = new AbortController();
  const waiting = delay(60_000, { signal: controller.signal });
  controller.abort();
  await assert.rejects(waiting, (err: Error) => err.name === "AbortError");
});

Deno.test("delay() longer than 2^31-1 ms is split and can still be aborted", async () => {
  const controller = new AbortController();
  const waiting = delay(2 ** 31 + 10, { signal: controller.signal });
  await delay(5);
  controller.abort(new Error("x"));
  await assert.rejects(waiting, /x/);
});

Deno.test("delay() removes its abort listener after resolving", async () => {
  const controller = new AbortController();
  let added = 0;
  let removed = 0;
  const signal = controller.signal;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<typeof add>) => {
    added++;
    add(...args);
  }) as typeof add;
  signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
    removed++;
    remove(...args);
  }) as typeof remove;
  await delay(1, { signal });
  assert.equal(added, 1);
  assert.equal(removed, 1);
});

Deno.test("deadline() passes the value through when in time", async () => {
  assert.equal(await deadline(Promise.resolve(42), 1000), 42);
});

Deno.test("deadline() rejects with a TimeoutError when the time is up", async () => {
  await assert.rejects(
    deadline(new Promise(() => {}), 10),
    (err: DOMException) => err.name === "TimeoutError",
  );
});

Deno.test("deadline() passes a rejection through", async () => {
  await assert.rejects(
    deadline(Promise.reject(new Error("boom")), 1000),
    /boom/,
  );
});

Deno.test("deadline() rejects early when its signal aborts", async () => {
  const controller = new AbortController();
  const waiting = deadline(new Promise(() => {}), 60_000, {
    signal: controller.signal,
  });
  controller.abort(new Error("cancel"));
  await assert.rejects(waiting, /cancel/);
});

Deno.test("abortable() settles like the promise when not aborted", async () => {
  const controller = new AbortController();
  assert.equal(
    await abortable(delay(1).then(() => "v"), controller.signal),
    "v",
  );
  await assert.rejects(
    abortable(Promise.reject(new Error("e")), controller.signal),
    /e/,
  );
  assert.equal(await abortable(Promise.resolve(1)), 1);
});

Deno.test("abortable() rejects with signal.reason when aborted first", async () => {
  const controller = new AbortController();
  const waiting = abortable(new Promise(() => {}), controller.signal);
  controller.abort(new Error("gone"));
  await assert.rejects(waiting, /gone/);
  await assert.rejects(
    abortable(Promise.resolve(1), AbortSignal.abort(new Error("pre"))),
    /pre/,
  );
});

Deno.test("isThenable() accepts promises and thenables, nothing else", () => {
  assert.equal(isThenable(Promise.resolve()), true);
  assert.equal(isThenable({ then() {} }), true);
  const fn = Object.assign(() => {}, { then() {} });
  assert.equal(isThenable(fn), true);
  for (const v of [null, undefined, 0, "then", {}, { then: 1 }]) assert.equal(isThenable(v), false);
});

Deno.test("startTimer() clamps a delay beyond 2^31-1 ms instead of firing at once", async () => {
  let fired = false;
  const timer = startTimer(() => fired = true, Infinity);
  await delay(5);
  clearTimeout(timer);
  assert.equal(fired, false, "an infinite delay must not fire at once");
  const done = Promise.withResolvers<void>();
  startTimer(done.resolve, -5); // negative counts as 0
  await done.promise;
  assert.equal(MAX_TIMER, 2 ** 31 - 1);
});

Deno.test("timeoutSignal() aborts with onTimeout() after ms, or with the parent's reason", async () => {
  const t = timeoutSignal(5, () => new Error("too slow"));
  await new Promise((r) => t.signal.addEventListener("abort", r));
  assert.equal((t.signal.reason as Error).message, "too slow");
  t.clear();

  const parent = new AbortController();
  const u = timeoutSignal(10_000, () => new Error("never"), parent.signal);
  parent.abort(new Error("stopped"));
  assert.equal((u.signal.reason as Error).message, "stopped");
  u.clear();

  const already = new AbortController();
  already.abort("early");
  assert.equal(timeoutSignal(10, () => "late", already.signal).signal.reason, "early");
});

Deno.test("timeoutSignal() sets no timer for 0 or Infinity, and clear() stops both causes", async () => {
  for (const ms of [0, Infinity, Number.NaN]) {
    let t!: ReturnType<typeof timeoutSignal>;
    const started = await timersOf(() => {
      t = timeoutSignal(ms, () => "fired");
    });
    assert.deepEqual(started, [], `ms = ${ms}: no timer`);
    await delay(5);
    assert.equal(t.signal.aborted, false, `ms = ${ms}`);
    t.clear();
  }
  assert.deepEqual(await timersOf(() => timeoutSignal(5, () => "").clear()), [5]);
  const parent = new AbortController();
  const t = timeoutSignal(5, () => "fired", parent.signal);
  t.clear();
  parent.abort("after clear");
  await delay(15);
  assert.equal(t.signal.aborted, false, "cleared: neither the timer nor the parent aborts it");
});

Deno.test("backoff() doubles from initial up to max; jitter keeps it in the upper half", () => {
  assert.deepEqual([0, 1, 2, 3, 10].map((n) => backoff(n, 500, 3000)), [
    500,
    1000,
    2000,
    3000,
    3000,
  ]);
  for (let i = 0; i < 200; i++) {
    const ms = backoff(2, 500, 30_000, true);
    assert.ok(ms >= 1000 && ms <= 2000, String(ms));
  }
});
