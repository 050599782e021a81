import { deepStrictEqual, equal, ok } from "node:assert/strict";
import fc from "fast-check";
import { METHODS, type ParamFact } from "../../src/gen/spec.ts";
import { SUBTYPES, TYPES } from "../../src/gen/spec_types.ts";
import { validateParams } from "../../src/emulator/validate.ts";

function accept(
  method: string,
  params: Record<string, unknown>,
): Record<string, unknown> {
  const r = validateParams(method, params);
  if (!r.ok) throw new Error(`${method} refused: ${r.description}`);
  return r.params;
}

function refuse(method: string, params: Record<string, unknown>): string {
  const r = validateParams(method, params);
  if (r.ok) throw new Error(`${method} accepted ${JSON.stringify(params)}`);
  return r.description;
}

Deno.test("validateParams() coerces sendMessage parameters and keeps unknown ones", () => {
  deepStrictEqual(
    accept("sendMessage", {
      chat_id: "42",
      text: "hi",
      message_thread_id: " 7 ",
      disable_notification: "true",
      protect_content: "0",
      parse_mode: "HTML",
      custom_extra: { a: 1 },
    }),
    {
      chat_id: 42,
      text: "hi",
      message_thread_id: 7,
      disable_notification: true,
      protect_content: false,
      parse_mode: "HTML",
      custom_extra: { a: 1 },
    },
  );
  deepStrictEqual(accept("sendMessage", { chat_id: "@channel", text: 5 }), {
    chat_id: "@channel",
    text: "5",
  });
  deepStrictEqual(accept("sendMessage", { chat_id: -100123, text: true }), {
    chat_id: -100123,
    text: "true",
  });
});

Deno.test("validateParams() drops empty and null optional parameters", () => {
  deepStrictEqual(
    accept("sendMessage", {
      chat_id: 1,
      text: "a",
      message_thread_id: "",
      parse_mode: null,
      reply_markup: "",
    }),
    { chat_id: 1, text: "a" },
  );
});

Deno.test("validateParams() answers Telegram's wording for missing parameters", () => {
  equal(refuse("sendMessage", { text: "x" }), "Bad Request: chat_id is empty");
  equal(
    refuse("sendMessage", { chat_id: "", text: "x" }),
    "Bad Request: chat_id is empty",
  );
  equal(
    refuse("sendMessage", { chat_id: 1 }),
    "Bad Request: message text is empty",
  );
  equal(
    refuse("sendMessage", { chat_id: 1, text: " \n " }),
    "Bad Request: message text is empty",
  );
  equal(
    refuse("getChatMember", { chat_id: 1 }),
    "Bad Request: invalid user_id specified",
  );
  equal(
    refuse("forwardMessage", { chat_id: 1, from_chat_id: 2 }),
    "Bad Request: message identifier is not specified",
  );
  equal(
    refuse("deleteMessages", { chat_id: 1 }),
    "Bad Request: message identifiers are not specified",
  );
  equal(
    refuse("forwardMessage", { chat_id: 1, message_id: 3 }),
    "Bad Request: from_chat_id is empty",
  );
  equal(
    refuse("sendPhoto", { chat_id: 1 }),
    "Bad Request: there is no photo in the request",
  );
  equal(
    refuse("sendDocument", { chat_id: 1 }),
    "Bad Request: there is no document in the request",
  );
  equal(refuse("setWebhook", {}), 'Bad Request: parameter "url" is required');
  equal(
    refuse("getFile", { file_id: "" }),
    'Bad Request: parameter "file_id" is required',
  );
  equal(
    refuse("setChatStickerSet", { chat_id: 1 }),
    "Bad Request: sticker_set_name is empty",
  );
  equal(
    refuse("banChatSenderChat", { chat_id: 1 }),
    "Bad Request: sender_chat_id is empty",
  );
});

