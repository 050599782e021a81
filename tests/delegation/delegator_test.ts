import assert from "node:assert/strict";
import { DelegatorBot, SpeakerBot } from "../../src/delegation/delegator.ts";
import { call, createOpen, perApplication, perChatId, perInlineFromId } from "../../delegate.ts";
import { ChatHandler, StopListening, WaitTooLong } from "../../helper.ts";
import { delay } from "../../src/time/timers.ts";
import { emulatedBot, startDelegator, stillHeld, waitUntil } from "../_harness.ts";
import type { SeedTuple } from "../../src/delegation/context.ts";

const texts = (msgs: { text?: string }[]) => msgs.map((m) => m.text);

class Counter extends ChatHandler {
  count = 0;
  async onChatMessage() {
    this.count++;
    await this.sender.sendMessage(String(this.count));
  }
}

Deno.test("DelegatorBot keeps one live delegate per chat and several chats at once", async () => {
  let created = 0;
  class Counting extends Counter {
    constructor(st: SeedTuple, o: { timeout: number }) {
      super(st, o);
      created++;
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Counting, { timeout: 30 })]]);
  const [alice, bob, carol] = ["Alice", "Bob", "Carol"].map((n) => t.emu.user(n));
  await Promise.all([alice, bob, carol].map(async (u) => {
    for (let i = 0; i < 3; i++) {
      await u.send(`m${i}`);
      await u.nextMessage();
    }
  }));
  for (const u of [alice, bob, carol]) {
    assert.deepEqual(texts(u.received()), ["1", "2", "3"]);
  }
  assert.equal(created, 3);
  assert.equal(t.bot.liveDelegates, 3);
  await t.close();
  assert.equal(t.bot.liveDelegates, 0);
  assert.deepEqual(t.seen, []);
});

Deno.test("DelegatorBot gives per-chat order with concurrency across chats", async () => {
  const log: string[] = [];
  let releaseA!: () => void;
  const gateA = new Promise<void>((r) => (releaseA = r));
  class Slow extends ChatHandler {
    async onChatMessage(msg: { text: string }) {
      log.push(`${msg.text} start`);
      if (msg.text === "a1") await gateA;
      log.push(`${msg.text} end`);
      await this.sender.sendMessage(`done ${msg.text}`);
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Slow)]]);
  const a = t.emu.user("A");
  const b = t.emu.user("B");
  await a.send("a1");
  await a.send("a2");
  await b.send("b1");
  assert.equal(
    (await b.nextMessage()).text,
    "done b1",
    "B is not blocked by A",
  );
  assert.ok(!log.includes("a2 start"), "a2 waits for a1");
  releaseA();
  assert.equal((await a.nextMessage()).text, "done a1");
  assert.equal((await a.nextMessage()).text, "done a2");
  assert.deepEqual(log.filter((l) => l.startsWith("a")), [
    "a1 start",
    "a1 end",
    "a2 start",
    "a2 end",
  ]);
  await t.close();
});

Deno.test("DelegatorBot starts a new delegate after one idles out", async () => {
  const closed: unknown[] = [];
  class Idle extends Counter {
    override onClose(reason: unknown) {
      closed.push(reason);
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Idle, { timeout: 0.1 })]]);
  const alice = t.emu.user("Alice");
  await alice.send("x");
  await alice.nextMessage();
  await waitUntil(() => closed.length === 1);
  assert.ok(closed[0] instanceof WaitTooLong);
  assert.equal(
    t.bot.liveDelegates,
    0,
    "record pruned after the delegate ended",
  );
  await alice.send("z");
  assert.equal(
    (await alice.nextMessage()).text,
    "1",
    "a fresh delegate counts from 1",
  );
  await t.close();
});

Deno.test("a message arriving while its delegate closes goes to the next delegate", async () => {
  let releaseClose!: () => void;
  const closing = new Promise<void>((r) => (releaseClose = r));
  const opened: string[] = [];
  class Bye extends ChatHandler {
    override open(msg: { text: string }) {
      opened.push(msg.text);
      return undefined;
    }
    async onChatMessage(msg: { text: string }) {
      await this.sender.sendMessage(`got ${msg.text}`);
      if (msg.text === "bye") this.close();
    }
    override async onClose() {
      await closing; // a slow goodbye: the delegate is closing, not yet ended
      await this.sender.sendMessage("closed");
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Bye)]]);
  const alice = t.emu.user("Alice");
  await alice.send("hi");
  assert.equal((await alice.nextMessage()).text, "got hi");
  await alice.send("bye");
  assert.equal((await alice.nextMessage()).text, "got bye");
  await alice.send("during close 1");
  await alice.send("during close 2");
  await waitUntil(() => t.emu.pendingUpdateCount === 0); // both handed to the bot
  await delay(10);
  assert.deepEqual(
    opened,
    ["hi"],
    "no second delegate while the first is alive",
  );
  releaseClose();
  assert.equal((await alice.nextMessage()).text, "closed");
  assert.equal((await alice.nextMessage()).text, "got during close 1");
  assert.equal((await alice.nextMessage()).text, "got during close 2");
  assert.deepEqual(opened, ["hi", "during close 1"]);
  await t.close();
  assert.deepEqual(t.seen, []);
});

