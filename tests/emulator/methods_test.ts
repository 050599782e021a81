// deno-lint-ignore-file no-explicit-any
// Every one of the Bot API's methods has an implementation: real effects, a documented fixed
// answer, or a plain 400 — never a crash, whatever the parameters.
import assert from "node:assert/strict";
import fc from "fast-check";
import { METHODS } from "../../src/gen/spec.ts";
import { TYPES } from "../../src/gen/spec_types.ts";
import { Emulator, tinyPng } from "../../testing.ts";
import { MISSING_HANDLERS } from "../../src/emulator/methods/index.ts";
import { openEmulator } from "../_harness.ts";

const NAMES = Object.keys(METHODS) as (keyof typeof METHODS)[];

Deno.test("Emulator.methodSupport covers all 180 methods and none lacks a handler", () => {
  assert.equal(NAMES.length, 180);
  assert.deepEqual(MISSING_HANDLERS, []);
  assert.deepEqual(
    Object.keys(Emulator.methodSupport).sort(),
    [...NAMES].sort(),
  );
  for (
    const m of [
      "getMe",
      "sendMessage",
      "sendMediaGroup",
      "forwardMessages",
      "copyMessages",
      "editMessageMedia",
      "deleteMessages",
      "sendChatAction",
      "answerCallbackQuery",
      "answerInlineQuery",
      "getChat",
      "getChatMember",
      "getFile",
      "setMyCommands",
      "getMyCommands",
      "setWebhook",
      "deleteWebhook",
      "getWebhookInfo",
      "getUpdates",
    ]
  ) {
    assert.ok(Emulator.methodsWithEffects.includes(m), m);
  }
  for (
    const m of Object.keys(METHODS).filter((n) =>
      n.startsWith("send") && n !== "sendChatJoinRequestWebApp"
    )
  ) {
    assert.notEqual(Emulator.methodSupport[m], "answer", m);
  }
});

function dummy(name: string, types: readonly string[], alice: number): unknown {
  if (name === "chat_id" || name === "user_id" || name === "from_chat_id") {
    return alice;
  }
  if (name === "message_id") return 1;
  if (name === "message_ids") return [1];
  const t = types[0];
  if (t === "Integer") return 1;
  if (t === "Float") return 1.5;
  if (t === "Boolean") return true;
  if (t === "String") return "x";
  if (t === "InputFile") return "attach://file";
  if (t.startsWith("Array of")) return [];
  return {};
}

Deno.test("every method answers plausible minimal parameters without a server error", async () => {
  const emu = new Emulator();
  const alice = emu.user("Alice");
  await alice.send("first message, id 1");
  try {
    for (const name of NAMES) {
      const fields = new FormData();
      for (const [param, types, required] of METHODS[name].params) {
        if (!required) continue;
        const v = dummy(param, types, alice.id);
        fields.append(param, typeof v === "string" ? v : JSON.stringify(v));
      }
      fields.append(
        "file",
        new File([tinyPng()], "f.png", { type: "image/png" }),
      );
      const res = await emu.fetch(`${emu.apiRoot}/bot${emu.token}/${name}`, {
        method: "POST",
        body: fields,
      });
      const body = await res.json();
      assert.notEqual(res.status, 500, `${name}: ${JSON.stringify(body)}`);
      assert.equal(typeof body.ok, "boolean", name);
      if (!body.ok) {
        assert.match(
          body.description,
          /^(Bad Request|Forbidden|Conflict|Not Found|Request Entity Too Large)/,
          name,
        );
        assert.equal(body.error_code, res.status, name);
      }
      const support = Emulator.methodSupport[name];
      if (support === "unsupported") {
        assert.equal(res.status, 400, name);
        assert.match(
          body.description,
          /not supported by the emulator|is empty|not found|wrong|invalid|can't parse/i,
          name,
        );
      }
    }
  } finally {
    await emu.close();
  }
});

Deno.test("unsupported methods say so plainly after validation", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const res = await emu.fetch(
    `${emu.apiRoot}/bot${emu.token}/sendGift?user_id=1&gift_id=g`,
  );
  const body = await res.json();
  assert.equal(res.status, 400);
  assert.match(
    body.description,
    /^Bad Request: sendGift is not supported by the emulator \(.+\)$/,
  );
});

const arbitraryValue = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(
    fc.oneof(
      fc.string(),
      fc.integer(),
      fc.dictionary(fc.string(), fc.string()),
    ),
    {
      maxLength: 3,
    },
  ),
  fc.dictionary(
    fc.string({ maxLength: 8 }),
    fc.oneof(fc.string(), fc.integer(), fc.boolean()),
  ),
);

Deno.test("garbage parameters never crash any method (always a Bot API answer)", async () => {
  const emu = new Emulator();
  const alice = emu.user("Alice");
  await alice.send("hello");
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ...NAMES.filter((n) => n !== "getUpdates" && n !== "setWebhook"),
        ),
        fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
        fc.array(arbitraryValue, { minLength: 30, maxLength: 30 }),
        async (name, keep, values) => {
          const params: Record<string, unknown> = {};
          METHODS[name].params.forEach(([param], i) => {
            if (keep[i % keep.length]) {
              params[param] = values[i % values.length];
            }
          });
          if (keep[0]) params.chat_id = alice.id;
          const res = await emu.fetch(
            `${emu.apiRoot}/bot${emu.token}/${name}`,
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(params),
            },
          );
          const body = await res.json();
          assert.notEqual(
            res.status,
            500,
            `${name} ${JSON.stringify(params)} -> ${JSON.stringify(body)}`,
          );
          assert.equal(typeof body.ok, "boolean");
        },
      ),
      { numRuns: 400 },
    );
  } finally {
    await emu.close();
  }
});

