// glance(), contentType(), flavor() and messageIdentifier(), checked against the Bot API
// facts and against messages the emulator produces.
import assert from "node:assert/strict";
import { tinyPng } from "../../testing.ts";
import {
  contentType,
  flavor,
  glance,
  glance2,
  type Message,
  messageIdentifier,
  type Update,
} from "../../mod.ts";
import { CONTENT_TYPES, MESSAGE_METADATA, UPDATE_KINDS } from "../../src/gen/content_types.ts";
import { TYPES } from "../../src/gen/spec_types.ts";
import { emulatedBot } from "../_harness.ts";

const FIELDS = TYPES.Message.map((f) => f[0]);
const CONTENT = CONTENT_TYPES.split(" ");
const METADATA = MESSAGE_METADATA.split(" ");

function message(
  extra: Record<string, unknown>,
  chatType = "private",
): Message {
  return {
    message_id: 7,
    date: 1_700_000_000,
    chat: { id: 42, type: chatType },
    from: { id: 42, is_bot: false, first_name: "A" },
    ...extra,
  } as unknown as Message;
}

Deno.test("CONTENT_TYPES and MESSAGE_METADATA split every Message field of Bot API 10.1", () => {
  assert.deepEqual([...CONTENT, ...METADATA].sort(), [...FIELDS].sort());
  assert.equal(new Set([...CONTENT, ...METADATA]).size, FIELDS.length);
  // Both keep the documented order.
  assert.deepEqual(CONTENT, FIELDS.filter((f) => CONTENT.includes(f)));
  assert.deepEqual(METADATA, FIELDS.filter((f) => METADATA.includes(f)));
  for (
    const kind of [
      "text",
      "photo",
      "new_chat_members",
      "successful_payment",
      "rich_message",
    ]
  ) {
    assert.ok(CONTENT.includes(kind), kind);
  }
  for (
    const meta of [
      "message_id",
      "chat",
      "caption",
      "entities",
      "reply_markup",
      "from",
    ]
  ) {
    assert.ok(METADATA.includes(meta), meta);
  }
});

Deno.test("UPDATE_KINDS lists every Update field but update_id", () => {
  assert.deepEqual(
    UPDATE_KINDS.split(" "),
    TYPES.Update.map((f) => f[0]).slice(1),
  );
});

Deno.test("glance() names every content type a Bot API 10.1 Message can carry", () => {
  assert.ok(CONTENT.length >= 70, String(CONTENT.length));
  for (const kind of CONTENT) {
    const msg = message({ [kind]: kind === "text" ? "hi" : {} });
    assert.deepEqual(glance(msg), [kind, "private", 42], kind);
    assert.equal(contentType(msg), kind);
  }
});

Deno.test("glance() with long adds date and message_id", () => {
  const msg = message({ text: "hi" }, "supergroup");
  assert.deepEqual(glance(msg, { long: true }), [
    "text",
    "supergroup",
    42,
    1_700_000_000,
    7,
  ]);
  assert.deepEqual(glance2(msg), ["text", "supergroup", 42]);
  assert.equal(glance2, glance);
});

Deno.test("glance() prefers the specific kind where Telegram also sets the older field", () => {
  assert.equal(
    glance(message({ document: {}, animation: {} }))[0],
    "animation",
  );
  assert.equal(glance(message({ photo: [], live_photo: {} }))[0], "live_photo");
  assert.equal(glance(message({ location: {}, venue: {} }))[0], "venue");
  assert.equal(
    glance(message({ photo: [], caption: "c", caption_entities: [] }))[0],
    "photo",
  );
  assert.equal(
    glance(message({ entities: [], text: "t", link_preview_options: {} }))[0],
    "text",
  );
  // A legacy field Telegram still sends beside new_chat_members does not win.
  assert.equal(
    glance(
      message({
        new_chat_participant: {},
        new_chat_member: {},
        new_chat_members: [],
      }),
    )[0],
    "new_chat_members",
  );
});

Deno.test("glance() passes a content kind newer than Bot API 10.1 through as its field name", () => {
  assert.equal(
    glance(message({ reply_to_message: {}, hologram: { x: 1 } }))[0],
    "hologram",
  );
  assert.equal(glance(message({}))[0], "unknown");
});

Deno.test("glance() with a flavor reads telepot's tuples of queries", () => {
  const from = { id: 5, is_bot: false, first_name: "U" };
  const cq = { id: "q1", from, chat_instance: "ci", data: "d" };
  assert.deepEqual(glance(cq as never, { flavor: "callback_query" }), [
    "q1",
    5,
    "d",
  ]);
  const iq = {
    id: "q2",
    from,
    query: "cats",
    offset: "10",
    chat_type: "private",
  };
  assert.deepEqual(glance(iq as never, { flavor: "inline_query" }), [
    "q2",
    5,
    "cats",
  ]);
  assert.deepEqual(
    glance(iq as never, { flavor: "inline_query", long: true }),
    [
      "q2",
      5,
      "cats",
      "10",
    ],
  );
  const cir = { result_id: "r", from, query: "dogs" };
  assert.deepEqual(glance(cir as never, { flavor: "chosen_inline_result" }), [
    "r",
    5,
    "dogs",
  ]);
  const sq = { id: "s", from, invoice_payload: "p", shipping_address: {} };
  assert.deepEqual(glance(sq as never, { flavor: "shipping_query" }), [
    "s",
    5,
    "p",
  ]);
  const pcq = {
    id: "c",
    from,
    invoice_payload: "p",
    currency: "XTR",
    total_amount: 5,
  };
  assert.deepEqual(glance(pcq as never, { flavor: "pre_checkout_query" }), [
    "c",
    5,
    "p",
  ]);
  assert.deepEqual(
    glance(pcq as never, { flavor: "pre_checkout_query", long: true }),
    [
      "c",
      5,
      "p",
      "XTR",
      5,
    ],
  );
});

