// Bot's side of the update loop: messageLoop() / notifyOnMessage() wiring, handle() as
// the default handler, stop(). (The loop itself is tested in the loop's own tests.)
import assert from "node:assert/strict";
import { Emulator } from "../testing.ts";
import { Bot, type Update } from "../mod.ts";
import { onEmulator, openEmulator } from "./_harness.ts";

class EchoBot extends Bot {
  readonly seen: [unknown, number][] = [];
  override async handle(
    msg: { chat: { id: number }; text?: string },
    update?: Update,
  ) {
    this.seen.push([msg.text, update!.update_id]);
    if (msg.text) await this.sendMessage(msg.chat.id, `echo: ${msg.text}`);
  }
}

Deno.test("messageLoop() hands every update to handle() by default; stop() ends it", async () => {
  const emu = new Emulator();
  try {
    const bot = new EchoBot(emu.token, onEmulator(emu));
    const alice = emu.user("Alice");
    const running = bot.messageLoop(undefined, { timeout: 1 });
    await alice.send("one");
    assert.equal((await alice.nextMessage()).text, "echo: one");
    await alice.send("two");
    assert.equal((await alice.nextMessage()).text, "echo: two");
    await bot.stop();
    await running;
    assert.deepEqual(bot.seen.map(([text]) => text), ["one", "two"]);
    assert.ok(bot.seen[1][1] > bot.seen[0][1]);
  } finally {
    await emu.close();
  }
});

Deno.test("notifyOnMessage() takes a handler with (msg, update) and stops like messageLoop()", async () => {
  const emu = new Emulator();
  try {
    const bot = new Bot(emu.token, onEmulator(emu));
    const alice = emu.user("Alice");
    const got: string[] = [];
    let resolve!: () => void;
    const first = new Promise<void>((r) => (resolve = r));
    const running = bot.notifyOnMessage((msg, update) => {
      got.push(`${update.update_id > 0}:${msg.text}`);
      resolve();
    }, { timeout: 1 });
    await alice.send("hi");
    await first;
    await bot.stop();
    await running;
    assert.deepEqual(got, ["true:hi"]);
  } finally {
    await emu.close();
  }
});

Deno.test("stop() without a running loop resolves; Bot.handle() does nothing", async () => {
  const bot = new Bot("1:x", {
    fetch: () => Promise.reject(new Error("no network")),
  });
  await bot.stop();
  assert.equal(bot.handle({}), undefined);
});

Deno.test("messageLoop() refuses a second loop while one is running", async () => {
  await using rig = openEmulator();
  const emulator = rig.emu;
  const bot = new Bot(emulator.token, onEmulator(emulator));
  const first = bot.messageLoop(() => {}, { timeout: 1 });
  rig.defer(() => bot.stop());
  await assert.rejects(bot.messageLoop(() => {}), /already running/);
  await bot.stop();
  await first;
  await emulator.close();
});
