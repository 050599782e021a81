import assert from "node:assert/strict";
import { SpeakerBot } from "../../src/delegation/delegator.ts";
import {
  call,
  createOpen,
  createRun,
  perApplication,
  perCallbackQueryChatId,
  perChatId,
  perFromId,
  runOpenable,
} from "../../delegate.ts";
import { isNormalClose } from "../../src/delegation/factories.ts";
import {
  ChatContext,
  ChatHandler,
  ListenerContext,
  Monitor,
  openable,
  type SeedTuple,
  StopListening,
  UserHandler,
  WaitTooLong,
} from "../../helper.ts";

import { emulatedBot, startDelegator, waitUntil } from "../_harness.ts";

const keyboard = (data: string) => ({
  reply_markup: { inline_keyboard: [[{ text: data, callback_data: data }]] },
});

Deno.test("ChatHandler routes chat messages, edits and button presses of its chat", async () => {
  const log: string[] = [];
  class Router extends ChatHandler {
    async onChatMessage(msg: { text: string }) {
      log.push(`chat ${msg.text}`);
      if (msg.text === "menu") {
        await this.sender.sendMessage("pick", keyboard("A"));
      }
    }
    onEditedChatMessage(msg: { text: string }) {
      log.push(`edited ${msg.text}`);
    }
    async onCallbackQuery(q: { id: string; data: string }) {
      log.push(`button ${q.data}`);
      await this.sender.sendMessage(`pressed ${q.data}`);
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Router)]]);
  const alice = t.emu.user("Alice");
  const sent = await alice.send("menu");
  const menu = await alice.nextMessage();
  await alice.edit(sent, "menu!");
  await alice.pressButton(menu, "A");
  assert.equal((await alice.nextMessage()).text, "pressed A");
  assert.deepEqual(log, ["chat menu", "edited menu!", "button A"]);
  await t.close();
  assert.deepEqual(t.seen, []);
});

Deno.test("ChatHandler.open() returning true consumes the first message", async () => {
  const log: string[] = [];
  class Greeter extends ChatHandler {
    override async open(msg: { text: string }, seed: unknown) {
      log.push(`open ${msg.text} ${seed === this.chatId}`);
      await this.sender.sendMessage("welcome");
      return true;
    }
    onChatMessage(msg: { text: string }) {
      log.push(`msg ${msg.text}`);
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Greeter)]]);
  const alice = t.emu.user("Alice");
  await alice.send("first");
  assert.equal((await alice.nextMessage()).text, "welcome");
  await alice.send("second");
  await waitUntil(() => log.length === 2);
  assert.deepEqual(log, ["open first true", "msg second"]);
  await t.close();
});

Deno.test("ChatHandler.close() ends it after the current message with StopListening", async () => {
  const reasons: unknown[] = [];
  class Once extends ChatHandler {
    async onChatMessage() {
      await this.sender.sendMessage("once");
      this.close("done");
    }
    override onClose(reason: unknown) {
      reasons.push(reason);
    }
  }
  await using t = startDelegator([[perChatId(), createOpen(Once)]]);
  const alice = t.emu.user("Alice");
  await alice.send("a");
  await alice.nextMessage();
  await waitUntil(() => reasons.length === 1);
  assert.ok(reasons[0] instanceof StopListening);
  assert.equal((reasons[0] as StopListening).reason, "done");
  assert.equal(t.bot.liveDelegates, 0);
  await t.close();
  assert.deepEqual(t.seen, [], "a normal close is not reported");
});

Deno.test("ChatHandler takes a plain number as timeout and needs a chat", async () => {
  await using rig = emulatedBot({}, undefined, SpeakerBot);
  const { bot } = rig;
  const h = new ChatHandler([bot, { chat: { id: 5 } }, 5], 3);
  assert.deepEqual(h.listener.getOptions(), { timeout: 3 });
  assert.equal(h.chatId, 5);
  assert.equal(h.id, 5);
  assert.equal(
    h.listener.listCaptures().length,
    2,
    "its chat + button presses in it",
  );
  h.listener.close();
  const noButtons = new ChatHandler([bot, { chat: { id: 5 } }, 5], {
    includeCallbackQuery: false,
  });
  assert.equal(noButtons.listener.listCaptures().length, 1);
  noButtons.listener.close();
  assert.throws(() => new ChatHandler([bot, { id: "inline" }, 1]), TypeError);
});

