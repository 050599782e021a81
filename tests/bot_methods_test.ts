// The 180 Bot API methods of Bot: the runtime table against the Bot API facts, and every
// method called against the emulator with the request it received checked parameter by
// parameter.
import assert from "node:assert/strict";
import { Emulator, tinyPng } from "../testing.ts";
import { Bot } from "../mod.ts";
import { METHODS } from "../src/gen/spec.ts";
import { SUBTYPES, TYPES } from "../src/gen/spec_types.ts";
import { ALIASES, EXTRA_TABLE, METHOD_TABLE } from "../src/gen/method_table.ts";
import { tableEntries } from "../src/core/methods.ts";
import { validateParams } from "../src/emulator/validate.ts";
import { emulatedBot, onEmulator } from "./_harness.ts";

type Fact = readonly [string, readonly string[], boolean];
const FACTS = METHODS as unknown as Record<string, { params: readonly Fact[] }>;

/** The positional rule, written out again independently of scripts/gen_methods.ts. */
function expectedPositional(name: string): string[] {
  const params = FACTS[name].params;
  const required = params.filter((p) => p[2]).map((p) => p[0]);
  if (!params.some((p) => p[0] === "inline_message_id")) return required;
  const rest = required.filter((p) => !["chat_id", "message_id", "inline_message_id"].includes(p));
  if (name === "editMessageText") rest.unshift("text");
  return ["#", ...rest];
}

const MSG_ID_METHODS = [
  "editMessageText",
  "editMessageCaption",
  "editMessageMedia",
  "editMessageLiveLocation",
  "stopMessageLiveLocation",
  "editMessageReplyMarkup",
  "setGameScore",
  "getGameHighScores",
];

Deno.test("METHOD_TABLE lists exactly the 180 methods of src/gen/spec.ts, in documented order", () => {
  const names = METHOD_TABLE.split(";").map((e) => e.split(" ")[0]);
  assert.equal(names.length, 180);
  assert.deepEqual(names, Object.keys(METHODS));
});

Deno.test("METHOD_TABLE holds each method's required parameters in documented order", () => {
  for (const entry of METHOD_TABLE.split(";")) {
    const [name, ...positional] = entry.split(" ");
    assert.deepEqual(positional, expectedPositional(name), name);
  }
});

Deno.test("METHOD_TABLE gives the message identifier to exactly the documented methods", () => {
  const withId = METHOD_TABLE.split(";").filter((e) => e.includes(" #")).map((
    e,
  ) => e.split(" ")[0]);
  assert.deepEqual(withId.sort(), [...MSG_ID_METHODS].sort());
  // The message identifier always comes first.
  for (const e of METHOD_TABLE.split(";")) {
    if (e.includes("#")) assert.equal(e.split(" ")[1], "#");
  }
});

Deno.test("EXTRA_TABLE and ALIASES name only methods Bot API 10.1 does not document", () => {
  for (const entry of EXTRA_TABLE.split(";")) {
    assert.ok(!(entry.split(" ")[0] in METHODS));
  }
  for (const [alias, target] of Object.entries(ALIASES)) {
    assert.ok(!(alias in METHODS));
    assert.ok(target in METHODS);
  }
});

