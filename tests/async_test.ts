import assert from "node:assert/strict";
import * as telepotAsync from "../async.ts";
import * as mod from "../mod.ts";
import * as helper from "../helper.ts";
import * as delegate from "../delegate.ts";
import { onEmulator, openEmulator } from "./_harness.ts";

Deno.test("async.ts exposes mod.ts's names and helper/delegate as namespaces", () => {
  for (const name of Object.keys(mod)) {
    assert.equal(
      (telepotAsync as Record<string, unknown>)[name],
      (mod as Record<string, unknown>)[name],
      name,
    );
  }
  assert.equal(telepotAsync.helper.ChatHandler, helper.ChatHandler);
  assert.equal(telepotAsync.delegate.createOpen, delegate.createOpen);
  assert.equal(telepotAsync.DelegatorBot, mod.DelegatorBot);
});

Deno.test("code written against async.ts runs a delegating bot", async () => {
  const { DelegatorBot, helper: h, delegate: d } = telepotAsync;
  class Echo extends h.ChatHandler {
    async onChatMessage(msg: { text: string }) {
      await this.sender.sendMessage(msg.text.toUpperCase());
    }
  }
  await using rig = openEmulator();
  const emu = rig.emu;
  const bot = new DelegatorBot(emu.token, [[
    d.perChatId(),
    d.createOpen(Echo, { timeout: 5 }),
  ]], onEmulator(emu));
  const running = bot.notifyOnMessage(undefined, { timeout: 5 });
  rig.defer(() => bot.stop());
  const alice = emu.user("Alice");
  await alice.send("hello");
  assert.equal((await alice.nextMessage()).text, "HELLO");
  await bot.stop();
  await running;
  await emu.close();
});
