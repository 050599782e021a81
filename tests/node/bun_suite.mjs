// Bun only (run by tests/runtimes_test.ts with `bun test`, next to suite.mjs): webhookCallback
// served by Bun's own fetch-style server, Bun.serve, with no adapter in between.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Bot } from "telepot";
import { Emulator } from "telepot/testing";
import { webhookCallback } from "telepot/webhook";

class EchoBot extends Bot {
  async handle(msg) {
    if (msg.text) await this.sendMessage(msg.chat.id, `bun: ${msg.text}`);
  }
}

test(`[Bun ${globalThis.Bun?.version}] webhook on Bun.serve with a secret token`, {
  timeout: 20_000,
}, async () => {
  assert.ok(globalThis.Bun, "this suite runs on Bun");
  const emu = new Emulator();
  const api = await emu.serve();
  const bot = new EchoBot(emu.token, { apiRoot: api.apiRoot });
  const secret = "bun_secret-1";
  const server = globalThis.Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: webhookCallback(bot, { secretToken: secret }),
  });
  const url = `http://127.0.0.1:${server.port}/hook`;
  try {
    assert.equal(await bot.setWebhook(url, { secret_token: secret }), true);
    const alice = emu.user("Alice");
    await alice.send("served by Bun.serve");
    assert.equal((await alice.nextMessage()).text, "bun: served by Bun.serve");
    const forged = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ update_id: 5, message: { text: "x" } }),
    });
    assert.equal(forged.status, 401);
    await forged.arrayBuffer();
  } finally {
    await emu.close();
    server.stop(true);
  }
});
