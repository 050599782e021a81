// deno-lint-ignore-file no-explicit-any
// The emulator's core: routing, getMe, sendMessage, getUpdates (offset, limit, long
// polling, allowed_updates, 409s), users, calls, CORS — over injected fetch and real HTTP.
import assert from "node:assert/strict";
import { Emulator, type EmulatorOptions } from "../../testing.ts";
import { openEmulator, reachEmulator } from "../_harness.ts";

/** The bot sends `text` to `chatId` through the in-process Bot API. */
function botSends(emu: Emulator, chatId: number, text: string): Promise<unknown> {
  return emu.fetch(`${emu.apiRoot}/bot${emu.token}/sendMessage`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chat_id: chatId, text }),
  }).then((r) => r.json());
}

type Transport = "fetch" | "http";
const TRANSPORTS: Transport[] = ["fetch", "http"];

async function setup(transport: Transport, options?: EmulatorOptions) {
  const rig = await reachEmulator(transport, options);
  return Object.assign(rig, { call: rig.post });
}

for (const t of TRANSPORTS) {
  Deno.test(`[${t}] getMe returns the bot's User with Telegram's fields`, async () => {
    const { emu, call } = await setup(t, { botUsername: "echo_bot" });
    try {
      const { status, body } = await call("getMe");
      assert.equal(status, 200);
      assert.equal(body.ok, true);
      assert.equal(body.result.is_bot, true);
      assert.equal(body.result.username, "echo_bot");
      assert.equal(body.result.id, Number(emu.token.split(":")[0]));
      assert.equal(typeof body.result.can_join_groups, "boolean");
      assert.deepEqual(body.result, emu.bot);
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] handle() answers 401 for a wrong token and 404 for unknown methods`, async () => {
    const { emu, apiRoot, fetch: f } = await setup(t);
    try {
      const wrong = await f(`${apiRoot}/bot123:WRONG/getMe`);
      assert.equal(wrong.status, 401);
      assert.deepEqual(await wrong.json(), {
        ok: false,
        error_code: 401,
        description: "Unauthorized",
      });
      const unknown = await f(`${apiRoot}/bot${emu.token}/sendCarrierPigeon`);
      assert.equal(unknown.status, 404);
      assert.deepEqual(await unknown.json(), {
        ok: false,
        error_code: 404,
        description: "Not Found",
      });
      const elsewhere = await f(`${apiRoot}/nothing/here`);
      assert.equal(elsewhere.status, 404);
      await elsewhere.body?.cancel();
      assert.ok(!JSON.stringify(emu.calls).includes(emu.token));
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] handle() matches method names case-insensitively and reads GET queries`, async () => {
    const { emu, apiRoot, fetch: f } = await setup(t);
    try {
      const alice = emu.user("Alice");
      const res = await f(
        `${apiRoot}/bot${emu.token}/SENDMESSAGE?chat_id=${alice.id}&text=hey`,
      );
      const body = await res.json();
      assert.equal(res.status, 200);
      assert.equal(body.result.text, "hey");
      assert.equal(emu.calls.at(-1)?.method, "sendMessage");
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] sendMessage stores a Message with per-chat ids and returns it`, async () => {
    const { emu, call } = await setup(t);
    try {
      const alice = emu.user("Alice");
      const bob = emu.user("Bob");
      await alice.send("hello");
      const a1 = (await call("sendMessage", { chat_id: alice.id, text: "one" })).body
        .result;
      const a2 = (await call("sendMessage", { chat_id: alice.id, text: "two" })).body
        .result;
      const b1 = (await call("sendMessage", { chat_id: String(bob.id), text: "three" }))
        .body.result;
      assert.equal(a1.message_id, 2);
      assert.equal(a2.message_id, 3);
      assert.equal(b1.message_id, 1);
      // inside messages the bot is a plain User, without getMe's extra fields
      assert.deepEqual(a1.from, {
        id: emu.bot.id,
        is_bot: true,
        first_name: emu.bot.first_name,
        username: emu.bot.username,
      });
      assert.deepEqual(a1.chat, {
        id: alice.id,
        type: "private",
        first_name: "Alice",
      });
      assert.equal(typeof a1.date, "number");
      assert.deepEqual(alice.received().map((m) => m.text), ["one", "two"]);
      assert.deepEqual(emu.messages(alice.id).map((m) => m.text), [
        "hello",
        "one",
        "two",
      ]);
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] sendMessage answers Telegram's 400s`, async () => {
    const { emu, call } = await setup(t);
    try {
      const alice = emu.user("Alice");
      const missing = await call("sendMessage", { chat_id: 42, text: "x" });
      assert.equal(missing.status, 400);
      assert.deepEqual(missing.body, {
        ok: false,
        error_code: 400,
        description: "Bad Request: chat not found",
      });
      const long = await call("sendMessage", {
        chat_id: alice.id,
        text: "x".repeat(4097),
      });
      assert.equal(long.body.description, "Bad Request: message is too long");
      const blank = await call("sendMessage", {
        chat_id: alice.id,
        text: "   ",
      });
      assert.equal(
        blank.body.description,
        "Bad Request: message text is empty",
      );
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] getUpdates confirms by offset and honours limit`, async () => {
    const { emu, call } = await setup(t);
    try {
      const alice = emu.user("Alice");
      for (const text of ["a", "b", "c"]) await alice.send(text);
      const all = (await call("getUpdates")).body.result;
      assert.deepEqual(all.map((u: any) => u.message.text), ["a", "b", "c"]);
      assert.equal(all[1].update_id, all[0].update_id + 1);
      const again = (await call("getUpdates", { limit: 2 })).body.result;
      assert.deepEqual(again.map((u: any) => u.message.text), ["a", "b"]);
      const rest = (await call("getUpdates", { offset: all[1].update_id + 1 })).body
        .result;
      assert.deepEqual(rest.map((u: any) => u.message.text), ["c"]);
      const none = (await call("getUpdates", { offset: all[2].update_id + 1 })).body
        .result;
      assert.deepEqual(none, []);
      assert.equal(emu.pendingUpdateCount, 0);
      for (const text of ["d", "e", "f"]) await alice.send(text);
      const last = (await call("getUpdates", { offset: -1 })).body.result;
      assert.deepEqual(last.map((u: any) => u.message.text), ["f"]);
      assert.equal(emu.pendingUpdateCount, 1);
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] getUpdates long poll returns as soon as an update arrives`, async () => {
    const { emu, call } = await setup(t);
    try {
      const alice = emu.user("Alice");
      const started = Date.now();
      const poll = call("getUpdates", { timeout: 20 });
      setTimeout(() => alice.send("wake up"), 50);
      const { body } = await poll;
      assert.equal(body.result.length, 1);
      assert.equal(body.result[0].message.text, "wake up");
      assert.ok(
        Date.now() - started < 10_000,
        "the poll did not wait for its timeout",
      );
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] getUpdates long poll answers empty after its timeout`, async () => {
    const { emu, call } = await setup(t);
    try {
      const started = Date.now();
      const { body } = await call("getUpdates", { timeout: 1 });
      const elapsed = Date.now() - started;
      assert.deepEqual(body, { ok: true, result: [] });
      assert.ok(elapsed >= 950, `waited ${elapsed} ms`);
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] getUpdates answers 409 to the older of two concurrent polls`, async () => {
    const { emu, call } = await setup(t);
    try {
      const alice = emu.user("Alice");
      const first = call("getUpdates", { timeout: 30 });
      await new Promise((r) => setTimeout(r, 50));
      const second = call("getUpdates", { timeout: 30 });
      const old = await first;
      assert.equal(old.status, 409);
      assert.equal(
        old.body.description,
        "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
      );
      await alice.send("for the newer poll");
      const newer = await second;
      assert.equal(newer.body.result[0].message.text, "for the newer poll");
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] getUpdates answers 409 while a webhook is set`, async () => {
    const { emu, call } = await setup(t, {
      webhookFetch: () => Promise.resolve(new Response("")),
    });
    try {
      assert.equal(
        (await call("setWebhook", { url: "https://example.com/hook" })).body
          .result,
        true,
      );
      const res = await call("getUpdates");
      assert.equal(res.status, 409);
      assert.equal(
        res.body.description,
        "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
      );
      await call("deleteWebhook");
      assert.equal((await call("getUpdates")).status, 200);
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] getUpdates applies and keeps allowed_updates`, async () => {
    const { emu, call } = await setup(t);
    try {
      const alice = emu.user("Alice");
      await call("getUpdates", { allowed_updates: ["callback_query"] });
      await alice.send("filtered out");
      const sent = (await call("sendMessage", {
        chat_id: alice.id,
        text: "pick",
        reply_markup: {
          inline_keyboard: [[{ text: "A", callback_data: "a" }]],
        },
      })).body.result;
      await alice.pressButton(sent, "a");
      const got = (await call("getUpdates")).body.result;
      assert.deepEqual(got.map((u: any) => Object.keys(u)[1]), [
        "callback_query",
      ]);
      // an empty list restores the default (everything but chat_member & reactions)
      await call("getUpdates", {
        offset: got[0].update_id + 1,
        allowed_updates: [],
      });
      await alice.send("let through");
      const after = (await call("getUpdates")).body.result;
      assert.equal(after[0].message.text, "let through");
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] answers carry Telegram's CORS headers and OPTIONS is answered`, async () => {
    const { emu, apiRoot, fetch: f, call } = await setup(t);
    try {
      const { headers } = await call("getMe");
      assert.equal(headers.get("access-control-allow-origin"), "*");
      assert.match(
        headers.get("access-control-expose-headers") ?? "",
        /Content-Type/,
      );
      const pre = await f(`${apiRoot}/bot${emu.token}/sendMessage`, {
        method: "OPTIONS",
        headers: {
          "access-control-request-headers": "content-type",
          origin: "https://a.example",
        },
      });
      assert.ok(pre.status === 204 || pre.status === 200);
      await pre.body?.cancel();
      assert.equal(pre.headers.get("access-control-allow-origin"), "*");
      assert.match(
        pre.headers.get("access-control-allow-methods") ?? "",
        /POST/,
      );
      assert.match(
        pre.headers.get("access-control-allow-headers") ?? "",
        /content-type/i,
      );
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] calls records every request with decoded params and outcome`, async () => {
    const { emu, call } = await setup(t);
    try {
      const alice = emu.user("Alice");
      await call("sendMessage", {
        chat_id: alice.id,
        text: "hi",
        reply_markup: { remove_keyboard: true },
      });
      await call("sendMessage", { chat_id: 1, text: "nobody" });
      assert.equal(emu.calls.length, 2);
      const [ok, bad] = emu.calls;
      assert.equal(ok.method, "sendMessage");
      assert.equal(ok.ok, true);
      assert.equal(ok.params.chat_id, alice.id);
      assert.deepEqual(ok.params.reply_markup, { remove_keyboard: true });
      assert.equal((ok.result as any).text, "hi");
      assert.equal(bad.ok, false);
      assert.equal(bad.error_code, 400);
      assert.equal(bad.description, "Bad Request: chat not found");
      emu.clearCalls();
      assert.equal(emu.calls.length, 0);
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] block() makes sends answer 403 and queues my_chat_member`, async () => {
    const { emu, call } = await setup(t);
    try {
      const alice = emu.user("Alice");
      emu.block(alice);
      const res = await call("sendMessage", {
        chat_id: alice.id,
        text: "hello?",
      });
      assert.equal(res.status, 403);
      assert.equal(
        res.body.description,
        "Forbidden: bot was blocked by the user",
      );
      const [update] = (await call("getUpdates")).body.result;
      assert.equal(update.my_chat_member.new_chat_member.status, "kicked");
      assert.equal(update.my_chat_member.from.id, alice.id);
      emu.unblock(alice);
      assert.equal(
        (await call("sendMessage", { chat_id: alice.id, text: "back" })).status,
        200,
      );
    } finally {
      await emu.close();
    }
  });
}

Deno.test("Emulator() makes a valid-looking token and rejects malformed ones", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  assert.match(emu.token, /^\d{10}:AA[A-Za-z0-9_-]{33}$/);
  await emu.close();
  assert.throws(() => new Emulator({ token: "not a token" }), TypeError);
  await using rig2 = openEmulator({ token: "123456:ABC-def" });
  const fixed = rig2.emu;
  assert.equal(fixed.bot.id, 123456);
  await fixed.close();
});

Deno.test("EmulatedUser.send() gives commands a bot_command entity", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const alice = emu.user("Alice");
  const msg = await alice.send("/start deep-link");
  assert.deepEqual(msg.entities, [{
    type: "bot_command",
    offset: 0,
    length: 6,
  }]);
  assert.deepEqual(msg.from, alice.user);
  assert.equal(msg.chat.id, alice.id);
  await emu.close();
});

Deno.test("EmulatedUser.nextMessage() hands out the bot's messages in order, then waits", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const alice = emu.user("Alice");
  const send = (text: string) => botSends(emu, alice.id, text);
  await send("first");
  await send("second");
  assert.equal((await alice.nextMessage()).text, "first");
  assert.equal((await alice.nextMessage()).text, "second");
  const later = alice.nextMessage({ timeout: 5000 });
  setTimeout(() => send("third"), 20);
  assert.equal((await later).text, "third");
  await assert.rejects(alice.nextMessage({ timeout: 30 }), /sent nothing/);
  await emu.close();
});

Deno.test("Emulator.close() ends a pending long poll with an empty result", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const poll = emu.fetch(`${emu.apiRoot}/bot${emu.token}/getUpdates?timeout=30`)
    .then((r) => r.json());
  await new Promise((r) => setTimeout(r, 20));
  await emu.close();
  assert.deepEqual(await poll, { ok: true, result: [] });
  await assert.rejects(
    emu.fetch(`${emu.apiRoot}/bot${emu.token}/getMe`),
    TypeError,
  );
});

Deno.test("Emulator.fetch() rejects with the abort reason when its signal aborts", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const ctrl = new AbortController();
  const poll = emu.fetch(
    `${emu.apiRoot}/bot${emu.token}/getUpdates?timeout=30`,
    {
      signal: ctrl.signal,
    },
  );
  setTimeout(() => ctrl.abort(), 10);
  await assert.rejects(
    poll,
    (e: unknown) => (e as Error).name === "AbortError",
  );
  await emu.close();
});

Deno.test("Emulator.pushUpdate() queues any update and assigns update_id", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const u = emu.pushUpdate({ some_future_kind: { x: 1 } });
  assert.equal(typeof u.update_id, "number");
  const res = await emu.fetch(`${emu.apiRoot}/bot${emu.token}/getUpdates`);
  const body = await res.json();
  assert.deepEqual(body.result, [{
    update_id: u.update_id,
    some_future_kind: { x: 1 },
  }]);
  await emu.close();
});

