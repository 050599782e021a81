import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Bot, InputFile } from "../../mod.ts";
import { DelegatorBot } from "../../src/delegation/delegator.ts";
import { createOpen, perChatId } from "../../delegate.ts";
import { ChatHandler } from "../../helper.ts";
import { Emulator } from "../../testing.ts";
import {
  toNodeListener,
  type UpdateReceiver,
  webhookCallback,
  type WebhookOptions,
} from "../../webhook.ts";
import type { ErrorContext } from "../../mod.ts";
import type { Update } from "../../src/core/types.ts";
import { onEmulator } from "../_harness.ts";

const SECRET = "s3cret_Token-1";
const URL_ = "https://bot.example.com/hook";

interface Seen {
  msg: unknown;
  update: Update;
}

/** A receiver that records what it was handed (and runs `then` for each). */
function recorder(
  then?: (msg: unknown) => unknown,
): UpdateReceiver & { seen: Seen[] } {
  const seen: Seen[] = [];
  return {
    seen,
    handle(msg: unknown, update: Update) {
      seen.push({ msg, update });
      return then?.(msg);
    },
  };
}

function post(
  body: BodyInit | null,
  headers: Record<string, string> = {},
  method = "POST",
): Request {
  return new Request(URL_, {
    method,
    body,
    headers: {
      "content-type": "application/json",
      "x-telegram-bot-api-secret-token": SECRET,
      ...headers,
    },
  });
}

const UPDATE = {
  update_id: 7,
  message: {
    message_id: 1,
    date: 1,
    chat: { id: 42, type: "private", first_name: "A" },
    from: { id: 42, is_bot: false, first_name: "A" },
    text: "hi",
  },
};

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

Deno.test("webhookCallback() hands the payload and the whole update to handle() and answers 200", async () => {
  const bot = recorder();
  const cb = webhookCallback(bot, { secretToken: SECRET });
  const res = await cb(post(JSON.stringify(UPDATE)));
  assert.equal(res.status, 200);
  assert.equal(bot.seen.length, 1);
  assert.deepEqual(bot.seen[0].msg, UPDATE.message);
  assert.deepEqual(bot.seen[0].update, UPDATE);
});

Deno.test("webhookCallback() answers 405 to anything but POST and handles nothing", async () => {
  const bot = recorder();
  const cb = webhookCallback(bot, { secretToken: SECRET });
  for (const method of ["GET", "HEAD", "PUT", "DELETE"]) {
    const body = method === "GET" || method === "HEAD" ? null : JSON.stringify(UPDATE);
    const res = await cb(post(body, {}, method));
    assert.equal(res.status, 405, method);
    assert.equal(res.headers.get("allow"), "POST");
    await res.body?.cancel();
  }
  assert.equal(bot.seen.length, 0);
});

Deno.test("webhookCallback() answers 401 to a missing or wrong secret token and handles nothing", async () => {
  const bot = recorder();
  const cb = webhookCallback(bot, { secretToken: SECRET });
  const wrong = [
    undefined,
    "",
    "s3cret_Token-",
    "s3cret_Token-12",
    "S3cret_Token-1",
    SECRET + SECRET,
  ];
  for (const secret of wrong) {
    const req = new Request(URL_, {
      method: "POST",
      body: JSON.stringify(UPDATE),
      headers: secret === undefined ? { "content-type": "application/json" } : {
        "content-type": "application/json",
        "x-telegram-bot-api-secret-token": secret,
      },
    });
    const res = await cb(req);
    assert.equal(res.status, 401, `secret ${JSON.stringify(secret)}`);
    await res.body?.cancel();
  }
  assert.equal(bot.seen.length, 0);
  const ok = await cb(post(JSON.stringify(UPDATE)));
  assert.equal(ok.status, 200);
  assert.equal(bot.seen.length, 1);
});

Deno.test("webhookCallback() without secretToken accepts requests without the header", async () => {
  const bot = recorder();
  const cb = webhookCallback(bot);
  const req = new Request(URL_, {
    method: "POST",
    body: JSON.stringify(UPDATE),
    headers: { "content-type": "application/json; charset=utf-8" },
  });
  assert.equal((await cb(req)).status, 200);
  assert.equal(bot.seen.length, 1);
});

Deno.test("webhookCallback() answers 415 unless the body is JSON", async () => {
  const bot = recorder();
  const cb = webhookCallback(bot, { secretToken: SECRET });
  for (
    const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/jsonx",
    ]
  ) {
    const res = await cb(
      post(JSON.stringify(UPDATE), { "content-type": type }),
    );
    assert.equal(res.status, 415, type);
    await res.body?.cancel();
  }
  const none = new Request(URL_, {
    method: "POST",
    body: new Uint8Array(new TextEncoder().encode(JSON.stringify(UPDATE))),
    headers: { "x-telegram-bot-api-secret-token": SECRET },
  });
  assert.equal((await cb(none)).status, 415);
  assert.equal(bot.seen.length, 0);
  assert.equal(
    (await cb(
      post(JSON.stringify(UPDATE), { "content-type": "Application/JSON" }),
    )).status,
    200,
  );
});

