import assert from "node:assert/strict";
import { Emulator } from "../testing.ts";
import { serveWebhook } from "../examples/webhook.ts";
import { onEmulator } from "./_harness.ts";

Deno.test("examples/webhook counts per chat on a webhook the emulator POSTs to over HTTP", async () => {
  const emu = new Emulator();
  const running = await serveWebhook(emu.token, onEmulator(emu, { port: 0 }));
  try {
    const set = emu.calls.find((c) => c.method === "setWebhook")!;
    assert.equal(set.params.url, running.url);
    assert.equal(set.params.secret_token, running.secretToken);
    assert.equal(set.params.drop_pending_updates, true);
    assert.deepEqual(set.params.allowed_updates, ["message", "callback_query"]);

    const alice = emu.user("Alice");
    const bob = emu.user("Bob");
    for (const expected of ["1", "2", "3"]) {
      await alice.send("hi");
      assert.equal((await alice.nextMessage()).text, expected);
    }
    await bob.send("hello");
    assert.equal((await bob.nextMessage()).text, "1");

    // Only Telegram knows the secret: a forged update is refused and not counted.
    const forged = await fetch(running.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        update_id: 1000,
        message: { message_id: 1, date: 0, chat: { id: alice.id, type: "private" }, text: "x" },
      }),
    });
    assert.equal(forged.status, 401);
    await forged.body?.cancel();
    await alice.send("again");
    assert.equal((await alice.nextMessage()).text, "4");
  } finally {
    await running.close();
  }
  assert.equal(emu.calls.at(-1)?.method, "deleteWebhook");
  await emu.close();
});
