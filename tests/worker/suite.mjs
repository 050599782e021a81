// Cloudflare Workers: the Worker of tests/worker/worker.mjs, bundled by esbuild with the npm
// build (webhookCallback and the core), runs in workerd (Cloudflare's runtime) through
// miniflare. The emulator (the npm build, under Node) delivers updates to it over HTTP with the
// secret token, and the Worker answers through the emulator's Bot API. Run with `node --test` by
// tests/runtimes_test.ts, which sets WORKER_BUNDLE to the bundled Worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { Miniflare } from "miniflare";
import { Bot } from "telepot";
import { Emulator } from "telepot/testing";

const BUNDLE = process.env.WORKER_BUNDLE;
const SECRET = "worker_secret-7";

async function start() {
  assert.ok(BUNDLE, "WORKER_BUNDLE must name the bundled Worker");
  const emu = new Emulator();
  let mf;
  try {
    const api = await emu.serve();
    mf = new Miniflare({
      modules: true,
      script: await readFile(BUNDLE, "utf8"),
      compatibilityDate: "2025-09-01",
      bindings: { BOT_TOKEN: emu.token, API_ROOT: api.apiRoot, SECRET },
      host: "127.0.0.1",
      port: 0,
    });
    const base = await mf.ready;
    // A bot on the Node side only to call setWebhook, as a deploy script would.
    const admin = new Bot(emu.token, { apiRoot: api.apiRoot });
    return {
      emu,
      admin,
      url: (path) => new URL(path, base).href,
      async close() {
        await emu.close();
        await mf.dispose();
      },
    };
  } catch (err) {
    await emu.close();
    await mf?.dispose().catch(() => {});
    throw err;
  }
}

test("a Worker in workerd answers webhook updates through the Bot API (echo)", {
  timeout: 60_000,
}, async () => {
  const w = await start();
  try {
    assert.equal(
      await w.admin.setWebhook(w.url("/echo"), { secret_token: SECRET }),
      true,
    );
    const alice = w.emu.user("Alice");
    const bob = w.emu.user("Bob");
    await alice.send("hello from alice");
    assert.equal(
      (await alice.nextMessage({ timeout: 10_000 })).text,
      "worker: hello from alice",
    );
    await bob.send("and bob");
    assert.equal(
      (await bob.nextMessage({ timeout: 10_000 })).text,
      "worker: and bob",
    );
    await w.emu.webhookIdle();
    const info = await w.admin.getWebhookInfo();
    assert.equal(info.pending_update_count, 0);
    assert.equal(info.last_error_message, undefined);
    // The Worker turns away a request without the secret, and handles nothing.
    const sent = w.emu.calls.filter((c) => c.method === "sendMessage").length;
    const forged = await fetch(w.url("/echo"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        update_id: 99,
        message: {
          message_id: 9,
          date: 0,
          chat: { id: alice.id, type: "private" },
          text: "x",
        },
      }),
    });
    assert.equal(forged.status, 401);
    await forged.arrayBuffer();
    assert.equal(
      w.emu.calls.filter((c) => c.method === "sendMessage").length,
      sent,
    );
  } finally {
    await w.close();
  }
});

test("a Worker in workerd runs DelegatorBot delegates per chat (counter)", {
  timeout: 60_000,
}, async () => {
  const w = await start();
  try {
    assert.equal(
      await w.admin.setWebhook(w.url("/counter"), { secret_token: SECRET }),
      true,
    );
    const alice = w.emu.user("Alice");
    const bob = w.emu.user("Bob");
    for (let i = 1; i <= 3; i++) {
      await alice.send(`a${i}`);
      assert.equal(
        (await alice.nextMessage({ timeout: 10_000 })).text,
        `count ${i}`,
      );
    }
    await bob.send("b1");
    assert.equal((await bob.nextMessage({ timeout: 10_000 })).text, "count 1");
  } finally {
    await w.close();
  }
});
