// A third-party client works against the emulator unchanged: a grammY echo bot, pointed
// at serve()'s apiRoot, answers users' messages.
import assert from "node:assert/strict";
import { Bot } from "grammy";
import { Emulator } from "../../testing.ts";

Deno.test("serve() runs a grammY echo bot that answers users", async () => {
  const emu = new Emulator();
  const srv = await emu.serve();
  const bot = new Bot(emu.token, { client: { apiRoot: srv.apiRoot } });
  bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
  let started!: () => void;
  const ready = new Promise<void>((r) => started = r);
  // drop_pending_updates drops what users sent before the bot was up, as in Telegram
  const running = bot.start({
    drop_pending_updates: true,
    timeout: 1,
    onStart: () => started(),
  });
  try {
    await ready;
    const alice = emu.user("Alice");
    const bob = emu.user("Bob");
    await alice.send("hello");
    await bob.send("/start");
    assert.equal(
      (await alice.nextMessage({ timeout: 5000 })).text,
      "echo: hello",
    );
    assert.equal(
      (await bob.nextMessage({ timeout: 5000 })).text,
      "echo: /start",
    );
    await alice.send("again");
    const reply = await alice.nextMessage({ timeout: 5000 });
    assert.equal(reply.text, "echo: again");
    assert.equal(reply.chat.id, alice.id);
    assert.ok(emu.calls.some((c) => c.method === "getMe"));
  } finally {
    await bot.stop();
    await running;
    await emu.close();
  }
});

Deno.test("Emulator.fetch serves grammY in-process through a custom fetch", async () => {
  const emu = new Emulator();
  const bot = new Bot(emu.token, {
    client: {
      apiRoot: emu.apiRoot,
      fetch: emu.fetch as unknown as typeof fetch,
    },
  });
  bot.command("start", (ctx) => ctx.reply(`hi ${ctx.from?.first_name}`));
  const running = bot.start({ timeout: 1 });
  try {
    const carol = emu.user("Carol");
    await carol.send("/start");
    assert.equal((await carol.nextMessage({ timeout: 5000 })).text, "hi Carol");
  } finally {
    await bot.stop();
    await running;
    await emu.close();
  }
});