/** Checks that `value` has every required field of Bot API type `type` (shallow). */
function assertShape(type: string, value: any, where: string) {
  const fields = TYPES[type];
  assert.ok(fields, `unknown type ${type}`);
  for (const [name, , required] of fields) {
    if (required) {
      assert.ok(
        value?.[name] !== undefined,
        `${where}: ${type}.${name} missing`,
      );
    }
  }
  const known = new Set(fields.map(([n]) => n));
  for (const key of Object.keys(value ?? {})) {
    assert.ok(known.has(key), `${where}: ${type} has no field ${key}`);
  }
}

Deno.test("results have the Bot API's required fields and no unknown ones", async () => {
  const emu = new Emulator();
  const alice = emu.user("Alice");
  const group = emu.supergroup("Team", [alice], {
    botStatus: "administrator",
    forum: true,
  });
  const call = async (method: string, params: Record<string, unknown> = {}) => {
    const res = await emu.fetch(`${emu.apiRoot}/bot${emu.token}/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
    });
    const body = await res.json();
    assert.equal(body.ok, true, `${method}: ${JSON.stringify(body)}`);
    return body.result;
  };
  try {
    assertShape("User", await call("getMe"), "getMe");
    const msg = await call("sendMessage", {
      chat_id: alice.id,
      text: "hi /start @someone #tag https://example.com",
      reply_markup: { inline_keyboard: [[{ text: "b", callback_data: "d" }]] },
    });
    assertShape("Message", msg, "sendMessage");
    assertShape("Chat", msg.chat, "Message.chat");
    for (const e of msg.entities) assertShape("MessageEntity", e, "entity");
    assert.deepEqual(msg.entities.map((e: any) => e.type), [
      "bot_command",
      "mention",
      "hashtag",
      "url",
    ]);
    assertShape(
      "ChatFullInfo",
      await call("getChat", { chat_id: group.id }),
      "getChat",
    );
    assertShape(
      "ChatMemberOwner",
      await call("getChatMember", { chat_id: group.id, user_id: alice.id }),
      "owner",
    );
    assertShape(
      "ChatMemberAdministrator",
      await call("getChatMember", { chat_id: group.id, user_id: emu.bot.id }),
      "admin",
    );
    assertShape(
      "MessageId",
      await call("copyMessage", {
        chat_id: alice.id,
        from_chat_id: alice.id,
        message_id: msg.message_id,
      }),
      "copy",
    );
    const fwd = await call("forwardMessage", {
      chat_id: group.id,
      from_chat_id: alice.id,
      message_id: msg.message_id,
    });
    assertShape("Message", fwd, "forward");
    assertShape("MessageOriginUser", fwd.forward_origin, "forward_origin");
    assertShape("WebhookInfo", await call("getWebhookInfo"), "getWebhookInfo");
    const topic = await call("createForumTopic", {
      chat_id: group.id,
      name: "Ideas",
    });
    assertShape("ForumTopic", topic, "createForumTopic");
    assertShape(
      "ChatInviteLink",
      await call("createChatInviteLink", { chat_id: group.id, name: "x" }),
      "link",
    );
    const poll = await call("sendPoll", {
      chat_id: group.id,
      question: "?",
      options: [{ text: "a" }, { text: "b" }],
    });
    assertShape("Poll", poll.poll, "poll");
    for (const o of poll.poll.options) assertShape("PollOption", o, "option");
    assertShape(
      "Dice",
      (await call("sendDice", { chat_id: alice.id })).dice,
      "dice",
    );
    const venue = await call("sendVenue", {
      chat_id: alice.id,
      latitude: 1,
      longitude: 2,
      title: "t",
      address: "a",
    });
    assertShape("Venue", venue.venue, "venue");
    assertShape(
      "ChatAdministratorRights",
      await call("getMyDefaultAdministratorRights"),
      "rights",
    );
    assertShape("BotName", await call("getMyName"), "name");
    assertShape("MenuButtonCommands", await call("getChatMenuButton"), "menu");
    assertShape(
      "UserProfilePhotos",
      await call("getUserProfilePhotos", { user_id: alice.id }),
      "photos",
    );
    assertShape("StarAmount", await call("getMyStarBalance"), "stars");
    assertShape(
      "PreparedInlineMessage",
      await call("savePreparedInlineMessage", {
        user_id: alice.id,
        result: {
          type: "article",
          id: "1",
          title: "t",
          input_message_content: { message_text: "x" },
        },
        allow_user_chats: true,
      }),
      "prepared",
    );
    const invoice = await call("sendInvoice", {
      chat_id: alice.id,
      title: "Coffee",
      description: "Hot",
      payload: "p",
      currency: "XTR",
      prices: [{ label: "cup", amount: 5 }],
    });
    assertShape("Invoice", invoice.invoice, "invoice");
  } finally {
    await emu.close();
  }
});

Deno.test("docs/emulator.md lists every method under its support level", async () => {
  const doc = await Deno.readTextFile(
    new URL("../../docs/emulator.md", import.meta.url),
  );
  const section = doc.slice(
    doc.indexOf("method-support:begin"),
    doc.indexOf("method-support:end"),
  );
  const [effects, answers, unsupported] = section.split(/\n\s*\n/).filter((p) => p.includes("**"));
  const names = (text: string) => [...text.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1]).sort();
  const expect = (level: string) =>
    Object.entries(Emulator.methodSupport).filter(([, s]) => s === level).map((
      [m],
    ) => m).sort();
  assert.deepEqual(names(effects), expect("effect"));
  assert.deepEqual(names(answers), expect("answer"));
  assert.deepEqual(
    names(unsupported).filter((n) => n !== "method"),
    expect("unsupported"),
  );
});