Deno.test("validateParams() refuses mistyped scalars", () => {
  equal(
    refuse("sendMessage", { chat_id: 1, text: "a", message_thread_id: "abc" }),
    "Bad Request: message_thread_id must be a valid Integer",
  );
  equal(
    refuse("sendMessage", { chat_id: 1, text: "a", message_thread_id: 1.5 }),
    "Bad Request: message_thread_id must be a valid Integer",
  );
  equal(
    refuse("sendMessage", {
      chat_id: 1,
      text: "a",
      disable_notification: "maybe",
    }),
    "Bad Request: disable_notification must be a valid Boolean",
  );
  equal(
    refuse("sendMessage", { chat_id: "abc", text: "a" }),
    "Bad Request: chat not found",
  );
  equal(
    refuse("sendMessage", { chat_id: { id: 1 }, text: "a" }),
    "Bad Request: chat not found",
  );
  equal(
    refuse("getChatMember", { chat_id: 1, user_id: "-5" }),
    "Bad Request: invalid user_id specified",
  );
  equal(
    refuse("sendLocation", { chat_id: 1, latitude: "1.5", longitude: "east" }),
    "Bad Request: longitude must be a valid Number",
  );
  deepStrictEqual(
    accept("sendLocation", { chat_id: 1, latitude: "-1.5e1", longitude: 30 }),
    {
      chat_id: 1,
      latitude: -15,
      longitude: 30,
    },
  );
  deepStrictEqual(
    accept("getUpdates", {
      offset: "-1",
      limit: 10,
      timeout: "30",
      allowed_updates: '["message"]',
    }),
    { offset: -1, limit: 10, timeout: 30, allowed_updates: ["message"] },
  );
});

Deno.test("validateParams() parses JSON-serialized arrays and objects, or takes real ones", () => {
  const markup = { inline_keyboard: [[{ text: "a", callback_data: "b" }]] };
  const entities = [{ type: "bold", offset: 0, length: 1 }];
  const fromForm = accept("sendMessage", {
    chat_id: "1",
    text: "a",
    reply_markup: JSON.stringify(markup),
    entities: JSON.stringify(entities),
    link_preview_options: '{"is_disabled":true}',
  });
  const fromJson = accept("sendMessage", {
    chat_id: 1,
    text: "a",
    reply_markup: markup,
    entities,
    link_preview_options: { is_disabled: true },
  });
  deepStrictEqual(fromForm, fromJson);
  deepStrictEqual(fromJson.reply_markup, markup);
  deepStrictEqual(
    accept("forwardMessages", {
      chat_id: 1,
      from_chat_id: "@x",
      message_ids: '[1,"2"]',
    })
      .message_ids,
    [1, 2],
  );
});

Deno.test("validateParams() answers the real server's wording for bad JSON arguments", () => {
  const send = (extra: Record<string, unknown>) =>
    refuse("sendMessage", { chat_id: 1, text: "a", ...extra });
  equal(
    send({ reply_markup: "{" }),
    "Bad Request: can't parse reply keyboard markup JSON object",
  );
  equal(
    send({ entities: "nope" }),
    "Bad Request: can't parse entities JSON object",
  );
  equal(
    send({ reply_parameters: "[" }),
    "Bad Request: can't parse reply_parameters JSON object",
  );
  equal(
    send({ reply_markup: "[]" }),
    "Bad Request: object expected as reply markup",
  );
  equal(
    send({ entities: "{}" }),
    "Bad Request: expected an Array of MessageEntity",
  );
  equal(
    send({ entities: '[{"type":"bold","offset":0}]' }),
    "Bad Request: can't parse MessageEntity: Can't find field \"length\"",
  );
  equal(
    send({ entities: '[{"type":"bold","offset":0,"length":true}]' }),
    'Bad Request: can\'t parse MessageEntity: Field "length" must be of type Number',
  );
  equal(
    send({ reply_parameters: "5" }),
    "Bad Request: can't parse ReplyParameters: ReplyParameters must be an Object",
  );
  equal(
    refuse("forwardMessages", {
      chat_id: 1,
      from_chat_id: 2,
      message_ids: "x",
    }),
    "Bad Request: can't parse message_ids JSON object",
  );
  equal(
    refuse("forwardMessages", {
      chat_id: 1,
      from_chat_id: 2,
      message_ids: '["a"]',
    }),
    "Bad Request: expected an Array of Integer",
  );
  equal(
    refuse("setMyCommands", { commands: '[{"command":"a"}]' }),
    "Bad Request: can't parse BotCommand: Can't find field \"description\"",
  );
  equal(
    refuse("editMessageMedia", { chat_id: 1, message_id: 2, media: "{" }),
    "Bad Request: can't parse input media JSON object",
  );
});

