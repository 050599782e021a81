import assert from "node:assert/strict";
import { Listener, MessageQueue, Microphone, StopListening, WaitTooLong } from "../../helper.ts";
import { delay } from "../../src/time/timers.ts";

/** A listener on a microphone of its own; disposing it closes the listener (and its timer). */
function setup() {
  const mic = new Microphone();
  const queue = new MessageQueue();
  mic.add(queue);
  const listener = new Listener(mic, queue);
  return {
    mic,
    listener,
    [Symbol.dispose]() {
      listener.close();
    },
  };
}

const inChat = (id: number, text = "x") => ({ chat: { id }, text });

Deno.test("Listener.wait() returns the next matching message and drops others", async () => {
  using rig = setup();
  const { mic, listener } = rig;
  listener.capture({ chat__id: 1 });
  listener.capture({ text: "magic" });
  const waiting = listener.wait();
  mic.send(inChat(2));
  const hit = inChat(1, "hi");
  mic.send(hit);
  assert.equal(await waiting, hit);
  const magic = inChat(3, "magic");
  mic.send(inChat(4, "other"));
  mic.send(magic);
  assert.equal(
    await listener.wait(),
    magic,
    "predicate-free literal on text, also indexed",
  );
  listener.close();
});

Deno.test("Listener.wait() first takes messages queued before it was called", async () => {
  using rig = setup();
  const { mic, listener } = rig;
  listener.capture({ chat__id: 1 });
  const a = inChat(1, "a");
  const b = inChat(1, "b");
  mic.send(a);
  mic.send(b);
  assert.equal(await listener.wait(), a);
  assert.equal(await listener.wait(), b);
  listener.close();
});

Deno.test("Listener.wait() with no criteria throws a TypeError at once", async () => {
  using rig = setup();
  const { listener } = rig;
  await assert.rejects(listener.wait(), (err: Error) => {
    assert.ok(err instanceof TypeError);
    assert.match(err.message, /no capture criteria/);
    return true;
  });
  listener.close();
});

Deno.test("Listener.wait() throws WaitTooLong after the timeout option", async () => {
  using rig = setup();
  const { mic, listener } = rig;
  listener.capture({ chat__id: 1 });
  listener.setOptions({ timeout: 0.03 });
  assert.deepEqual(listener.getOptions(), { timeout: 0.03 });
  const waiting = listener.wait();
  mic.send(inChat(2)); // not matching: does not reset anything
  await assert.rejects(
    waiting,
    (err: unknown) => err instanceof WaitTooLong && err.seconds === 0.03,
  );
  listener.close();
});

Deno.test("Listener.wait() rejects with the reason of an aborted signal", async () => {
  using rig = setup();
  const { listener } = rig;
  listener.capture({ chat__id: 1 });
  const controller = new AbortController();
  const waiting = listener.wait(controller.signal);
  await delay(1);
  controller.abort(new Error("cancelled"));
  await assert.rejects(waiting, /cancelled/);
  await assert.rejects(
    listener.wait({ signal: AbortSignal.abort(new Error("pre")) }),
    /pre/,
  );
  listener.close();
});

Deno.test("Listener.close() ends a pending wait with StopListening and stops the feed", async () => {
  using rig = setup();
  const { mic, listener } = rig;
  listener.capture({ chat__id: 1 });
  const waiting = listener.wait();
  listener.close();
  await assert.rejects(waiting, StopListening);
  await assert.rejects(listener.wait(), StopListening);
  assert.ok(listener.closed);
  assert.equal(mic.size, 0);
  mic.send(inChat(1));
  assert.equal(listener.queue.size, 0);
});

Deno.test("Listener.close() returns messages that were queued and never waited for", () => {
  using rig = setup();
  const { mic, listener } = rig;
  listener.capture({ chat__id: 1 });
  const a = inChat(1);
  mic.send(a);
  assert.deepEqual(listener.close(new Error("bye")), [a]);
});

Deno.test("Listener capture bookkeeping: list, cancel (by value), clear", () => {
  using rig = setup();
  const { listener } = rig;
  const pred = (t: string) => t.length > 2;
  listener.capture({ chat__id: 1 });
  listener.capture({ text: pred });
  listener.capture({ chat__id: 1 });
  assert.equal(listener.listCaptures().length, 3);
  listener.cancelCapture({ chat__id: 1 });
  assert.deepEqual(listener.listCaptures(), [{ text: pred }]);
  listener.cancelCapture({ text: (t: string) => t.length > 2 });
  assert.equal(
    listener.listCaptures().length,
    1,
    "another function is another criteria",
  );
  listener.clearCaptures();
  assert.deepEqual(listener.listCaptures(), []);
  assert.throws(() => listener.capture(null as never), TypeError);
  assert.throws(() => listener.setOptions({ timeout: -1 }), RangeError);
  listener.close();
});

Deno.test("Listener re-indexes when captures change", async () => {
  using rig = setup();
  const { mic, listener } = rig;
  listener.capture({ chat__id: 1 });
  mic.send(inChat(2));
  assert.equal(listener.queue.size, 0, "indexed: chat 2 never reaches it");
  listener.capture({ _: () => true });
  const m = inChat(2);
  mic.send(m);
  assert.equal(await listener.wait(), m);
  listener.close();
});

Deno.test("Listener timeout counts from each wait(), not from the first one", async () => {
  using rig = setup();
  const { mic, listener } = rig;
  listener.capture({ chat__id: 1 });
  listener.setOptions({ timeout: 0.3 });
  const first = listener.wait();
  await delay(180);
  mic.send(inChat(1, "a"));
  assert.equal((await first).text, "a");
  const second = listener.wait(); // its deadline is 300 ms from now, past the first's
  await delay(180); // the first wait's deadline has passed by now
  const b = inChat(1, "b");
  mic.send(b);
  assert.equal(await second, b);
  await assert.rejects(listener.wait(), WaitTooLong);
  listener.close();
});

Deno.test("Listener.wait() honours different signals of concurrent waits", async () => {
  using rig = setup();
  const { mic, listener } = rig;
  listener.capture({ chat__id: 1 });
  const a = new AbortController();
  const b = new AbortController();
  const first = listener.wait(a.signal);
  const second = listener.wait(b.signal);
  a.abort(new Error("first cancelled"));
  await assert.rejects(first, /first cancelled/);
  const m = inChat(1);
  mic.send(m);
  assert.equal(await second, m);
  const third = listener.wait(b.signal);
  b.abort(new Error("b gone"));
  await assert.rejects(third, /b gone/);
  listener.close();
});