Deno.test("messages queued behind a closing message also go to the next delegate", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  class Quitter extends ChatHandler {
    async onChatMessage(msg: { text: string }) {
      if (msg.text === "quit") {
        await gate; // busy while the next messages arrive
        this.close();
        return;
      }
      await this.sender.sendMessage(`echo ${msg.text}`);
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Quitter)]]);
  const alice = t.emu.user("Alice");
  await alice.send("quit");
  await alice.send("after 1");
  await alice.send("after 2");
  await waitUntil(() => t.emu.pendingUpdateCount === 0); // all handed to the bot
  release();
  assert.equal((await alice.nextMessage()).text, "echo after 1");
  assert.equal((await alice.nextMessage()).text, "echo after 2");
  await t.close();
});

Deno.test("DelegatorBot reports a throwing factory and tries again with the next message", async () => {
  let attempts = 0;
  class Flaky extends ChatHandler {
    constructor(st: SeedTuple) {
      if (++attempts === 1) throw new Error("factory broke");
      super(st);
    }
    async onChatMessage(msg: { text: string }) {
      await this.sender.sendMessage(`ok ${msg.text}`);
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Flaky)]]);
  const alice = t.emu.user("Alice");
  await alice.send("first");
  await waitUntil(() => t.seen.length === 1);
  assert.equal(t.seen[0].ctx.source, "factory");
  assert.equal(t.seen[0].ctx.seed, alice.id);
  assert.equal(t.bot.liveDelegates, 0);
  await alice.send("second");
  assert.equal((await alice.nextMessage()).text, "ok second");
  await t.close();
});

Deno.test("DelegatorBot reports a failing delegate and keeps serving", async () => {
  const closed: unknown[] = [];
  class Fragile extends ChatHandler {
    async onChatMessage(msg: { text: string }) {
      if (msg.text === "crash") throw new Error("delegate broke");
      await this.sender.sendMessage(`ok ${msg.text}`);
    }
    override onClose(reason: unknown) {
      closed.push(reason);
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Fragile)]]);
  const alice = t.emu.user("Alice");
  const bob = t.emu.user("Bob");
  await alice.send("crash");
  await waitUntil(() => t.seen.length === 1 && closed.length === 1);
  assert.equal(t.seen[0].ctx.source, "delegate");
  assert.equal((t.seen[0].err as Error).message, "delegate broke");
  assert.equal(
    (closed[0] as Error).message,
    "delegate broke",
    "onClose sees the accident",
  );
  await bob.send("hello");
  assert.equal((await bob.nextMessage()).text, "ok hello");
  await alice.send("again");
  assert.equal((await alice.nextMessage()).text, "ok again");
  await t.close();
});

Deno.test("DelegatorBot reports a throwing seed function; other patterns still run", async () => {
  const calls: string[] = [];
  await using t = startDelegator([
    [() => {
      throw new Error("seed broke");
    }, call(() => calls.push("never"))],
    [
      perChatId(),
      call(([, msg]) => {
        calls.push(msg.text);
      }),
    ],
  ]);
  await t.emu.user("Alice").send("hi");
  await waitUntil(() => calls.length === 1);
  assert.deepEqual(calls, ["hi"]);
  assert.equal(t.seen[0].ctx.source, "seed");
  await t.close();
});

Deno.test("DelegatorBot seed rules: null none, tuple keyed by value, other objects always new", async () => {
  const started: string[] = [];
  const gate = new Promise<void>(() => {}); // delegates stay alive until stopped
  const keep = (name: string) =>
    call(async ([, msg], signal: AbortSignal) => {
      started.push(`${name}:${msg.text}`);
      await Promise.race([
        gate,
        new Promise((r) => signal.addEventListener("abort", r)),
      ]);
    });
  await using t = startDelegator([
    [
      (msg: { text: string }) => msg.text === "none" ? null : undefined,
      keep("never"),
    ],
    [(msg: { chat: { id: number } }) => [msg.chat.id, "tuple"], keep("tuple")],
    [() => ({}), keep("object")],
    [() => [], keep("empty")],
  ]);
  const alice = t.emu.user("Alice");
  await alice.send("none");
  await alice.send("a");
  await alice.send("b");
  await waitUntil(() => started.length === 7);
  assert.deepEqual(started.filter((s) => s.startsWith("never")), []);
  assert.deepEqual(started.filter((s) => s.startsWith("tuple")), [
    "tuple:none",
  ]);
  assert.deepEqual(started.filter((s) => s.startsWith("object")), [
    "object:none",
    "object:a",
    "object:b",
  ]);
  assert.deepEqual(started.filter((s) => s.startsWith("empty")), [
    "empty:none",
    "empty:a",
    "empty:b",
  ]);
  assert.equal(t.bot.liveDelegates, 7);
  await t.close();
  assert.equal(t.bot.liveDelegates, 0);
});