Deno.test("validateParams() checks reply markup the way Telegram reads it", () => {
  const send = (reply_markup: unknown) =>
    validateParams("sendMessage", { chat_id: 1, text: "a", reply_markup });
  ok(send({}).ok); // Telegram accepts an empty markup object
  ok(
    send({
      keyboard: [["plain", { text: "b", request_contact: true }]],
      resize_keyboard: true,
    }).ok,
  );
  ok(send({ remove_keyboard: true }).ok);
  ok(send({ force_reply: true, input_field_placeholder: "?" }).ok);
  deepStrictEqual(send({ inline_keyboard: [[{ text: "a" }]] }), {
    ok: false,
    description:
      "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
  });
  deepStrictEqual(
    send({ inline_keyboard: [{ text: "a", url: "https://t.me" }] }),
    {
      ok: false,
      description:
        'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
    },
  );
  deepStrictEqual(send({ keyboard: [[{ request_contact: true }]] }), {
    ok: false,
    description: "Bad Request: can't parse keyboard button: Can't find field \"text\"",
  });
  deepStrictEqual(send({ keyboard: "x" }), {
    ok: false,
    description: 'Bad Request: field "keyboard" must be of type Array',
  });
  deepStrictEqual(send({ remove_keyboard: "yes" }), {
    ok: false,
    description: 'Bad Request: field "remove_keyboard" must be of type Boolean',
  });
});

Deno.test("validateParams() accepts uploads, file ids and attach:// references to parts", () => {
  const file = new File([new Uint8Array([1, 2])], "a.png", {
    type: "image/png",
  });
  equal(accept("sendPhoto", { chat_id: 1, photo: file }).photo, file);
  equal(
    accept("sendPhoto", { chat_id: 1, photo: "AgACAgIAAx0" }).photo,
    "AgACAgIAAx0",
  );
  equal(
    accept("sendPhoto", { chat_id: 1, photo: "https://example.com/a.png" })
      .photo,
    "https://example.com/a.png",
  );
  equal(
    accept("sendPhoto", { chat_id: 1, photo: "attach://pic", pic: file }).photo,
    "attach://pic",
  );
  equal(
    refuse("sendPhoto", { chat_id: 1, photo: "attach://pic" }),
    "Bad Request: there is no photo in the request",
  );
  equal(
    refuse("sendPhoto", {
      chat_id: 1,
      photo: "attach://pic",
      pic: "not a file",
    }),
    "Bad Request: there is no photo in the request",
  );
  equal(
    refuse("sendPhoto", { chat_id: 1, photo: { id: 1 } }),
    "Bad Request: wrong file identifier/HTTP URL specified",
  );
  // setChatPhoto's photo must be uploaded: a file id is not enough.
  equal(
    refuse("setChatPhoto", { chat_id: 1, photo: "AgAC" }),
    "Bad Request: there is no photo in the request",
  );
  ok(validateParams("setChatPhoto", { chat_id: 1, photo: file }).ok);
  // A file part under a name that takes no file is no argument at all.
  equal(
    refuse("sendMessage", { chat_id: 1, text: file }),
    "Bad Request: message text is empty",
  );
});

