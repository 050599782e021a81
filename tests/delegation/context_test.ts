// ChatContext and UserContext: each a ListenerContext with a Sender bound to its chat (a
// user's private chat has the user's id), the id defaulting to the context id.
import assert from "node:assert/strict";
import { ChatContext, ListenerContext, Sender, UserContext } from "../../helper.ts";
import { SpeakerBot } from "../../mod.ts";
import { Emulator } from "../../testing.ts";

Deno.test("ChatContext and UserContext bind a sender to their chat, by default the context id", () => {
  const bot = new SpeakerBot("1:a");
  const chat = new ChatContext(bot, -100);
  const group = new ChatContext(bot, "seed", "@channel");
  const user = new UserContext(bot, 7);
  const other = new UserContext(bot, "seed", 8);
  try {
    assert.deepEqual([chat.id, chat.chatId, chat.sender.chatId], [-100, -100, -100]);
    assert.deepEqual([group.id, group.chatId, group.sender.chatId], [
      "seed",
      "@channel",
      "@channel",
    ]);
    assert.deepEqual([user.id, user.userId, user.sender.chatId], [7, 7, 7]);
    assert.deepEqual([other.id, other.userId, other.sender.chatId], ["seed", 8, 8]);
    for (const ctx of [chat, group, user, other]) {
      assert.ok(ctx instanceof ListenerContext);
      assert.ok(ctx.sender instanceof Sender);
      assert.equal(ctx.bot, bot);
      assert.notEqual(ctx.listener, undefined);
      assert.equal(ctx.signal.aborted, false);
    }
    assert.notEqual(chat.listener, user.listener, "a listener each");
    assert.ok(chat instanceof ChatContext && !(chat instanceof UserContext));
    assert.ok(user instanceof UserContext && !(user instanceof ChatContext));
  } finally {
    for (const ctx of [chat, group, user, other]) ctx.listener.close();
  }
});

Deno.test("A UserContext's sender writes to the user's private chat", async () => {
  const emu = new Emulator();
  const bot = new SpeakerBot(emu.token, { fetch: emu.fetch, apiRoot: emu.apiRoot });
  const alice = emu.user("Alice");
  const ctx = new UserContext(bot, "seed", alice.id);
  try {
    const sent = await ctx.sender.sendMessage("hi");
    assert.equal(sent.chat.id, alice.id);
    assert.deepEqual(alice.received().map((m) => m.text), ["hi"]);
  } finally {
    ctx.listener.close();
    await emu.close();
  }
});
