// deno-lint-ignore-file no-explicit-any
// Webhooks: setWebhook / deleteWebhook / getWebhookInfo, delivery by POST with the secret
// header, bounded retries, a method call in the webhook's answer.
import assert from "node:assert/strict";
import { Emulator, type EmulatorOptions } from "../../testing.ts";

interface Receiver {
  url: string;
  hits: { secret: string | null; update: any }[];
  close(): Promise<void>;
}

/** A real HTTP webhook endpoint; `answer` decides each response. */
function receiver(answer: (n: number, update: any) => Response): Receiver {
  const hits: Receiver["hits"] = [];
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen() {} },
    async (req) => {
      const update = await req.json();
      hits.push({
        secret: req.headers.get("x-telegram-bot-api-secret-token"),
        update,
      });
      return answer(hits.length, update);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    hits,
    close: () => server.shutdown(),
  };
}

function api(emu: Emulator) {
  return async (method: string, params: Record<string, unknown> = {}) => {
    const res = await emu.fetch(`${emu.apiRoot}/bot${emu.token}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
    });
    return { status: res.status, body: await res.json() as any };
  };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const FAST: EmulatorOptions = { webhookRetryDelays: [20, 40] };

Deno.test("setWebhook delivers updates by POST with the secret token header", async () => {
  const hook = receiver(() => new Response("ok"));
  const emu = new Emulator(FAST);
  const call = api(emu);
  try {
    const set = await call("setWebhook", {
      url: hook.url,
      secret_token: "s3cr3t_-X",
    });
    assert.deepEqual(set.body, {
      ok: true,
      result: true,
      description: "Webhook was set",
    });
    const alice = emu.user("Alice");
    await alice.send("one");
    await alice.send("two");
    await until(() => hook.hits.length === 2);
    assert.deepEqual(hook.hits.map((h) => h.secret), [
      "s3cr3t_-X",
      "s3cr3t_-X",
    ]);
    assert.deepEqual(hook.hits.map((h) => h.update.message.text), [
      "one",
      "two",
    ]);
    assert.equal(
      hook.hits[1].update.update_id,
      hook.hits[0].update.update_id + 1,
    );
    await emu.webhookIdle();
    const info = (await call("getWebhookInfo")).body.result;
    assert.equal(info.url, hook.url);
    assert.equal(info.pending_update_count, 0);
    assert.equal(info.has_custom_certificate, false);
    assert.equal(info.max_connections, 40);
  } finally {
    await emu.close();
    await hook.close();
  }
});

Deno.test("webhook delivery retries a failing endpoint and records the error", async () => {
  const hook = receiver((n) => n <= 2 ? new Response("down", { status: 500 }) : new Response("ok"));
  const emu = new Emulator(FAST);
  const call = api(emu);
  try {
    await call("setWebhook", { url: hook.url });
    await emu.user("Alice").send("persistent");
    await until(() => hook.hits.length === 3);
    assert.ok(hook.hits.every((h) => h.update.message.text === "persistent"));
    await emu.webhookIdle();
    const info = (await call("getWebhookInfo")).body.result;
    assert.equal(info.pending_update_count, 0);
    assert.equal(
      info.last_error_message,
      "Wrong response from the webhook: 500 Internal Server Error",
    );
    assert.equal(typeof info.last_error_date, "number");
  } finally {
    await emu.close();
    await hook.close();
  }
});

Deno.test("webhook delivery gives up on an update after the bounded retries", async () => {
  const hook = receiver((_n, u) =>
    u.message.text === "poison" ? new Response("", { status: 502 }) : new Response("ok")
  );
  const emu = new Emulator(FAST);
  const call = api(emu);
  try {
    await call("setWebhook", { url: hook.url });
    const alice = emu.user("Alice");
    await alice.send("poison");
    await alice.send("fine");
    await until(() => hook.hits.some((h) => h.update.message.text === "fine"));
    assert.equal(
      hook.hits.filter((h) => h.update.message.text === "poison").length,
      3,
    );
    await emu.webhookIdle();
    assert.equal(emu.pendingUpdateCount, 0);
  } finally {
    await emu.close();
    await hook.close();
  }
});

Deno.test("webhook delivery reports an unreachable endpoint", async () => {
  const emu = new Emulator({
    webhookRetryDelays: [10],
    webhookFetch: () => Promise.reject(new TypeError("connection refused")),
  });
  const call = api(emu);
  try {
    await call("setWebhook", { url: "https://bot.example/hook" });
    await emu.user("Alice").send("hello");
    await until(() => emu.pendingUpdateCount === 0);
    const info = (await call("getWebhookInfo")).body.result;
    assert.equal(info.last_error_message, "Connection refused");
  } finally {
    await emu.close();
  }
});

Deno.test("a method call in the webhook's answer is executed", async () => {
  const hook = receiver((_n, u) =>
    Response.json({
      method: "sendMessage",
      chat_id: u.message.chat.id,
      text: `re: ${u.message.text}`,
    })
  );
  const emu = new Emulator(FAST);
  try {
    await api(emu)("setWebhook", { url: hook.url });
    const alice = emu.user("Alice");
    await alice.send("ping");
    assert.equal((await alice.nextMessage({ timeout: 3000 })).text, "re: ping");
  } finally {
    await emu.close();
    await hook.close();
  }
});

Deno.test("deleteWebhook keeps pending updates for getUpdates unless asked to drop them", async () => {
  const emu = new Emulator({
    webhookFetch: () => new Promise(() => {}),
    webhookTimeout: 60_000,
  });
  const call = api(emu);
  try {
    const alice = emu.user("Alice");
    // no webhook yet: updates wait in the queue
    await alice.send("kept");
    const del = await call("deleteWebhook");
    assert.deepEqual(del.body, {
      ok: true,
      result: true,
      description: "Webhook is already deleted",
    });
    assert.equal(
      (await call("getUpdates")).body.result[0].message.text,
      "kept",
    );
    await call("deleteWebhook", { drop_pending_updates: true });
    assert.deepEqual((await call("getUpdates")).body.result, []);
    await alice.send("dropped by setWebhook");
    await call("setWebhook", {
      url: "https://bot.example/x",
      drop_pending_updates: true,
    });
    assert.equal(
      (await call("getWebhookInfo")).body.result.pending_update_count,
      0,
    );
  } finally {
    await emu.close();
  }
});

Deno.test("setWebhook validates the URL and the secret token", async () => {
  const emu = new Emulator();
  const call = api(emu);
  try {
    assert.equal(
      (await call("setWebhook", {
        url: "https://x.example",
        secret_token: "bad token!",
      })).body
        .description,
      "Bad Request: secret token contains unallowed characters",
    );
    assert.equal(
      (await call("setWebhook", { url: "ftp://x.example" })).body.description,
      "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
    );
    assert.equal((await call("setWebhook", { url: "not a url" })).status, 400);
    const info = (await call("getWebhookInfo")).body.result;
    assert.deepEqual(info, {
      url: "",
      has_custom_certificate: false,
      pending_update_count: 0,
    });
  } finally {
    await emu.close();
  }
});