Deno.test("a ChatHandler seeded by a button press takes its chat from the message", async () => {
  const log: string[] = [];
  class Buttons extends ChatHandler {
    async onCallbackQuery(q: { id: string; data: string }) {
      log.push(`${this.chatId}:${q.data}`);
      await this.sender.sendMessage("ok");
    }
  }
  await using t = startDelegator([[perCallbackQueryChatId(), createOpen(Buttons)]]);
  const alice = t.emu.user("Alice");
  await t.bot.sendMessage(alice.id, "pick", keyboard("X"));
  const msg = await alice.nextMessage();
  await alice.pressButton(msg, "X");
  assert.equal((await alice.nextMessage()).text, "ok");
  assert.deepEqual(log, [`${alice.id}:X`]);
  await t.close();
});

Deno.test("UserHandler follows a user across chats; kinds narrows it", async () => {
  const log: string[] = [];
  class Follower extends UserHandler {
    onChatMessage(msg: { text: string; chat: { id: number } }) {
      log.push(
        `${msg.chat.id === this.userId ? "private" : "group"} ${msg.text}`,
      );
    }
    async onInlineQuery(q: { id: string; query: string }) {
      log.push(`inline ${q.query}`);
      await this.bot.answerInlineQuery(q.id, []);
    }
  }
  await using t = startDelegator([[
    perFromId(),
    createOpen(Follower, { kinds: ["message"] }),
  ]]);
  const alice = t.emu.user("Alice");
  const group = t.emu.group("G", [alice]);
  await alice.send("one");
  await alice.send("two", { chat: group });
  await waitUntil(() => log.length === 2);
  assert.deepEqual(log, ["private one", "group two"]);
  await t.close();
});