Deno.test("DelegatorBot: payloads without a chat yield no seed, and nothing stalls", async () => {
  const started: string[] = [];
  await using t = startDelegator([[
    perChatId(),
    call(([, msg]) => void started.push(msg.text)),
  ]]);
  const alice = t.emu.user("Alice");
  await alice.inlineQuery("cats");
  t.emu.pushUpdate({ brand_new_kind: { whatever: true } });
  await alice.send("after");
  await waitUntil(() => started.length === 1);
  assert.deepEqual(started, ["after"]);
  assert.deepEqual(t.seen, []);
  await t.close();
});

Deno.test("DelegatorBot gives each delegate a signal that aborts when it ends", async () => {
  const signals: AbortSignal[] = [];
  let finish!: () => void;
  const working = new Promise<void>((r) => (finish = r));
  await using t = startDelegator([[
    perChatId(),
    call(async (_st, signal: AbortSignal) => {
      signals.push(signal);
      await working;
    }),
  ]]);
  await t.emu.user("Alice").send("x");
  await t.emu.user("Bob").send("y");
  await waitUntil(() => signals.length === 2);
  assert.notEqual(signals[0], signals[1], "each delegate has its own");
  assert.deepEqual(signals.map((s) => s.aborted), [false, false], "not before it ends");
  finish();
  await waitUntil(() => signals.every((s) => s.aborted));
  assert.ok(signals[0].aborted);
  assert.ok(signals[0].reason instanceof StopListening);
  assert.ok(signals[1].reason instanceof StopListening);
  await t.close();
});

Deno.test("DelegatorBot.stop() aborts delegates and waits for them", async () => {
  const ended: unknown[] = [];
  class Waiter extends ChatHandler {
    onChatMessage() {}
    override async onClose(reason: unknown) {
      await delay(10);
      ended.push(reason);
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Waiter)]]);
  for (const n of ["A", "B", "C"]) await t.emu.user(n).send("hi");
  await waitUntil(() => t.bot.liveDelegates === 3);
  await t.close();
  assert.equal(ended.length, 3, "stop() waited for every onClose");
  assert.ok(ended.every((r) => r instanceof StopListening));
});

Deno.test("DelegatorBot.stop() is bounded when a delegate ignores its signal", async () => {
  let stuck!: () => void;
  await using t = startDelegator(
    [[perChatId(), call(() => new Promise<void>((r) => (stuck = r)))]],
    { stopTimeout: 50 },
  );
  await t.emu.user("Alice").send("x");
  await waitUntil(() => t.bot.liveDelegates === 1);
  const t0 = performance.now();
  await t.close();
  assert.ok(performance.now() - t0 < 2000);
  assert.equal(t.seen.at(-1)?.ctx.source, "stop");
  stuck();
});

Deno.test("DelegatorBot prunes records: memory follows live seeds, not seeds ever seen", async () => {
  // Tuple seeds are kept by their records only: a seed still in memory after a full
  // garbage collection is a record the bot still holds.
  const seeds: WeakRef<object>[] = [];
  await using t = startDelegator([[
    (msg: { chat: { id: number } }) => {
      const seed = [msg.chat.id, "chat"];
      seeds.push(new WeakRef(seed));
      return seed;
    },
    call(async ([bot, msg], signal: AbortSignal) => {
      await bot.sendMessage(msg.chat.id, "hi");
      if (msg.text === "stay") await new Promise((r) => signal.addEventListener("abort", r));
    }),
  ]]);
  const users = Array.from({ length: 50 }, (_, i) => t.emu.user(`U${i}`));
  await Promise.all(users.map((u, i) => u.send(i === 0 ? "stay" : "x")));
  await Promise.all(users.map((u) => u.nextMessage()));
  await waitUntil(() => t.bot.liveDelegates === 1);
  assert.equal(seeds.length, 50);
  assert.equal(await stillHeld(seeds), 1, "only the live delegate's record is kept");
  await t.close();
});

