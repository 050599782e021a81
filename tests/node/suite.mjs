// The npm build on Node (`node --test`) and Bun (`bun test`): run by tests/runtimes_test.ts
// from a folder where `telepot` is the packed npm/ build. Plain JavaScript on purpose: this
// is what a user of the package writes. Everything talks to the emulator over real HTTP.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { Bot, DelegatorBot, InputFile } from "telepot";
import { createOpen, perChatId } from "telepot/delegate";
import { ChatHandler } from "telepot/helper";
import { Emulator } from "telepot/testing";
import { toNodeListener, webhookCallback } from "telepot/webhook";

const runtime = typeof globalThis.Bun !== "undefined"
  ? `Bun ${globalThis.Bun.version}`
  : `Node ${process.versions.node}`;
const OPTS = { timeout: 20_000 };

/** An emulator served over HTTP (node:http under Node and Bun) and a bot pointed at it. */
async function setup(BotClass = Bot, ...extra) {
  const emu = new Emulator();
  const server = await emu.serve();
  const bot = new BotClass(emu.token, ...extra, { apiRoot: server.apiRoot });
  return { emu, server, bot };
}

function listen(listener) {
  const server = createServer(listener);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

test(`[${runtime}] echo bot over long polling`, OPTS, async () => {
  const { emu, bot } = await setup();
  const loop = bot.messageLoop(async (msg) => {
    if (msg.text) await bot.sendMessage(msg.chat.id, `echo: ${msg.text}`);
  }, { timeout: 1 });
  try {
    const alice = emu.user("Alice");
    const bob = emu.user("Bob");
    await alice.send("hello");
    await bob.send("salut");
    assert.equal((await alice.nextMessage()).text, "echo: hello");
    assert.equal((await bob.nextMessage()).text, "echo: salut");
    const me = await bot.getMe();
    assert.equal(me.is_bot, true);
  } finally {
    await bot.stop();
    await loop;
    await emu.close();
  }
});

class Counter extends ChatHandler {
  count = 0;
  async onChatMessage() {
    this.count++;
    await this.sender.sendMessage(String(this.count));
  }
}

test(
  `[${runtime}] DelegatorBot counts per chat (one delegate per chat id)`,
  OPTS,
  async () => {
    const { emu, bot } = await setup(DelegatorBot, [[
      perChatId(),
      createOpen(Counter, { timeout: 10 }),
    ]]);
    const loop = bot.messageLoop(undefined, { timeout: 1 });
    try {
      const alice = emu.user("Alice");
      const bob = emu.user("Bob");
      for (let i = 1; i <= 3; i++) {
        await alice.send(`a${i}`);
        assert.equal((await alice.nextMessage()).text, String(i));
      }
      await bob.send("b1");
      assert.equal((await bob.nextMessage()).text, "1");
      await alice.send("a4");
      assert.equal((await alice.nextMessage()).text, "4");
      assert.equal(bot.liveDelegates, 2);
    } finally {
      await bot.stop();
      await loop;
      await emu.close();
    }
  },
);

class EchoBot extends Bot {
  async handle(msg) {
    if (msg.text) await this.sendMessage(msg.chat.id, `hook: ${msg.text}`);
  }
}

test(
  `[${runtime}] webhook over node:http with a secret token`,
  OPTS,
  async () => {
    const { emu, bot } = await setup(EchoBot);
    const secret = "node_secret-42";
    const server = await listen(
      toNodeListener(webhookCallback(bot, { secretToken: secret })),
    );
    const url = `http://127.0.0.1:${server.address().port}/telegram`;
    try {
      assert.equal(
        await bot.setWebhook(url, {
          secret_token: secret,
          drop_pending_updates: true,
        }),
        true,
      );
      const alice = emu.user("Alice");
      await alice.send("ping");
      assert.equal((await alice.nextMessage()).text, "hook: ping");
      await alice.send("pong");
      assert.equal((await alice.nextMessage()).text, "hook: pong");
      await emu.webhookIdle();
      const info = await bot.getWebhookInfo();
      assert.equal(info.url, url);
      assert.equal(info.pending_update_count, 0);
      // Someone who does not know the secret is turned away, and nothing is handled.
      const before = emu.calls.length;
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          update_id: 1,
          message: {
            message_id: 1,
            date: 0,
            chat: { id: alice.id, type: "private" },
            text: "forged",
          },
        }),
      });
      assert.equal(res.status, 401);
      await res.arrayBuffer();
      assert.equal(emu.calls.length, before);
      const wrongMethod = await fetch(url);
      assert.equal(wrongMethod.status, 405);
      await wrongMethod.arrayBuffer();
    } finally {
      await emu.close();
      await closeServer(server);
    }
  },
);