Deno.test("glance() throws a TypeError that names the problem", () => {
  const cases: [unknown, Record<string, unknown> | undefined, RegExp][] = [
    [null, undefined, /^glance\(\): expected an object, got null$/],
    [42, undefined, /^glance\(\): expected an object, got number$/],
    [[1], undefined, /got an array/],
    [
      { update_id: 1, message: {} },
      undefined,
      /got an Update: pass update\.message$/,
    ],
    [
      { id: "1", from: {}, chat_instance: "x" },
      undefined,
      /got a callback_query: use glance\(x, \{ flavor: "callback_query" \}\)/,
    ],
    [
      { message_id: 1, date: 0 },
      undefined,
      /expected a Message \(with message_id and chat\)/,
    ],
    [
      message({ text: "t" }),
      { flavor: "inline_query" },
      /^glance\(\): flavor "inline_query" needs the "id" field$/,
    ],
    [message({ text: "t" }), { flavor: "poll" }, /unknown flavor "poll"/],
  ];
  for (const [input, options, pattern] of cases) {
    assert.throws(
      () => glance(input as never, options as never),
      (err: Error) => {
        assert.ok(err instanceof TypeError, String(err));
        assert.match(err.message, pattern);
        return true;
      },
    );
  }
});

Deno.test("flavor() names every Update kind of Bot API 10.1", () => {
  for (const kind of UPDATE_KINDS.split(" ")) {
    assert.equal(
      flavor({ update_id: 3, [kind]: {} } as unknown as Update),
      kind,
    );
  }
});

Deno.test("flavor() passes an Update kind newer than Bot API 10.1 through as its name", () => {
  assert.equal(
    flavor({ update_id: 9, teleportation: { id: 1 } } as unknown as Update),
    "teleportation",
  );
});

Deno.test("flavor() throws a TypeError for what is not an Update", () => {
  const cases: [unknown, RegExp][] = [
    [undefined, /^flavor\(\): expected an object, got undefined$/],
    ["message", /got string/],
    [
      message({ text: "t" }),
      /got a Message: flavor\(\) takes the Update that carries it/,
    ],
    [
      { id: "1", from: {}, chat_instance: "x" },
      /got a callback_query, not an Update/,
    ],
    [{ update_id: 1 }, /carries nothing besides update_id/],
  ];
  for (const [input, pattern] of cases) {
    assert.throws(() => flavor(input as never), (err: Error) => {
      assert.ok(err instanceof TypeError);
      assert.match(err.message, pattern);
      return true;
    });
  }
});

Deno.test("messageIdentifier() addresses a message, a callback query's message, an inline message", () => {
  assert.deepEqual(messageIdentifier(message({ text: "t" })), [42, 7]);
  const from = { id: 5, is_bot: false, first_name: "U" };
  const cq = {
    id: "q",
    from,
    chat_instance: "c",
    message: message({ text: "t" }),
  };
  assert.deepEqual(messageIdentifier(cq as never), [42, 7]);
  const inline = {
    id: "q",
    from,
    chat_instance: "c",
    inline_message_id: "AAA",
  };
  assert.equal(messageIdentifier(inline as never), "AAA");
  assert.equal(
    messageIdentifier(
      { result_id: "r", from, query: "", inline_message_id: "B" } as never,
    ),
    "B",
  );
  assert.throws(
    () => messageIdentifier({ result_id: "r", from, query: "" } as never),
    TypeError,
  );
});

Deno.test("glance() and flavor() read what the emulator delivers through getUpdates", async () => {
  await using rig = emulatedBot();
  const { emu, bot } = rig;
  const alice = emu.user("Alice");
  const bob = emu.user("Bob");
  const group = emu.group("G", [alice, bob]);
  await alice.send("hi");
  await alice.send("/start x");
  await alice.sendPhoto(tinyPng(), { caption: "cat" });
  await alice.sendDocument(new Uint8Array([1, 2]), {
    fileName: "a.bin",
    mimeType: "application/octet-stream",
  });
  await alice.sendLocation(1.5, 2.5);
  await bob.send("in the group", { chat: group });
  const sent = await bot.sendMessage(alice.id, "press", {
    reply_markup: {
      inline_keyboard: [[{ text: "b", callback_data: "yes" }]],
    },
  });
  await alice.pressButton(sent, "yes");
  const updates = await bot.getUpdates();
  const seen = updates.map((u) => {
    const kind = flavor(u);
    const payload = (u as unknown as Record<string, unknown>)[kind];
    return kind === "message" ? [kind, ...glance(payload as Message)] : [
      kind,
      ...glance(payload as never, { flavor: kind as "callback_query" }),
    ];
  });
  assert.deepEqual(seen, [
    ["message", "text", "private", alice.chat.id],
    ["message", "text", "private", alice.chat.id],
    ["message", "photo", "private", alice.chat.id],
    ["message", "document", "private", alice.chat.id],
    ["message", "location", "private", alice.chat.id],
    ["message", "text", "group", group.id],
    ["callback_query", updates.at(-1)!.callback_query!.id, alice.id, "yes"],
  ]);
  assert.deepEqual(messageIdentifier(updates.at(-1)!.callback_query!), [
    alice.chat.id,
    sent.message_id,
  ]);
});
