import assert from "node:assert/strict";
import { Bot } from "../../mod.ts";
import { Sender } from "../../helper.ts";
import { SENDER_METHODS } from "../../src/delegation/sender_methods.ts";
import { METHODS } from "../../src/gen/spec.ts";
import { onEmulator, openEmulator } from "../_harness.ts";

Deno.test("SENDER_METHODS lists every chat-addressed send/forward/copy method of the spec", () => {
  const expected: Record<string, number> = {};
  for (const [name, fact] of Object.entries(METHODS)) {
    if (!/^(send|forward|copy)/.test(name)) continue;
    const required = fact.params.filter((p) => p[2]).map((p) => p[0]);
    const at = required.indexOf("chat_id");
    if (at >= 0) expected[name] = at;
  }
  assert.deepEqual(
    { ...SENDER_METHODS },
    expected,
    "update the hand-kept list in src/delegation/sender_methods.ts to match src/gen/spec.ts",
  );
});

Deno.test("Sender has every listed method, bound to the chat", () => {
  const sender = new Sender(new Bot("1:a"), 42);
  for (const name of Object.keys(SENDER_METHODS)) {
    assert.equal(
      typeof (sender as unknown as Record<string, unknown>)[name],
      "function",
      name,
    );
  }
  assert.equal(sender.chatId, 42);
});

Deno.test("Sender.sendMessage() sends to its chat with the options passed through", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const bot = new Bot(emu.token, onEmulator(emu));
  const alice = emu.user("Alice");
  const sender = new Sender(bot, alice.id);
  const sent = await sender.sendMessage("*hi*", { parse_mode: "MarkdownV2" });
  assert.equal(sent.chat.id, alice.id);
  const got = await alice.nextMessage();
  assert.equal(got.text, "hi");
  await sender.sendChatAction("typing");
  assert.deepEqual(emu.chatActions(alice.id), ["typing"]);
  await sender.forwardMessage(alice.id, got.message_id).catch(() => {});
  const fwd = emu.calls.find((c) => c.method === "forwardMessage")!;
  assert.deepEqual(
    [fwd.params.chat_id, fwd.params.from_chat_id, fwd.params.message_id],
    [alice.id, alice.id, got.message_id],
  );
  await emu.close();
});

Deno.test("Sender puts the chat id where the method wants it (sendChecklist: second)", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const bot = new Bot(emu.token, onEmulator(emu));
  const sender = new Sender(bot, 77);
  await sender.sendChecklist("biz-1", {
    title: "todo",
    tasks: [{ id: 1, text: "a" }],
  }).catch(
    () => {},
  );
  const call = emu.calls.find((c) => c.method === "sendChecklist")!;
  assert.equal(call.params.business_connection_id, "biz-1");
  assert.equal(call.params.chat_id, 77);
  await emu.close();
});

Deno.test("Sender fails clearly when the bot lacks a method", () => {
  const sender = new Sender({} as Bot, 1);
  assert.throws(
    () => sender.sendMessage("x"),
    /sendMessage: this bot has no such method/,
  );
});