Deno.test("PositionalTable (the type-level table) matches the runtime table entry by entry", async () => {
  const source = await Deno.readTextFile(
    new URL("../src/gen/method_table.ts", import.meta.url),
  );
  const typed = new Map<string, string[]>();
  for (const [, name, items] of source.matchAll(/^ {2}(\w+): \[(.*)\];$/gm)) {
    typed.set(name, [...items.matchAll(/: "([^"]+)"/g)].map((m) => m[1]));
  }
  const runtime = tableEntries();
  assert.equal(typed.size, runtime.length);
  for (const [name, positional] of runtime) {
    assert.deepEqual(typed.get(name), positional, name);
  }
});

Deno.test("Bot.prototype has a method for every table entry and alias", () => {
  const proto = Bot.prototype as unknown as Record<string, unknown>;
  const names = [...tableEntries().map(([n]) => n), ...Object.keys(ALIASES)];
  assert.equal(names.length, 187);
  for (const n of names) {
    assert.equal(typeof proto[n], "function", n);
    assert.equal((proto[n] as { name: string }).name, ALIASES[n] ?? n);
  }
});

// ---- dummy values, derived from the facts ---------------------------------------------

interface Ctx {
  chatId: number;
  userId: number;
  messageId: number;
}

const PNG = tinyPng();

function snake(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** Values the emulator's model (not only its validation) accepts, by parameter name. */
const PLAUSIBLE: Record<string, unknown> = {
  action: "typing",
  language_code: "en",
  emoji: "🎲",
  parse_mode: "HTML",
  url: "https://example.com/hook",
};

function dummyOf(
  types: readonly string[],
  name: string,
  ctx: Ctx,
  depth: number,
): unknown {
  if (name === "reply_markup") {
    return { inline_keyboard: [[{ text: "a", callback_data: "b" }]] };
  }
  if (depth === 0 && name in PLAUSIBLE) return PLAUSIBLE[name];
  const type = types[0];
  if (type.startsWith("Array of ")) {
    const inner = dummyOf(
      [type.slice(9)],
      name.replace(/s$/, ""),
      ctx,
      depth + 1,
    );
    if (inner === undefined) return [];
    // Media groups and polls need two items; lists of ids take one.
    return depth === 0 && (name === "media" || name === "options") ? [inner, inner] : [inner];
  }
  switch (type) {
    case "Integer":
      if (name === "chat_id" || name.endsWith("_chat_id")) return ctx.chatId;
      if (name === "user_id" || name.endsWith("user_id")) return ctx.userId;
      if (
        name === "message_id" || name === "message_ids" || name === "message_i"
      ) {
        return ctx.messageId;
      }
      if (name === "timeout") return 0;
      return 2;
    case "Float":
      return 1.5;
    case "Boolean":
    case "True":
      return true;
    case "String":
      return name === "chat_id" ? ctx.chatId : `${name}-value`;
    case "InputFile":
      return types.includes("String") ? "AgADfileid" : "AgADfileid";
  }
  if (depth > 6) return undefined;
  const union = SUBTYPES[type];
  if (union) return dummyOf([union[0]], name, ctx, depth + 1);
  const fields = TYPES[type];
  if (!fields) return `${name}-value`;
  const obj: Record<string, unknown> = {};
  for (const [f, ftypes, req] of fields) {
    if (!req) continue;
    const v = dummyOf(ftypes, f, ctx, depth + 1);
    if (v !== undefined) obj[f] = v;
  }
  // A member of a union names its kind in `type`: InputMediaPhoto -> "photo".
  const parent = Object.keys(SUBTYPES).find((u) =>
    type.startsWith(u) && SUBTYPES[u].includes(type)
  );
  if ("type" in obj && parent) obj.type = snake(type.slice(parent.length));
  return obj;
}

/** Every documented parameter of `name` with a dummy value (uploads as PNG bytes). */
function dummyParams(name: string, ctx: Ctx): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [p, types] of FACTS[name].params) {
    if (types.includes("InputFile")) out[p] = PNG.slice();
    else if (
      types.includes("Integer") && types.includes("String") && p === "chat_id"
    ) {
      out[p] = ctx.chatId;
    } else out[p] = dummyOf(types, p, ctx, 0);
  }
  if (name === "getUpdates") out.timeout = 0;
  return out;
}

/** Splits `params` into positional arguments (by the independent rule) and options. */
function toArgs(name: string, params: Record<string, unknown>): unknown[] {
  const positional = expectedPositional(name);
  const rest = { ...params };
  const args = positional.map((p) => {
    if (p === "#") {
      const id = [rest.chat_id, rest.message_id];
      delete rest.chat_id;
      delete rest.message_id;
      delete rest.inline_message_id;
      return id;
    }
    const v = rest[p];
    delete rest[p];
    return v;
  });
  return [...args, rest];
}

/** What the emulator should have recorded for what was sent. */
function expectedRecord(
  name: string,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (MSG_ID_METHODS.includes(name) && k === "inline_message_id") continue;
    out[k] = v instanceof Uint8Array ? v : JSON.parse(JSON.stringify(v));
  }
  return out;
}