test(
  `[${runtime}] uploads from bytes, a Blob and a local path`,
  OPTS,
  async () => {
    const { emu, bot } = await setup();
    const dir = await mkdtemp(join(tmpdir(), "telepot-node-"));
    try {
      const alice = emu.user("Alice");
      const bytes = new TextEncoder().encode("bytes from memory\n");
      const onDisk = new Uint8Array(70_000).map((_, i) => i % 251);
      const path = join(dir, "report.bin");
      await writeFile(path, onDisk);

      const a = await bot.sendDocument(
        alice.id,
        new InputFile(bytes, "memory.txt"),
        { caption: "one" },
      );
      const b = await bot.sendDocument(
        alice.id,
        new InputFile(new Blob([bytes], { type: "text/plain" }), "blob.txt"),
      );
      const c = await bot.sendDocument(alice.id, InputFile.fromPath(path));
      assert.deepEqual([
        a.document.file_name,
        b.document.file_name,
        c.document.file_name,
      ], ["memory.txt", "blob.txt", "report.bin"]);
      assert.equal(c.document.file_size, onDisk.length);

      const sent = emu.calls.filter((call) => call.method === "sendDocument")
        .map((call) => call.params.document);
      assert.equal(sent.length, 3);
      assert.deepEqual(new Uint8Array(await sent[0].arrayBuffer()), bytes);
      assert.deepEqual(new Uint8Array(await sent[2].arrayBuffer()), onDisk);
      assert.equal(alice.received().length, 3);
    } finally {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
);

test(
  `[${runtime}] downloads a user's file as bytes and to a local path`,
  OPTS,
  async () => {
    const { emu, bot } = await setup();
    const dir = await mkdtemp(join(tmpdir(), "telepot-node-"));
    try {
      const alice = emu.user("Alice");
      const content = new Uint8Array(100_000).map((_, i) => (i * 7) % 256);
      await alice.sendDocument(content, {
        fileName: "data.bin",
        mimeType: "application/octet-stream",
      });
      const [update] = await bot.getUpdates();
      const fileId = update.message.document.file_id;

      const bytes = await bot.downloadFile(fileId);
      assert.deepEqual(new Uint8Array(bytes), content);

      const dest = join(dir, "copy.bin");
      await bot.downloadFile(fileId, dest);
      assert.deepEqual(new Uint8Array(await readFile(dest)), content);
    } finally {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    }
  },
);

// ---- the transport: node:http keep-alive under Node, never re-sending a request ----------

/** A bare Bot API stand-in over node:http that records what arrives and on which connection. */
async function recordingServer(answer) {
  const seen = [];
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const method = req.url.slice(req.url.lastIndexOf("/") + 1);
      seen.push({ method, headers: req.headers, body: Buffer.concat(chunks).toString() });
      answer(method, req, res, seen.length);
    });
  });
  server.on("connection", () => connections++);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const apiRoot = `http://127.0.0.1:${server.address().port}`;
  return { server, apiRoot, seen, connections: () => connections };
}

function okAnswer(res, result) {
  const body = JSON.stringify({ ok: true, result });
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}

const pause = (ms) => new Promise((r) => setTimeout(r, ms));

