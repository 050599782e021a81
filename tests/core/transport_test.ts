// BotOptions.transport: which sender JSON calls go through, and the node:http transport's
// refusal to run under Deno (its node:http re-sends destroyed keep-alive requests).
import assert from "node:assert/strict";
import { BadHTTPResponse, Bot, type Transport } from "../../mod.ts";
import { neverSent } from "../../src/core/never_sent.ts";
import { onEmulator, openEmulator } from "../_harness.ts";

Deno.test("Bot({ transport }) sends JSON calls through it and uploads through fetch", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const seen: string[] = [];
  const transport: Transport = async (url, init) => {
    seen.push(
      `${init.method} ${url.slice(url.lastIndexOf("/") + 1)} ${init.headers["content-type"]}`,
    );
    return await emu.fetch(url, init);
  };
  let fetched = 0;
  const bot = new Bot(
    emu.token,
    onEmulator(emu, {
      transport,
      fetch: (input, init) => {
        fetched++;
        return emu.fetch(input, init);
      },
    }),
  );
  const alice = emu.user("Alice");
  assert.equal((await bot.sendMessage(alice.id, "hi")).text, "hi");
  await bot.sendDocument(alice.id, new Blob(["x"]));
  assert.deepEqual(seen, ["POST sendMessage application/json"]);
  assert.equal(fetched, 1);
});

Deno.test("Bot({ transport }) errors keep their meaning: abort, timeout, network failure", async () => {
  const hang: Transport = (_url, init) =>
    new Promise((_, reject) =>
      init.signal.addEventListener("abort", () => reject(init.signal.reason))
    );
  const bot = new Bot("123:abc", { transport: hang, timeout: 20 });
  await assert.rejects(bot.getMe(), /no answer within 20 ms/);
  const ctrl = new AbortController();
  const p = bot.getMe({ signal: ctrl.signal });
  ctrl.abort(new Error("mine"));
  await assert.rejects(p, /mine/);
  const broken: Transport = () => Promise.reject(new Error("socket hang up"));
  const err = await new Bot("123:abc", { transport: broken }).sendMessage(1, "x").catch((e) => e);
  assert.ok(err instanceof BadHTTPResponse);
  assert.equal(err.maybeDelivered, true);
  assert.match(err.message, /may have been delivered/);
  assert.throws(() => new Bot("1:x", { transport: 42 as unknown as Transport }), TypeError);
  // "fetch": the (given or global) fetch, as under Deno by default.
  await using rig = openEmulator();
  const emu = rig.emu;
  const viaFetch = new Bot(emu.token, onEmulator(emu, { transport: "fetch" }));
  assert.equal((await viaFetch.getMe()).id, emu.bot.id);
});

Deno.test("nodeTransport() refuses to run under Deno", async () => {
  const { nodeTransport } = await import("../../src/runtime/node_transport.ts");
  assert.throws(() => nodeTransport(), /not under Deno/);
});

Deno.test("neverSent() recognizes refused connections and unknown hosts only", () => {
  const node = new TypeError("fetch failed", {
    cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
  });
  const happyEyeballs = new TypeError("fetch failed", {
    cause: new AggregateError([
      Object.assign(new Error("a"), { code: "ECONNREFUSED" }),
      Object.assign(new Error("b"), { code: "ECONNREFUSED" }),
    ]),
  });
  const deno = new TypeError(
    "error sending request: client error (Connect): tcp connect error: Connection refused (os error 111)",
  );
  assert.equal(neverSent(node), true);
  assert.equal(neverSent(happyEyeballs), true);
  assert.equal(neverSent(deno), true);
  assert.equal(neverSent(Object.assign(new Error("x"), { code: "ENOTFOUND" })), true);
  assert.equal(
    neverSent(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })),
    false,
  );
  assert.equal(neverSent(new TypeError("Failed to fetch")), false);
  assert.equal(neverSent("ECONNREFUSED"), false);
});