async function assertRecorded(
  name: string,
  recorded: Record<string, unknown>,
  expected: Record<string, unknown>,
) {
  for (const [k, v] of Object.entries(expected)) {
    const got = recorded[k];
    if (v instanceof Uint8Array) {
      assert.ok(
        got instanceof File,
        `${name}.${k} should arrive as an uploaded File`,
      );
      assert.deepEqual(
        new Uint8Array(await got.arrayBuffer()),
        v,
        `${name}.${k} bytes`,
      );
      assert.equal(got.name, k, `${name}.${k} file name`);
    } else {
      assert.deepEqual(got, v, `${name}.${k}`);
    }
  }
  for (const k of Object.keys(recorded)) {
    assert.ok(k in expected, `${name}: unexpected parameter ${k}`);
  }
}

Deno.test("every one of the 180 methods sends its parameters as the emulator records them", async (t) => {
  for (const name of Object.keys(METHODS)) {
    await t.step(name, async () => {
      const emu = new Emulator({
        webhookFetch: () => Promise.resolve(new Response("ok")),
      });
      try {
        const bot = new Bot(emu.token, onEmulator(emu, { timeout: 5000 }));
        const alice = emu.user("Alice");
        const sent = await alice.send("hello");
        const ctx = {
          chatId: alice.chat.id,
          userId: alice.id,
          messageId: sent.message_id,
        };
        const params = dummyParams(name, ctx);
        emu.clearCalls();
        const method = (bot as unknown as Record<
          string,
          (...a: unknown[]) => Promise<unknown>
        >)[
          name
        ];
        await method.apply(bot, toArgs(name, params)).catch((err) => {
          // Many dummy calls are refused by the emulator's model (an unknown sticker set,
          // an unsupported feature): the request itself is what is checked here.
          if (!(err instanceof Error) || !("errorCode" in err)) throw err;
        });
        assert.equal(emu.calls.length, 1, `${name}: one request`);
        const call = emu.calls[0];
        assert.equal(call.method, name);
        // The request is valid by the Bot API facts: whatever the emulator's model then
        // answered (an unknown sticker set, a feature it does not model) is not checked.
        const verdict = validateParams(name, call.params);
        assert.ok(
          verdict.ok,
          `${name}: invalid request: ${!verdict.ok && verdict.description}`,
        );
        await assertRecorded(name, call.params, expectedRecord(name, params));
      } finally {
        await emu.close();
      }
    });
  }
});

Deno.test("message-identifier methods send an inline_message_id string as inline_message_id", async () => {
  await using rig = emulatedBot();
  const { emu, bot } = rig;
  const ctx = { chatId: 1, userId: 1, messageId: 1 };
  for (const name of MSG_ID_METHODS) {
    const params = dummyParams(name, ctx);
    delete params.chat_id;
    delete params.message_id;
    const args = toArgs(name, params);
    args[0] = "inline-42";
    emu.clearCalls();
    const method = (bot as unknown as Record<
      string,
      (...a: unknown[]) => Promise<unknown>
    >)[name];
    await method.apply(bot, args).catch(() => {});
    const got = emu.calls[0].params;
    assert.equal(got.inline_message_id, "inline-42", name);
    assert.ok(!("chat_id" in got) && !("message_id" in got), name);
  }
});

Deno.test("kickChatMember() and getChatMembersCount() send their current names", async () => {
  await using rig = emulatedBot();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const group = emu.supergroup("G", [alice], { botStatus: "administrator" });
  await bot.kickChatMember(group.id, alice.id, { until_date: 5 }).catch(
    () => {},
  );
  assert.equal(emu.calls.at(-1)!.method, "banChatMember");
  assert.deepEqual(emu.calls.at(-1)!.params, {
    chat_id: group.id,
    user_id: alice.id,
    until_date: 5,
  });
  const count = await bot.getChatMembersCount(group.id).catch(() => undefined);
  assert.equal(emu.calls.at(-1)!.method, "getChatMemberCount");
  assert.deepEqual(emu.calls.at(-1)!.params, { chat_id: group.id });
  if (count !== undefined) assert.equal(typeof count, "number");
});