Deno.test("DelegatorBot routes a chat's messages only to that chat's listener", async () => {
  const queued: string[] = [];
  const handled: string[] = [];
  class Routed extends ChatHandler {
    count = 0;
    constructor(st: SeedTuple) {
      super(st);
      const queue = this.listener.queue;
      const put = queue.put.bind(queue);
      queue.put = (msg: unknown) => {
        queued.push(`${this.chatId}<-${(msg as { text: string }).text}`);
        put(msg);
      };
    }
    async onChatMessage(msg: { text: string }) {
      handled.push(`${this.chatId}<-${msg.text}`);
      await this.sender.sendMessage(String(++this.count));
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Routed)]]);
  const alice = t.emu.user("Alice");
  const bob = t.emu.user("Bob");
  for (const [u, text] of [[alice, "a1"], [bob, "b1"], [alice, "a2"], [bob, "b2"]] as const) {
    await u.send(text);
    await u.nextMessage();
  }
  assert.equal(t.bot.mic.size, 2);
  const [a, b] = [alice.id, bob.id];
  assert.deepEqual(handled, [`${a}<-a1`, `${b}<-b1`, `${a}<-a2`, `${b}<-b2`]);
  assert.deepEqual(queued, [`${a}<-a2`, `${b}<-b2`], "the microphone fed each queue its chat only");
  assert.deepEqual(texts(alice.received()), ["1", "2"]);
  assert.deepEqual(texts(bob.received()), ["1", "2"]);
  await t.close();
});

Deno.test("DelegatorBot dispatch cost follows matching listeners, not live ones", async () => {
  let checks = 0;
  const seen: number[] = [];
  class Counted extends ChatHandler {
    constructor(st: SeedTuple) {
      super(st, { includeCallbackQuery: false });
      this.listener.clearCaptures();
      this.listener.capture({
        chat__id: this.chatId,
        _: () => (checks++, true),
      });
    }
    onChatMessage(msg: { chat: { id: number } }) {
      seen.push(msg.chat.id);
    }
  }
  const bot = new DelegatorBot("1:a", [[perChatId(), createOpen(Counted)]]);
  const msg = (id: number) => ({
    message_id: id,
    date: 0,
    chat: { id, type: "private" },
    text: "x",
  });
  for (let id = 1; id <= 1000; id++) bot.handle(msg(id));
  await waitUntil(() => seen.length === 1000);
  checks = 0;
  bot.handle(msg(500));
  bot.handle(msg(7));
  await waitUntil(() => seen.length === 1002);
  assert.equal(
    checks,
    2,
    "each message was tested against one listener, not 1,000",
  );
  assert.deepEqual(seen.slice(-2), [500, 7]);
  await bot.stop();
});

Deno.test("DelegatorBot seeds inline queries per sender", async () => {
  const seeds: unknown[] = [];
  await using t = startDelegator([[
    perInlineFromId(),
    call(async ([bot, q, seed]) => {
      seeds.push(seed);
      await bot.answerInlineQuery(q.id, []);
    }),
  ]]);
  const alice = t.emu.user("Alice");
  const bob = t.emu.user("Bob");
  await alice.send("not inline");
  await alice.inlineQuery("x");
  await waitUntil(() => seeds.length === 1);
  await bob.inlineQuery("y");
  await waitUntil(() => seeds.length === 2);
  assert.deepEqual(seeds, [alice.id, bob.id]);
  await t.close();
});

Deno.test("DelegatorBot: a Monitor per application sees every chat", async () => {
  const seen: string[] = [];
  await using t = startDelegator([[
    perApplication(),
    call(async ([bot], signal: AbortSignal) => {
      const listener = bot.createListener();
      listener.capture({ _: () => true });
      try {
        for (;;) seen.push((await listener.wait(signal)).text);
      } catch { /* stopped */ }
    }),
  ]]);
  for (const n of ["A", "B", "C"]) await t.emu.user(n).send(`from ${n}`);
  await waitUntil(() => seen.length === 2);
  assert.deepEqual(seen, ["from B", "from C"], "the first message started it");
  assert.equal(t.bot.liveDelegates, 1);
  await t.close();
});

Deno.test("SpeakerBot broadcasts updates to its listeners", async () => {
  await using rig = emulatedBot({}, undefined, SpeakerBot);
  const { emu, bot } = rig;
  const listener = bot.createListener();
  const everything = bot.createListener();
  const alice = emu.user("Alice");
  listener.capture({ chat__id: alice.id, text: /^\d+$/ });
  everything.capture({ _: () => true });
  everything.setOptions({ timeout: 5 });
  const running = bot.messageLoop(undefined, { timeout: 5 });
  await alice.send("not a number");
  await alice.send("42");
  const msg = await listener.wait();
  assert.equal(msg.text, "42");
  assert.deepEqual(
    [(await everything.wait()).text, (await everything.wait()).text],
    ["not a number", "42"],
    "every listener hears every update",
  );
  listener.close();
  everything.close();
  assert.equal(bot.mic.size, 0);
  await bot.stop();
  await running;
});

Deno.test("DelegatorBot rejects malformed patterns", () => {
  assert.throws(
    () => new DelegatorBot("1:a", [[perChatId(), "nope" as never]]),
    TypeError,
  );
});
