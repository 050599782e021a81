// Fault injection: 429 with retry_after, a JSON error answer (kind "5xx"; its status may be
// any error code, e.g. 403 or 409 in other tests), an HTML 502 page, a connection reset, a
// late answer and a request that hangs — over injected fetch and real HTTP.
import assert from "node:assert/strict";
import { openEmulator, reachEmulator } from "../_harness.ts";

type Transport = "fetch" | "http" | "http-node";
const TRANSPORTS: Transport[] = ["fetch", "http", "http-node"];

async function setup(transport: Transport) {
  const rig = await reachEmulator(transport);
  const { emu, apiRoot, fetch: f } = rig;
  const alice = emu.user("Alice");
  const send = (text: string, signal?: AbortSignal) =>
    f(`${apiRoot}/bot${emu.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: alice.id, text }),
      signal,
    });
  return Object.assign(rig, { alice, send, f });
}

for (const t of TRANSPORTS) {
  Deno.test(`[${t}] inject() 429 answers retry_after and does not execute`, async () => {
    const { emu, alice, send } = await setup(t);
    try {
      emu.inject("sendMessage", { kind: "429", retryAfter: 3 }, { times: 2 });
      for (let i = 0; i < 2; i++) {
        const res = await send("x");
        assert.equal(res.status, 429);
        assert.equal(res.headers.get("retry-after"), "3");
        assert.deepEqual(await res.json(), {
          ok: false,
          error_code: 429,
          description: "Too Many Requests: retry after 3",
          parameters: { retry_after: 3 },
        });
      }
      assert.equal(alice.received().length, 0);
      assert.equal((await send("now it works")).status, 200);
      assert.equal(alice.received().length, 1);
      assert.deepEqual(emu.calls.map((c) => c.fault ?? "-"), [
        "429",
        "429",
        "-",
      ]);
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] inject() 5xx answers a JSON server error`, async () => {
    const { emu, alice, send } = await setup(t);
    try {
      emu.inject("*", { kind: "5xx", status: 502 });
      const res = await send("x");
      assert.equal(res.status, 502);
      assert.deepEqual(await res.json(), {
        ok: false,
        error_code: 502,
        description: "Bad Gateway",
      });
      assert.equal(alice.received().length, 0);
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] inject() html answers a non-JSON 502 page`, async () => {
    const { emu, send } = await setup(t);
    try {
      emu.inject("sendmessage", { kind: "html", status: 502 });
      const res = await send("x");
      assert.equal(res.status, 502);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      const text = await res.text();
      assert.match(text, /<title>502 Bad Gateway<\/title>/);
      assert.throws(() => JSON.parse(text));
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] inject() reset drops the connection without executing`, async () => {
    const { emu, alice, send } = await setup(t);
    try {
      emu.inject("sendMessage", { kind: "reset" }, { times: 5 });
      // fetch rejects (in-process, node:http) or the body cannot be read (Deno.serve).
      await assert.rejects(async () => {
        const res = await send("x");
        await res.text();
      }, TypeError);
      assert.equal(alice.received().length, 0);
      emu.clearFaults();
      assert.equal((await send("fine")).status, 200);
      await alice.nextMessage();
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] inject() delay executes at once and answers late`, async () => {
    const { emu, alice, send } = await setup(t);
    try {
      emu.inject("sendMessage", { kind: "delay", ms: 200 });
      const started = Date.now();
      const answer = send("slow");
      const seen = await alice.nextMessage({ timeout: 150 });
      assert.equal(seen.text, "slow");
      const res = await answer;
      assert.equal(res.status, 200);
      assert.equal((await res.json()).result.text, "slow");
      assert.ok(Date.now() - started >= 190);
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] inject() hang never answers until the client aborts`, async () => {
    const { emu, alice, send } = await setup(t);
    try {
      emu.inject("sendMessage", { kind: "hang" });
      const ctrl = new AbortController();
      const pending = send("x", ctrl.signal);
      setTimeout(() => ctrl.abort(), 100);
      await assert.rejects(
        pending,
        (e: unknown) => (e as Error).name === "AbortError",
      );
      assert.equal(alice.received().length, 0);
    } finally {
      await emu.close();
    }
  });
}

Deno.test("Emulator.inject() rejects unknown method names and bad counts", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  assert.throws(
    () => emu.inject("noSuchMethod", { kind: "reset" }),
    RangeError,
  );
  assert.throws(
    () => emu.inject("getMe", { kind: "reset" }, { times: 0 }),
    RangeError,
  );
  await emu.close();
});

Deno.test("Emulator.close() ends a hanging in-process request", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  emu.inject("getMe", { kind: "hang" });
  const pending = emu.fetch(`${emu.apiRoot}/bot${emu.token}/getMe`);
  await new Promise((r) => setTimeout(r, 20));
  await emu.close();
  await assert.rejects(pending, TypeError);
});