Deno.test("validateParams() checks media groups and their attachments", () => {
  const file = new File(["x"], "x.jpg");
  const media = [
    { type: "photo", media: "attach://p1" },
    { type: "photo", media: "AgACfileid", caption: "c" },
  ];
  ok(
    validateParams("sendMediaGroup", {
      chat_id: 1,
      media: JSON.stringify(media),
      p1: file,
    }).ok,
  );
  equal(
    refuse("sendMediaGroup", { chat_id: 1, media }),
    "Bad Request: can't parse InputMedia: media not found",
  );
  equal(
    refuse("sendMediaGroup", { chat_id: 1, media: [{ type: "photo" }] }),
    "Bad Request: can't parse InputMedia: Can't find field \"media\"",
  );
  equal(
    refuse("sendMediaGroup", { chat_id: 1, media: { type: "photo" } }),
    "Bad Request: expected an Array of InputMedia",
  );
  equal(
    refuse("sendMediaGroup", { chat_id: 1 }),
    'Bad Request: parameter "media" is required',
  );
  // A missing thumbnail upload is tolerated, as Telegram does.
  ok(
    validateParams("sendMediaGroup", {
      chat_id: 1,
      media: [{ type: "video", media: "vid", thumbnail: "attach://nothing" }],
    }).ok,
  );
  ok(
    validateParams("editMessageMedia", {
      chat_id: 1,
      message_id: 2,
      media: { type: "photo", media: "id" },
    }).ok,
  );
});

Deno.test("validateParams() checks union types against the member the value names", () => {
  equal(
    refuse("answerInlineQuery", {
      inline_query_id: "1",
      results: [{ type: "article", id: "1" }],
    }),
    "Bad Request: can't parse InlineQueryResult: Can't find field \"title\"",
  );
  ok(
    validateParams("answerInlineQuery", {
      inline_query_id: "1",
      results: [{
        type: "article",
        id: "1",
        title: "t",
        input_message_content: { message_text: "hello" },
      }],
    }).ok,
  );
  equal(
    refuse("setMyCommands", { commands: "[]", scope: { type: "chat" } }),
    "Bad Request: can't parse BotCommandScope: Can't find field \"chat_id\"",
  );
  ok(
    validateParams("setMyCommands", {
      commands: "[]",
      scope: '{"type":"chat","chat_id":"@g"}',
    }).ok,
  );
  ok(
    validateParams("setMyCommands", {
      commands: "[]",
      scope: { type: "all_private_chats" },
    }).ok,
  );
});

Deno.test("validateParams() answers Not Found for a method it does not know", () => {
  deepStrictEqual(validateParams("sendmessage", {}), {
    ok: false,
    description: "Not Found: method not found",
  });
  deepStrictEqual(validateParams("toString", {}), {
    ok: false,
    description: "Not Found: method not found",
  });
});

Deno.test("validateParams() is safe with hostile parameter names", () => {
  const params = JSON.parse(
    '{"chat_id":1,"text":"a","__proto__":{"polluted":1},"constructor":2}',
  );
  const r = accept("sendMessage", params);
  equal(Object.getPrototypeOf(r), Object.prototype);
  equal(({} as Record<string, unknown>).polluted, undefined);
  deepStrictEqual(Object.keys(r).sort(), [
    "__proto__",
    "chat_id",
    "constructor",
    "text",
  ]);
  // An inherited name is not a parameter.
  equal(
    refuse("getFile", Object.create({ file_id: "x" })),
    'Bad Request: parameter "file_id" is required',
  );
});

// ---------------------------------------------------------------------------------------------
// Every one of the 180 methods: a synthesized valid call passes, and each required parameter
// left out (or sent empty) is refused with a Bad Request naming what is missing.

const FILE = new File([new Uint8Array([7])], "f.bin");

