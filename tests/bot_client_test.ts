// The transport under Bot: request bodies, timeouts, abort signals, transformers, and
// the same calls over real HTTP.
import assert from "node:assert/strict";
import { Emulator, tinyPng } from "../testing.ts";
import { emulatedBot, onEmulator, openEmulator, timersOf } from "./_harness.ts";
import {
  BadHTTPResponse,
  Bot,
  InputFile,
  RequestTimeoutError,
  TooManyRequestsError,
  type Transformer,
} from "../mod.ts";

const PNG = new Uint8Array(tinyPng());

interface Seen {
  method: string;
  contentType: string | null;
  body: "json" | "form" | "stream" | "none";
}

/** emu.fetch, noting how each request was encoded. */
function observed(emu: Emulator): { fetch: typeof fetch; seen: Seen[] } {
  const seen: Seen[] = [];
  const f: typeof fetch = (input, init) => {
    const url = String(input);
    const body = init?.body;
    seen.push({
      method: url.slice(url.lastIndexOf("/") + 1),
      contentType: new Headers(init?.headers).get("content-type"),
      body: typeof body === "string"
        ? "json"
        : body instanceof FormData
        ? "form"
        : body instanceof ReadableStream
        ? "stream"
        : "none",
    });
    return emu.fetch(input, init);
  };
  return { fetch: f, seen };
}

Deno.test("call() sends JSON without files, FormData with Blob-like files, a stream with streams", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const { fetch, seen } = observed(emu);
  const bot = new Bot(emu.token, onEmulator(emu, { fetch }));
  const alice = emu.user("Alice");
  await bot.sendMessage(alice.id, "hi");
  await bot.sendPhoto(alice.id, tinyPng());
  await bot.sendPhoto(alice.id, new Blob([PNG]).stream());
  await bot.getMe();
  assert.deepEqual(seen.map((s) => [s.method, s.body]), [
    ["sendMessage", "json"],
    ["sendPhoto", "form"],
    ["sendPhoto", "stream"],
    ["getMe", "json"],
  ]);
  assert.equal(seen[0].contentType, "application/json");
  assert.equal(seen[1].contentType, null); // fetch writes FormData's own header
  assert.match(
    seen[2].contentType!,
    /^multipart\/form-data; boundary=----telepot[0-9a-f]{24}$/,
  );
});

Deno.test("call() calls any method by name with a params object", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const bot = new Bot(emu.token, {
    fetch: emu.fetch,
    apiRoot: emu.apiRoot + "/",
  });
  const alice = emu.user("Alice");
  const msg = await bot.call("sendMessage", {
    chat_id: alice.id,
    text: "by name",
  });
  assert.equal(msg.text, "by name");
  assert.deepEqual(emu.calls.at(-1)!.params, {
    chat_id: alice.id,
    text: "by name",
  });
  assert.equal((await bot.call("getMe")).is_bot, true);
  assert.equal(bot.apiRoot, emu.apiRoot);
});

Deno.test("getUpdates() adds its long-poll timeout to the request timeout", async () => {
  await using rig = emulatedBot({ timeout: 100 });
  const { emu, bot } = rig;
  // A 1 s long poll outlives the 100 ms request timeout, yet ends normally.
  assert.deepEqual(await bot.getUpdates({ timeout: 1 }), []);
  emu.inject("getUpdates", { kind: "hang" });
  await assert.rejects(bot.getUpdates({ timeout: 0 }), RequestTimeoutError);
});

Deno.test("a request timeout of 0 means none; the signal still aborts", async () => {
  await using rig = emulatedBot({ timeout: 0 });
  const { emu, bot } = rig;
  const hang = (b: Bot) => {
    emu.inject("getMe", { kind: "hang" });
    return assert.rejects(
      b.getMe({ signal: AbortSignal.timeout(30) }),
      (err: Error) => err.name === "TimeoutError",
    );
  };
  const none = await timersOf(() => hang(bot));
  assert.deepEqual(none.filter((ms) => ms >= 1000), [], "no request timer at all");
  // The default (60 s) does start one: the probe sees request timers.
  const byDefault = await timersOf(() => hang(new Bot(emu.token, onEmulator(emu))));
  assert.deepEqual(byDefault.filter((ms) => ms >= 1000), [60_000]);
});

