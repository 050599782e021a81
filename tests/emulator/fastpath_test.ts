// The emulator's fast paths (whole-body reads, the query shortcut, the parsed JSON object
// used as is, precompiled validation, lazy request signals, endless nextMessage waits) must
// answer exactly what the general paths answer.
import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import { BodyError, markInMemory, parseParams } from "../../src/emulator/parse.ts";
import { validateParams } from "../../src/emulator/validate.ts";
import { Emulator } from "../../testing.ts";
import { openEmulator } from "../_harness.ts";

const URL_ = "http://emulator.test/bot123:ABC/sendMessage";
const enc = new TextEncoder();

/** The same request three ways: streamed, with a content-length, and marked in memory. */
function threeWays(
  body: string | Uint8Array<ArrayBuffer>,
  contentType: string,
  url = URL_,
): Request[] {
  const bytes = typeof body === "string" ? enc.encode(body) : body;
  const streamed = new Request(url, {
    method: "POST",
    headers: { "content-type": contentType },
    body: new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes);
        c.close();
      },
    }),
  });
  const declared = new Request(url, {
    method: "POST",
    headers: { "content-type": contentType, "content-length": String(bytes.length) },
    body: bytes,
  });
  const marked = new Request(url, {
    method: "POST",
    headers: { "content-type": contentType },
    body: bytes,
  });
  markInMemory(marked);
  return [streamed, declared, marked];
}

async function outcome(req: Request): Promise<unknown> {
  try {
    return { params: await parseParams(req, { maxBodyBytes: 64 }) };
  } catch (e) {
    if (e instanceof BodyError) return { status: e.status, message: e.message };
    throw e;
  }
}

async function sameEveryWay(
  body: string | Uint8Array<ArrayBuffer>,
  contentType: string,
  url?: string,
) {
  const [a, b, c] = await Promise.all(threeWays(body, contentType, url).map(outcome));
  deepStrictEqual(b, a);
  deepStrictEqual(c, a);
  return a;
}

Deno.test("parseParams() reads whole bodies exactly as it reads streamed ones", async () => {
  deepStrictEqual(await sameEveryWay('{"chat_id":5,"text":"hi"}', "application/json"), {
    params: { chat_id: 5, text: "hi" },
  });
  deepStrictEqual(
    await sameEveryWay("chat_id=5&text=a+b%21", "application/x-www-form-urlencoded"),
    {
      params: { chat_id: "5", text: "a b!" },
    },
  );
  // Over the (test) limit of 64 bytes, bad UTF-8, bad JSON, a non-object, an empty body.
  deepStrictEqual(await sameEveryWay(`{"text":"${"x".repeat(80)}"}`, "application/json"), {
    status: 413,
    message: "Request Entity Too Large",
  });
  deepStrictEqual(await sameEveryWay(new Uint8Array([0x7b, 0xff, 0x7d]), "application/json"), {
    status: 400,
    message: "Bad Request: strings must be encoded in UTF-8",
  });
  deepStrictEqual(await sameEveryWay("{nope", "application/json"), {
    status: 400,
    message: "Bad Request: can't parse JSON object",
  });
  deepStrictEqual(await sameEveryWay("[1]", "application/json"), {
    status: 400,
    message: "Bad Request: JSON object expected",
  });
  deepStrictEqual(await sameEveryWay("", "application/json"), { params: {} });
  // A real U+FFFD is valid UTF-8 and is kept.
  deepStrictEqual(await sameEveryWay('{"text":"\ufffd"}', "application/json"), {
    params: { text: "\ufffd" },
  });
});

Deno.test("parseParams() lets the query win over a JSON body and drops empty names", async () => {
  deepStrictEqual(
    await sameEveryWay('{"chat_id":1,"text":"body","":3}', "application/json", `${URL_}?chat_id=9`),
    { params: { chat_id: "9", text: "body" } },
  );
  deepStrictEqual(await sameEveryWay('{"":1,"a":2}', "application/json"), { params: { a: 2 } });
  const { params } = await sameEveryWay('{"__proto__":{"x":1}}', "application/json") as {
    params: Record<string, unknown>;
  };
  ok(Object.hasOwn(params, "__proto__"));
  equal(Object.getPrototypeOf(params), Object.prototype);
});

Deno.test("parseParams() reads unusual query strings as the URL parser does", async () => {
  for (
    const query of ["a=1&b=%20x", "a='q'&b=<x>", "a=%E2%82%AC&b=\u20ac", "a=1#frag", "#only?a=1"]
  ) {
    const url = `${URL_}?${query}`;
    const expected: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(new URL(url).search)) {
      if (k !== "" && !Object.hasOwn(expected, k)) expected[k] = v;
    }
    const got = await parseParams(new Request(url));
    deepStrictEqual(got, expected, query);
  }
});

Deno.test("validateParams() keeps the request's parameter order and hostile names", () => {
  const params: Record<string, unknown> = { extra: 1, text: "hi", chat_id: "42" };
  Object.defineProperty(params, "__proto__", { value: "p", enumerable: true });
  Object.defineProperty(params, "toString", { value: "t", enumerable: true });
  const checked = validateParams("sendMessage", params);
  ok(checked.ok);
  deepStrictEqual(Object.keys(checked.params), [
    "extra",
    "text",
    "chat_id",
    "__proto__",
    "toString",
  ]);
  equal(checked.params.chat_id, 42);
  equal(Object.getPrototypeOf(checked.params), Object.prototype);
  // Empty values count as absent and are left out; the first problem in documented order wins.
  const dropped = validateParams("sendMessage", { chat_id: 1, text: "x", parse_mode: "" });
  ok(dropped.ok);
  deepStrictEqual(dropped.params, { chat_id: 1, text: "x" });
  deepStrictEqual(validateParams("sendMessage", { text: "", message_thread_id: "x" }), {
    ok: false,
    description: "Bad Request: chat_id is empty",
  });
});

Deno.test("Emulator.handle() still ends a long poll when the request's signal aborts", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const ctrl = new AbortController();
  const req = new Request(`${emu.apiRoot}/bot${emu.token}/getUpdates?timeout=30`, {
    signal: ctrl.signal,
  });
  const answer = emu.handle(req);
  setTimeout(() => ctrl.abort(), 10);
  const res = await answer;
  deepStrictEqual(await res.json(), { ok: true, result: [] });
});

Deno.test("EmulatedUser.nextMessage() with timeout Infinity waits until the bot sends", async () => {
  const emu = new Emulator();
  const alice = emu.user("Alice");
  try {
    const next = alice.nextMessage({ timeout: Infinity });
    const res = await emu.fetch(`${emu.apiRoot}/bot${emu.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: alice.id, text: "later" }),
    });
    equal(res.status, 200);
    await res.body?.cancel();
    equal((await next).text, "later");
    const pending = alice.nextMessage({ timeout: Infinity });
    await emu.close();
    await rejects(pending, /closed/);
  } finally {
    await emu.close();
  }
});