Deno.test("webhookCallback() answers 413 to a body over maxBodyBytes, announced or streamed", async () => {
  const bot = recorder();
  const cb = webhookCallback(bot, { secretToken: SECRET, maxBodyBytes: 64 });
  const big = JSON.stringify({
    ...UPDATE,
    message: { ...UPDATE.message, text: "x".repeat(200) },
  });
  const announced = await cb(post(big));
  assert.equal(announced.status, 413);
  // A streamed body has no Content-Length: the limit stops reading it.
  let pulled = 0;
  const chunk = new TextEncoder().encode(big.slice(0, 40));
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(c) {
      pulled++;
      if (pulled > 1000) c.close();
      else c.enqueue(chunk);
    },
    cancel() {
      cancelled = true;
    },
  });
  const streamed = await cb(post(stream));
  assert.equal(streamed.status, 413);
  assert.ok(cancelled, "the body stream was cancelled");
  assert.ok(pulled < 10, `read ${pulled} chunks of a too-large body`);
  assert.equal(bot.seen.length, 0);
  const small = await cb(
    post(JSON.stringify({ update_id: 1, message: { text: "s" } })),
  );
  assert.equal(small.status, 200);
});

Deno.test("webhookCallback() answers 400 to malformed JSON or a body that is no Update", async () => {
  const bot = recorder();
  const cb = webhookCallback(bot, { secretToken: SECRET });
  const bad: BodyInit[] = [
    "",
    "{",
    "not json",
    "[1,2]",
    "null",
    "42",
    '"text"',
    "{}",
    '{"update_id":"7","message":{}}',
    '{"update_id":1.5}',
    '{"update_id":-1}',
    new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]),
  ];
  for (const body of bad) {
    const res = await cb(post(body));
    assert.equal(res.status, 400, String(body));
    await res.body?.cancel();
  }
  assert.equal(bot.seen.length, 0);
});

Deno.test("webhookCallback() hands an update it has never seen the kind of through as it is", async () => {
  const bot = recorder();
  const cb = webhookCallback(bot);
  const update = { update_id: 9, brand_new_kind: { id: "x" } };
  const res = await cb(post(JSON.stringify(update)));
  assert.equal(res.status, 200);
  assert.deepEqual(bot.seen[0].msg, { id: "x" });
});

Deno.test("webhookCallback() answers after handle() settles when that is quick", async () => {
  const steps: string[] = [];
  const bot = recorder(async () => {
    await Promise.resolve();
    steps.push("handled");
  });
  const cb = webhookCallback(bot, { answerWithin: 60_000 });
  const res = await cb(post(JSON.stringify(UPDATE)));
  steps.push(`answered ${res.status}`);
  assert.deepEqual(steps, ["handled", "answered 200"]);
});

Deno.test("webhookCallback() answers 200 by answerWithin while long work goes on, kept alive by waitUntil", async () => {
  const gate = deferred();
  const done = deferred();
  const errors: unknown[] = [];
  const kept: Promise<unknown>[] = [];
  const bot = recorder(async () => {
    await gate.promise;
    done.resolve();
  });
  const cb = webhookCallback(bot, {
    answerWithin: 20,
    onError: (e) => errors.push(e),
    waitUntil: (p) => kept.push(p),
  });
  const res = await cb(post(JSON.stringify(UPDATE)));
  assert.equal(res.status, 200);
  let finished = false;
  done.promise.then(() => finished = true);
  await Promise.resolve();
  assert.equal(
    finished,
    false,
    "the answer came while the work was still running",
  );
  assert.equal(kept.length, 1);
  gate.resolve();
  await kept[0];
  assert.equal(finished, true);
  assert.deepEqual(errors, []);
});

Deno.test("webhookCallback() uses a platform argument's waitUntil (the Workers ctx)", async () => {
  const gate = deferred();
  const kept: Promise<unknown>[] = [];
  const ctx = {
    waitUntil(this: { kept: Promise<unknown>[] }, p: Promise<unknown>) {
      this.kept.push(p);
    },
    kept,
  };
  const bot = recorder(() => gate.promise);
  const cb = webhookCallback(bot, { answerWithin: 0 });
  const res = await cb(post(JSON.stringify(UPDATE)), { SOME_ENV: "x" }, ctx);
  assert.equal(res.status, 200);
  assert.equal(kept.length, 1);
  gate.resolve();
  await kept[0];
});