Deno.test("Emulator({ historyLimit }) keeps only the newest messages of each chat", async () => {
  await using rig = openEmulator({ historyLimit: 3, recordCalls: false });
  const emu = rig.emu;
  const alice = emu.user("Alice");
  for (let i = 1; i <= 5; i++) await alice.send(`m${i}`);
  assert.deepEqual(emu.messages(alice.id).map((m) => m.text), [
    "m3",
    "m4",
    "m5",
  ]);
  assert.equal(emu.calls.length, 0);
  await emu.close();
});

Deno.test("Emulator({ historyLimit }): a user reads the bot's messages in order past the trimmed history", async () => {
  await using rig = openEmulator({ historyLimit: 3, recordCalls: false });
  const emu = rig.emu;
  const alice = emu.user("Alice");
  const send = (text: string) => botSends(emu, alice.id, text);
  for (let i = 1; i <= 2; i++) await send(`b${i}`);
  assert.equal((await alice.nextMessage()).text, "b1");
  for (let i = 3; i <= 40; i++) await send(`b${i}`); // b1..b37 drop out of the history
  const next = [];
  for (let i = 0; i < 3; i++) next.push((await alice.nextMessage()).text);
  assert.deepEqual(next, ["b38", "b39", "b40"], "the oldest kept first; dropped ones skipped");
  await assert.rejects(alice.nextMessage({ timeout: 20 }));
  await send("b41");
  assert.equal((await alice.nextMessage()).text, "b41");
  assert.deepEqual(alice.received().map((m) => m.text), ["b39", "b40", "b41"]);
  await emu.close();
});