Deno.test("Monitor sees what its criteria capture, from every chat", async () => {
  const seen: string[] = [];
  class Watcher extends Monitor {
    onChatMessage(msg: { text: string }) {
      seen.push(msg.text);
    }
  }
  await using t = startDelegator([[
    perApplication(),
    createOpen(Watcher, { capture: [{ text: /^#/ }] }),
  ]]);
  await t.emu.user("A").send("#first");
  await t.emu.user("B").send("plain");
  await t.emu.user("C").send("#third");
  await waitUntil(() => seen.length === 2);
  assert.deepEqual(
    seen,
    ["#first", "#third"],
    "open() did not consume the first; it was routed",
  );
  await t.close();
});

Deno.test("createRun() runs run(signal) of a new instance; the instance has the signal", async () => {
  const log: string[] = [];
  class Job extends ChatHandler {
    constructor(st: SeedTuple, readonly greeting: string) {
      super(st);
    }
    async run(signal: AbortSignal) {
      log.push(`${this.greeting} ${signal === this.signal}`);
      await this.sender.sendMessage(this.greeting);
    }
  }
  await using t = startDelegator([[perChatId(), createRun(Job, "hello")]]);
  const alice = t.emu.user("Alice");
  await alice.send("x");
  assert.equal((await alice.nextMessage()).text, "hello");
  assert.deepEqual(log, ["hello true"]);
  await t.close();
});

Deno.test("call() passes extra arguments, then the signal", async () => {
  const got: unknown[] = [];
  await using t = startDelegator([[
    perChatId(),
    call(
      (st: SeedTuple, a: number, b: string, signal: AbortSignal) => {
        got.push(st[2], a, b, signal instanceof AbortSignal);
      },
      1,
      "two",
    ),
  ]]);
  const alice = t.emu.user("Alice");
  await alice.send("x");
  await waitUntil(() => got.length === 4);
  assert.deepEqual(got, [alice.id, 1, "two", true]);
  await t.close();
});

Deno.test("openable() fills open/onMessage/onClose/close on a context class", async () => {
  const Echo = openable(
    class extends ChatContext {
      constructor(st: SeedTuple) {
        super(st[0], st[2], st[1].chat.id);
        this.listener.capture({ chat__id: this.chatId });
      }
      async onChatMessage(msg: { text: string }) {
        await this.sender.sendMessage(`echo ${msg.text}`);
        if (msg.text === "stop") (this as unknown as { close(): void }).close();
      }
    },
  );
  const proto = Echo.prototype as unknown as Record<string, unknown>;
  for (const name of ["open", "onMessage", "onClose", "close"]) {
    assert.equal(typeof proto[name], "function", name);
  }
  await using t = startDelegator([[perChatId(), createOpen(Echo as never)]]);
  const alice = t.emu.user("Alice");
  await alice.send("hi");
  assert.equal((await alice.nextMessage()).text, "echo hi");
  await alice.send("stop");
  assert.equal((await alice.nextMessage()).text, "echo stop");
  await waitUntil(() => t.bot.liveDelegates === 0);
  await t.close();
});

Deno.test("openable() keeps methods the class defines", () => {
  class Own {
    onClose() {
      return "mine";
    }
  }
  openable(Own);
  assert.equal(new Own().onClose(), "mine");
});

Deno.test("runOpenable() re-throws accidents after onClose, and both when onClose fails too", async () => {
  await using rig = emulatedBot({}, undefined, SpeakerBot);
  const { bot } = rig;
  const controller = new AbortController();
  const closed: unknown[] = [];
  const job = {
    listener: bot.createListener(),
    onMessage() {
      throw new Error("accident");
    },
    onClose(reason: unknown) {
      closed.push(reason);
    },
  };
  await assert.rejects(
    runOpenable(job, [bot, { chat: { id: 1 } }, 1], controller.signal),
    /accident/,
  );
  assert.equal((closed[0] as Error).message, "accident");
  assert.ok(job.listener.closed, "the listener closes before onClose");
  const worse = {
    listener: bot.createListener(),
    onMessage() {
      throw new Error("accident");
    },
    onClose() {
      throw new Error("close failed");
    },
  };
  await assert.rejects(
    runOpenable(worse, [bot, {}, 1], controller.signal),
    (err: unknown) => err instanceof AggregateError && err.errors.length === 2,
  );
});

Deno.test("isNormalClose() accepts idle, close and stop; not accidents", () => {
  const c = new AbortController();
  c.abort(new Error("stop"));
  assert.ok(isNormalClose(new WaitTooLong(1)));
  assert.ok(isNormalClose(new StopListening()));
  assert.ok(isNormalClose(c.signal.reason, c.signal));
  assert.ok(!isNormalClose(new Error("x"), c.signal));
});

Deno.test("ListenerContext.signal never aborts until a delegate attaches one", async () => {
  await using rig = emulatedBot({}, undefined, SpeakerBot);
  const { bot } = rig;
  const ctx = new ListenerContext(bot, "id");
  assert.equal(ctx.signal.aborted, false);
  assert.equal(ctx.id, "id");
  ctx.listener.close();
});

Deno.test("ChatHandler, UserHandler and Monitor share one copy of the defaults; subclasses override them and call super", async () => {
  for (const name of ["open", "onMessage", "onClose", "close"]) {
    const shared = (ChatHandler.prototype as unknown as Record<string, unknown>)[name];
    assert.equal(typeof shared, "function", name);
    assert.equal((UserHandler.prototype as unknown as Record<string, unknown>)[name], shared, name);
    assert.equal((Monitor.prototype as unknown as Record<string, unknown>)[name], shared, name);
  }
  const bot = new SpeakerBot("123:abc");
  const seen: unknown[] = [];
  class Routed extends ChatHandler {
    override open(msg: unknown, seed: unknown) {
      seen.push("open");
      return super.open(msg, seed);
    }
    override onMessage(msg: unknown) {
      seen.push("onMessage");
      return super.onMessage(msg);
    }
    onChatMessage(msg: { text: string }) {
      seen.push(msg.text);
      return "routed";
    }
  }
  const msg = { message_id: 1, date: 0, chat: { id: 5, type: "private" }, text: "hi" };
  const handler = new Routed([bot, msg, 5]);
  assert.equal(handler.open(msg, 5), undefined);
  assert.equal(handler.onMessage(msg), "routed");
  assert.equal(handler.onClose(new StopListening()), undefined);
  handler.close("done");
  assert.ok(handler.listener.closed);
  await assert.rejects(
    handler.listener.wait(),
    (err: unknown) => err instanceof StopListening && /done/.test(err.message),
  );
  assert.deepEqual(seen, ["open", "onMessage", "hi"]);
  const user = new UserHandler([bot, { from: { id: 7 } }, 7]);
  user.close();
  assert.ok(user.listener.closed);
});