Deno.test("webhookCallback() reports handle() failures to onError and still answers 200", async () => {
  const reported: [unknown, ErrorContext][] = [];
  const onError = (e: unknown, c: ErrorContext) => reported.push([e, c]);
  const sync = webhookCallback(
    recorder(() => {
      throw new Error("sync boom");
    }),
    { onError },
  );
  assert.equal((await sync(post(JSON.stringify(UPDATE)))).status, 200);
  const later = webhookCallback(
    recorder(() => Promise.reject(new Error("async boom"))),
    {
      onError,
    },
  );
  assert.equal(
    (await later(post(JSON.stringify({ ...UPDATE, update_id: 8 })))).status,
    200,
  );
  assert.deepEqual(
    reported.map(([e, c]) => [(e as Error).message, c.source, c.updateId]),
    [
      ["sync boom", "handler", 7],
      ["async boom", "handler", 8],
    ],
  );
});

Deno.test("webhookCallback() handles a re-sent update only once", async () => {
  const bot = recorder();
  const cb = webhookCallback(bot, { dedupe: 2 });
  const send = (id: number) => cb(post(JSON.stringify({ ...UPDATE, update_id: id })));
  for (const id of [1, 1, 2, 1, 3, 3, 1]) {
    assert.equal((await send(id)).status, 200);
  }
  // 1 was forgotten after 2 and 3 arrived (window of 2), so its last copy counts again.
  assert.deepEqual(bot.seen.map((s) => s.update.update_id), [1, 2, 3, 1]);
  const off = recorder();
  const all = webhookCallback(off, { dedupe: 0 });
  await all(post(JSON.stringify(UPDATE)));
  await all(post(JSON.stringify(UPDATE)));
  assert.equal(off.seen.length, 2);
});

Deno.test("webhookCallback() refuses a secretToken Telegram would refuse, and bad limits", () => {
  const bot = recorder();
  for (const secretToken of ["", "has space", "x".repeat(257), "ünï"]) {
    assert.throws(() => webhookCallback(bot, { secretToken }), RangeError);
  }
  const bad: WebhookOptions[] = [{ maxBodyBytes: -1 }, {
    answerWithin: Number.NaN,
  }, {
    dedupe: -5,
  }];
  for (const o of bad) assert.throws(() => webhookCallback(bot, o), RangeError);
  assert.throws(() => webhookCallback({} as UpdateReceiver), TypeError);
  webhookCallback(bot, { secretToken: "x".repeat(256) });
});

class Counter extends ChatHandler {
  count = 0;
  async onChatMessage() {
    this.count++;
    await this.sender.sendMessage(String(this.count));
  }
}

Deno.test("webhookCallback() runs DelegatorBot delegation for updates the emulator delivers", async () => {
  const hook: { cb?: (r: Request) => Promise<Response> } = {};
  const statuses: number[] = [];
  const e = new Emulator({
    webhookFetch: async (input, init) => {
      const res = await hook.cb!(new Request(input, init));
      statuses.push(res.status);
      return res;
    },
  });
  const bot = new DelegatorBot(e.token, [[
    perChatId(),
    createOpen(Counter, { timeout: 10 }),
  ]], onEmulator(e));
  hook.cb = webhookCallback(bot, { secretToken: SECRET });
  try {
    assert.equal(await bot.setWebhook(URL_, { secret_token: SECRET }), true);
    const alice = e.user("Alice");
    const bob = e.user("Bob");
    for (let i = 1; i <= 3; i++) {
      await alice.send(`a${i}`);
      assert.equal((await alice.nextMessage()).text, String(i));
    }
    await bob.send("b");
    assert.equal((await bob.nextMessage()).text, "1");
    await e.webhookIdle();
    assert.deepEqual(statuses, [200, 200, 200, 200]);
    assert.equal(bot.liveDelegates, 2);
  } finally {
    await bot.stop();
    await e.close();
  }
});

Deno.test("webhookCallback() answers after the Bot API calls a delegate set off, unless awaitCalls is false", async () => {
  for (const awaitCalls of [true, false]) {
    const e = new Emulator();
    const bot = new DelegatorBot(
      e.token,
      [[perChatId(), createOpen(Counter, { timeout: 10 })]],
      onEmulator(e),
    );
    const cb = webhookCallback(bot, { awaitCalls });
    try {
      const alice = e.user("Alice");
      e.inject("sendMessage", { kind: "delay", ms: 50 });
      const msg = { message_id: 1, date: 1, chat: alice.chat, from: alice.user, text: "hi" };
      const res = await cb(post(JSON.stringify({ update_id: 1, message: msg })));
      assert.equal(res.status, 200);
      assert.equal(alice.received().length, awaitCalls ? 1 : 0, `awaitCalls: ${awaitCalls}`);
      assert.equal((await alice.nextMessage()).text, "1");
    } finally {
      await bot.stop();
      await e.close();
    }
  }
});