function sampleType(type: string, depth: number): unknown {
  if (type.startsWith("Array of ")) {
    return [sampleType(type.slice(9), depth + 1)];
  }
  switch (type) {
    case "Integer":
      return 7;
    case "Float":
      return 1.5;
    case "Boolean":
    case "True":
      return true;
    case "String":
      return "x";
    case "InputFile":
      return FILE;
  }
  if (Object.hasOwn(SUBTYPES, type)) {
    return sampleType(SUBTYPES[type][0], depth + 1);
  }
  const fields = Object.hasOwn(TYPES, type) ? TYPES[type] : [];
  const obj: Record<string, unknown> = {};
  if (depth < 8) {
    for (const [name, types, required] of fields) {
      if (required) obj[name] = sampleType(types[0], depth + 1);
    }
  }
  return obj;
}

function sampleParam([, types]: ParamFact): unknown {
  if (types.includes("InputFile")) {
    return types.includes("String") ? "AgADfileid" : FILE;
  }
  if (types.join("|") === "Integer|String") return 7;
  return sampleType(types[0], 0);
}

function validCall(method: string, asForm: boolean): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (
    const fact of METHODS[method as keyof typeof METHODS]
      .params as readonly ParamFact[]
  ) {
    if (!fact[2]) continue;
    const v = sampleParam(fact);
    params[fact[0]] = asForm && typeof v === "object" && !(v instanceof Blob)
      ? JSON.stringify(v)
      : v;
  }
  return params;
}

const SPECIAL_MISSING = [
  "message text is empty",
  "invalid user_id specified",
  "message identifier is not specified",
  "message identifiers are not specified",
];

Deno.test("validateParams() checks the required parameters of all 180 methods", () => {
  const names = Object.keys(METHODS);
  equal(names.length, 180);
  let checkedRequired = 0;
  for (const method of names) {
    for (const asForm of [false, true]) {
      const r = validateParams(method, validCall(method, asForm));
      if (!r.ok) {
        throw new Error(
          `${method} (form ${asForm}) refused a valid call: ${r.description}`,
        );
      }
    }
    for (
      const [name] of (METHODS[method as keyof typeof METHODS]
        .params as readonly ParamFact[])
        .filter((f) => f[2])
    ) {
      for (const replacement of [undefined, ""]) {
        const params = validCall(method, true);
        if (replacement === undefined) delete params[name];
        else params[name] = replacement;
        const r = validateParams(method, params);
        if (r.ok) throw new Error(`${method} accepted a call without ${name}`);
        ok(r.description.startsWith("Bad Request: "), r.description);
        ok(
          r.description.includes(name) ||
            SPECIAL_MISSING.some((s) => r.description.endsWith(s)),
          `${method} without ${name}: ${r.description}`,
        );
      }
      checkedRequired++;
    }
  }
  ok(checkedRequired > 250, `only ${checkedRequired} required parameters`);
});

// ---------------------------------------------------------------------------------------------
// Property: whatever a client sends, validateParams answers (never throws), and a refusal is a
// Bad Request.

const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.constantFrom(
    "",
    "attach://f",
    "@user",
    "-1",
    "1.5",
    "true",
    "[]",
    "{}",
    "[1,2]",
    '{"type":"photo"}',
  ),
  fc.constant(FILE),
);

Deno.test("validateParams() never throws on arbitrary parameters of any method", () => {
  const methods = Object.keys(METHODS);
  fc.assert(
    fc.property(
      fc.constantFrom(...methods),
      fc.infiniteStream(anyValue),
      fc.nat(),
      (method, values, seed) => {
        const facts = METHODS[method as keyof typeof METHODS]
          .params as readonly ParamFact[];
        const params: Record<string, unknown> = { f: FILE };
        facts.forEach(([name], i) => {
          if ((seed >> (i % 30)) & 1) params[name] = values.next().value;
        });
        const r = validateParams(method, params);
        if (!r.ok) ok(r.description.startsWith("Bad Request: "), r.description);
      },
    ),
    { numRuns: 200 },
  );
});