Deno.test("an already aborted signal rejects with its reason and sends nothing", async () => {
  await using rig = emulatedBot();
  const { emu, bot } = rig;
  const reason = new Error("stop");
  const signal = AbortSignal.abort(reason);
  await assert.rejects(bot.getMe({ signal }), (err) => err === reason);
  await assert.rejects(
    bot.sendPhoto(1, new Blob([PNG]).stream(), { signal }),
    (err) => err === reason,
  );
  await assert.rejects(
    bot.call("getMe", {}, { signal }),
    (err) => err === reason,
  );
  assert.equal(emu.calls.length, 0);
});

Deno.test("use() runs transformers around every call, the last installed first", async () => {
  const emu = new Emulator();
  try {
    const order: string[] = [];
    const tag = (name: string): Transformer => async (next, method, params, options) => {
      order.push(`${name}>${method}`);
      const result = await next(method, params, options);
      order.push(`${name}<${method}`);
      return result;
    };
    const bot = new Bot(emu.token, onEmulator(emu, { transformers: [tag("a")] }));
    assert.equal(bot.use(tag("b"), tag("c")), bot);
    await bot.getMe();
    assert.deepEqual(order, [
      "c>getMe",
      "b>getMe",
      "a>getMe",
      "a<getMe",
      "b<getMe",
      "c<getMe",
    ]);
    assert.throws(() => bot.use("nope" as unknown as Transformer), TypeError);
  } finally {
    await emu.close();
  }
});

Deno.test("a transformer can change parameters, see the signal, and retry", async () => {
  await using rig = emulatedBot();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const signals: (AbortSignal | undefined)[] = [];
  bot.use((next, method, params, options) => {
    signals.push(options.signal);
    return next(
      method,
      method === "sendMessage" ? { ...params, text: "[bot] " + params.text } : params,
      options,
    );
  });
  let attempts = 0;
  bot.use(async (next, method, params, options) => {
    for (;;) {
      attempts++;
      try {
        return await next(method, params, options);
      } catch (err) {
        if (!(err instanceof TooManyRequestsError) || attempts > 3) throw err;
      }
    }
  });
  emu.inject("sendMessage", { kind: "429", retryAfter: 1 }, { times: 2 });
  const ctrl = new AbortController();
  const msg = await bot.sendMessage(alice.id, "hi", { signal: ctrl.signal });
  assert.equal(msg.text, "[bot] hi");
  assert.equal(attempts, 3);
  assert.deepEqual(signals, [ctrl.signal, ctrl.signal, ctrl.signal]);
});

Deno.test("Bot() refuses an empty token and a negative timeout", () => {
  assert.throws(() => new Bot(""), TypeError);
  assert.throws(() => new Bot("1:x", { timeout: -1 }), RangeError);
  assert.throws(() => new Bot("1:x", { timeout: Number.NaN }), RangeError);
});

Deno.test("Bot talks to the emulator over real HTTP: calls, uploads, streamed uploads, errors", async () => {
  const emu = new Emulator();
  const srv = await emu.serve();
  try {
    const bot = new Bot(emu.token, { apiRoot: srv.apiRoot, timeout: 5000 });
    const alice = emu.user("Alice");
    assert.equal((await bot.getMe()).id, emu.bot.id);
    const msg = await bot.sendMessage(alice.id, "over HTTP", {
      reply_markup: { inline_keyboard: [[{ text: "x", callback_data: "y" }]] },
    });
    assert.equal((await alice.nextMessage()).text, "over HTTP");
    assert.deepEqual(emu.calls.at(-1)!.params.reply_markup, {
      inline_keyboard: [[{ text: "x", callback_data: "y" }]],
    });
    await bot.editMessageText([alice.id, msg.message_id], "edited over HTTP");
    assert.equal(
      emu.message(alice.id, msg.message_id)?.text,
      "edited over HTTP",
    );

    const doc = new Uint8Array(200_000).map((_, i) => i % 251);
    const chunks = [doc.subarray(0, 70_000), doc.subarray(70_000)];
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = chunks.shift();
        if (next) c.enqueue(next);
        else c.close();
      },
    });
    const sent = await bot.sendDocument(
      alice.id,
      new InputFile(stream, "big.bin"),
    );
    const part = emu.calls.at(-1)!.params.document as File;
    assert.equal(part.name, "big.bin");
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), doc);
    assert.equal(sent.document?.file_size, doc.length);

    emu.inject("getMe", { kind: "html", status: 502 });
    await assert.rejects(bot.getMe(), BadHTTPResponse);
  } finally {
    await srv.close();
    await emu.close();
  }
});