test(`[${runtime}] JSON calls reuse one keep-alive connection`, OPTS, async () => {
  const srv = await recordingServer((method, _req, res) => okAnswer(res, { method }));
  try {
    const bot = new Bot("123:abc", { apiRoot: srv.apiRoot });
    for (let i = 0; i < 5; i++) assert.deepEqual(await bot.call("getMe"), { method: "getMe" });
    assert.equal(srv.seen.length, 5);
    assert.equal(srv.connections(), 1, "one connection for five calls");
    if (!globalThis.Bun) {
      // Node's fetch (undici) sends sec-fetch-mode and accept-language: the node:http
      // transport does not, so none of them went through fetch.
      for (const { headers } of srv.seen) {
        assert.equal(headers["sec-fetch-mode"], undefined);
        assert.equal(headers["content-type"], "application/json");
      }
    }
  } finally {
    await closeServer(srv.server);
  }
});

test(`[${runtime}] a sendMessage whose connection drops is not sent again`, OPTS, async () => {
  const srv = await recordingServer((method, req, res, n) => {
    if (method === "sendMessage" && n === 2) req.socket.destroy(); // executed, answer lost
    else okAnswer(res, true);
  });
  try {
    const bot = new Bot("123:abc", { apiRoot: srv.apiRoot });
    await bot.call("getMe"); // the connection is now kept alive and reused next
    const err = await bot.sendMessage(1, "once").catch((e) => e);
    assert.equal(err.name, "BadHTTPResponse", String(err));
    assert.equal(err.maybeDelivered, true);
    assert.match(err.message, /^sendMessage: .*may have been delivered/);
    await pause(300);
    assert.deepEqual(srv.seen.map((s) => s.method), ["getMe", "sendMessage"], "never re-sent");
  } finally {
    await closeServer(srv.server);
  }
});

test(`[${runtime}] an aborted call is not sent again`, OPTS, async () => {
  const srv = await recordingServer(() => {}); // never answers
  try {
    const bot = new Bot("123:abc", { apiRoot: srv.apiRoot, timeout: 200 });
    const ctrl = new AbortController();
    const pending = bot.sendMessage(1, "x", { signal: ctrl.signal });
    while (srv.seen.length === 0) await pause(5);
    ctrl.abort(new Error("stop"));
    await assert.rejects(pending, /stop/);
    const timedOut = await bot.sendMessage(1, "y").catch((e) => e);
    assert.equal(timedOut.name, "RequestTimeoutError");
    await pause(300);
    assert.deepEqual(srv.seen.map((s) => JSON.parse(s.body).text), ["x", "y"]);
  } finally {
    await closeServer(srv.server);
  }
});

test(`[${runtime}] the timeout covers an answer whose body never ends`, OPTS, async () => {
  const srv = await recordingServer((_method, _req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.write('{"ok":true,'); // and nothing more
  });
  try {
    const bot = new Bot("123:SECRETtoken", { apiRoot: srv.apiRoot, timeout: 150 });
    const started = Date.now();
    const err = await bot.sendMessage(1, "x").catch((e) => e);
    assert.equal(err.name, "RequestTimeoutError", String(err));
    assert.match(err.message, /^sendMessage: no answer within 150 ms/);
    assert.ok(Date.now() - started < 5000, "ended by the timeout, not by the server");
    assert.ok(!String(err.stack).includes("SECRETtoken"), "no token in the stack");
  } finally {
    await closeServer(srv.server);
  }
});

test(`[${runtime}] an answer whose body breaks off says so, not "no answer"`, OPTS, async () => {
  const srv = await recordingServer((_method, req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
    res.write('{"ok":true,', () => setTimeout(() => req.socket.destroy(), 20));
  });
  try {
    const bot = new Bot("123:abc", { apiRoot: srv.apiRoot });
    const err = await bot.sendMessage(1, "x").catch((e) => e);
    assert.equal(err.name, "BadHTTPResponse", String(err));
    assert.equal(err.status, 200);
    assert.match(err.message, /^sendMessage: network failure \(answer cut off\); it may have/);
  } finally {
    await closeServer(srv.server);
  }
});

test(`[${runtime}] a refused connection says nothing was sent`, OPTS, async () => {
  const srv = await recordingServer(() => {});
  const apiRoot = srv.apiRoot;
  await closeServer(srv.server);
  const err = await new Bot("123:abc", { apiRoot }).sendMessage(1, "x").catch((e) => e);
  assert.equal(err.name, "BadHTTPResponse", String(err));
  assert.equal(err.maybeDelivered, false);
});