Deno.test("webhookCallback() leaves updates undelivered to a bot with the wrong secret (emulator retries)", async () => {
  const hook: { cb?: (r: Request) => Promise<Response> } = {};
  const statuses: number[] = [];
  const e = new Emulator({
    webhookRetryDelays: [1, 1],
    webhookFetch: async (input, init) => {
      const res = await hook.cb!(new Request(input, init));
      statuses.push(res.status);
      return res;
    },
  });
  const seen = recorder();
  hook.cb = webhookCallback(seen, { secretToken: "the_right_one" });
  const bot = new Bot(e.token, onEmulator(e));
  try {
    await bot.setWebhook(URL_, { secret_token: "not_the_right_one" });
    await e.user("Alice").send("hi");
    await e.webhookIdle();
    assert.deepEqual(statuses, [401, 401, 401]);
    assert.equal(seen.seen.length, 0);
    const info = await bot.getWebhookInfo();
    assert.match(info.last_error_message ?? "", /401/);
  } finally {
    await e.close();
  }
});

Deno.test("setWebhook() uploads a certificate and sets secret_token, allowed_updates, drop_pending_updates", async () => {
  const e = new Emulator();
  const bot = new Bot(e.token, onEmulator(e));
  try {
    await e.user("Alice").send("pending before the webhook");
    assert.equal(e.pendingUpdateCount, 1);
    const pem = new TextEncoder().encode(
      "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    );
    const ok = await bot.setWebhook("https://bot.example.com/hook", {
      certificate: new InputFile(pem, "cert.pem"),
      secret_token: SECRET,
      allowed_updates: ["message", "callback_query"],
      drop_pending_updates: true,
      max_connections: 5,
    });
    assert.equal(ok, true);
    const call = e.calls.find((c) => c.method === "setWebhook")!;
    assert.ok(
      call.params.certificate instanceof File,
      "the certificate went out as a file part",
    );
    const sent = call.params.certificate as File;
    assert.equal(sent.name, "cert.pem");
    assert.deepEqual(new Uint8Array(await sent.arrayBuffer()), pem);
    assert.equal(call.params.secret_token, SECRET);
    assert.deepEqual(call.params.allowed_updates, [
      "message",
      "callback_query",
    ]);
    assert.equal(call.params.drop_pending_updates, true);
    const info = await bot.getWebhookInfo();
    assert.equal(info.url, "https://bot.example.com/hook");
    assert.equal(info.has_custom_certificate, true);
    assert.equal(info.pending_update_count, 0);
    assert.deepEqual(info.allowed_updates, ["message", "callback_query"]);
    assert.equal(info.max_connections, 5);
    assert.equal(await bot.deleteWebhook({ drop_pending_updates: true }), true);
    assert.equal((await bot.getWebhookInfo()).url, "");
  } finally {
    await e.close();
  }
});

class EchoBot extends Bot {
  override async handle(msg: { chat: { id: number }; text?: string }) {
    if (msg.text) await this.sendMessage(msg.chat.id, `echo: ${msg.text}`);
  }
}

Deno.test("webhookCallback() serves Deno.serve: the emulator delivers over real HTTP", async () => {
  const e = new Emulator();
  const bot = new EchoBot(e.token, onEmulator(e));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    webhookCallback(bot, { secretToken: SECRET }),
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}/hook`;
    await bot.setWebhook(url, { secret_token: SECRET });
    const alice = e.user("Alice");
    await alice.send("over http");
    assert.equal((await alice.nextMessage()).text, "echo: over http");
    const stranger = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(UPDATE),
    });
    assert.equal(stranger.status, 401);
    await stranger.body?.cancel();
  } finally {
    await e.close();
    await server.shutdown();
  }
});

Deno.test("toNodeListener() serves webhookCallback on node:http, limits included", async () => {
  const e = new Emulator();
  const bot = new EchoBot(e.token, onEmulator(e));
  const server = createServer(
    toNodeListener(
      webhookCallback(bot, { secretToken: SECRET, maxBodyBytes: 4096 }),
    ),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/hook`;
  try {
    await bot.setWebhook(url, { secret_token: SECRET });
    const alice = e.user("Alice");
    await alice.send("via node:http");
    assert.equal((await alice.nextMessage()).text, "echo: via node:http");
    const cases: [RequestInit, number][] = [
      [{ method: "GET" }, 405],
      [{
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      }, 401],
      [{
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": SECRET,
        },
        body: "x".repeat(10_000),
      }, 413],
      [{
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-telegram-bot-api-secret-token": SECRET,
        },
        body: "{oops",
      }, 400],
    ];
    for (const [init, status] of cases) {
      const res = await fetch(url, init);
      assert.equal(
        res.status,
        status,
        `${init.method} ${String(init.body).slice(0, 10)}`,
      );
      await res.body?.cancel();
    }
  } finally {
    await e.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
});