Deno.test("the ephemeral-message methods of @grammyjs/types send their positional parameters", async () => {
  const emu = new Emulator();
  const bodies: { method: string; body: unknown }[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    bodies.push({
      method: url.slice(url.lastIndexOf("/") + 1),
      body: JSON.parse(String(init?.body)),
    });
    return await emu.fetch(input, init);
  };
  try {
    const bot = new Bot(emu.token, onEmulator(emu, { fetch: recording }));
    const ids = { chat_id: 1, receiver_user_id: 2, ephemeral_message_id: 3 };
    // Bot API 10.1 does not have them: the emulator answers 404, as Telegram does for
    // methods it does not know.
    await assert.rejects(bot.deleteEphemeralMessage(1, 2, 3), {
      errorCode: 404,
    });
    await assert.rejects(
      bot.editEphemeralMessageText(1, 2, 3, "t", { parse_mode: "HTML" }),
    );
    await assert.rejects(
      bot.editEphemeralMessageCaption(1, 2, 3, { caption: "c" }),
    );
    await assert.rejects(bot.editEphemeralMessageReplyMarkup(1, 2, 3));
    await assert.rejects(
      bot.editEphemeralMessageMedia(1, 2, 3, { type: "photo", media: "id" }),
    );
    assert.deepEqual(bodies, [
      { method: "deleteEphemeralMessage", body: ids },
      {
        method: "editEphemeralMessageText",
        body: { ...ids, text: "t", parse_mode: "HTML" },
      },
      { method: "editEphemeralMessageCaption", body: { ...ids, caption: "c" } },
      { method: "editEphemeralMessageReplyMarkup", body: ids },
      {
        method: "editEphemeralMessageMedia",
        body: { ...ids, media: { type: "photo", media: "id" } },
      },
    ]);
  } finally {
    await emu.close();
  }
});

Deno.test("a method rejects a wrong message identifier with a TypeError naming the method", async () => {
  const bot = new Bot("1:x", {
    fetch: () => Promise.reject(new Error("must not be called")),
  });
  await assert.rejects(
    bot.editMessageText(42 as unknown as string, "x"),
    (err: Error) =>
      err instanceof TypeError &&
      /^editMessageText: the message identifier/.test(err.message),
  );
  await assert.rejects(
    bot.stopMessageLiveLocation([1] as unknown as [number, number]),
    TypeError,
  );
});

Deno.test("a method rejects extra positional arguments instead of dropping them", async () => {
  const bot = new Bot("1:x", {
    fetch: () => Promise.reject(new Error("must not be called")),
  });
  const send = bot.sendMessage as unknown as (
    ...a: unknown[]
  ) => Promise<unknown>;
  await assert.rejects(
    send.call(bot, 1, "hi", "HTML"),
    (err: Error) =>
      err instanceof TypeError &&
      err.message ===
        "sendMessage: takes 2 positional arguments (chat_id, text) and then one options object",
  );
  await assert.rejects(send.call(bot, 1, "hi", {}, {}), TypeError);
});

Deno.test("a method keeps positional values over same-named options and drops undefined ones", async () => {
  await using rig = emulatedBot();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const opts = {
    chat_id: 999,
    text: "from options",
    parse_mode: undefined,
    disable_notification: true,
  };
  // deno-lint-ignore no-explicit-any
  await bot.sendMessage(alice.id, "positional", opts as any);
  assert.deepEqual(emu.calls.at(-1)!.params, {
    chat_id: alice.id,
    text: "positional",
    disable_notification: true,
  });
});

Deno.test("a method's signal option aborts the request and is not sent", async () => {
  await using rig = emulatedBot();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const ctrl = new AbortController();
  await bot.sendMessage(alice.id, "hi", { signal: ctrl.signal });
  assert.ok(!("signal" in emu.calls.at(-1)!.params));
  emu.inject("sendMessage", { kind: "hang" });
  const pending = bot.sendMessage(alice.id, "hi", { signal: ctrl.signal });
  const reason = new Error("changed my mind");
  ctrl.abort(reason);
  await assert.rejects(pending, (err) => err === reason);
});
