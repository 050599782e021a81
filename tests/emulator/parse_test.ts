import { deepStrictEqual, equal, ok, rejects } from "node:assert/strict";
import fc from "fast-check";
import { METHODS } from "../../src/gen/spec.ts";
import { BodyError, canonicalMethod, parseParams } from "../../src/emulator/parse.ts";
import { validateParams } from "../../src/emulator/validate.ts";

const URL_ = "http://emulator.test/bot123:ABC/sendMessage";
const enc = new TextEncoder();

function post(
  body: BodyInit | null,
  contentType?: string,
  url = URL_,
  headers: Record<string, string> = {},
) {
  const h = new Headers(headers);
  if (contentType !== undefined) h.set("content-type", contentType);
  return new Request(url, { method: "POST", headers: h, body });
}

async function bodyError(req: Request): Promise<BodyError> {
  try {
    await parseParams(req);
  } catch (e) {
    if (e instanceof BodyError) return e;
    throw new Error(`not a BodyError: ${e}`);
  }
  throw new Error("parseParams() accepted the request");
}

function concat(parts: (string | Uint8Array)[]): Uint8Array<ArrayBuffer> {
  const bytes = parts.map((p) => typeof p === "string" ? enc.encode(p) : p);
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// canonicalMethod

Deno.test("canonicalMethod() matches every method case-insensitively", () => {
  for (const name of Object.keys(METHODS)) {
    equal(canonicalMethod(name), name);
    equal(canonicalMethod(name.toUpperCase()), name);
    equal(canonicalMethod(name.toLowerCase()), name);
  }
  equal(canonicalMethod("SENDMESSAGE"), "sendMessage");
});

Deno.test("canonicalMethod() knows Telegram's old aliases and nothing else", () => {
  equal(canonicalMethod("kickChatMember"), "banChatMember");
  equal(canonicalMethod("getChatMembersCount"), "getChatMemberCount");
  equal(canonicalMethod("sendMessages"), undefined);
  equal(canonicalMethod(""), undefined);
  equal(canonicalMethod("toString"), undefined);
  equal(canonicalMethod("__proto__"), undefined);
});

// ---------------------------------------------------------------------------------------------
// parseParams: the encodings

Deno.test("parseParams() reads the query string of a GET request", async () => {
  const params = await parseParams(
    new Request(URL_ + "?chat_id=5&text=h%C3%A9+llo&empty=&flag"),
  );
  deepStrictEqual(params, {
    chat_id: "5",
    text: "hé llo",
    empty: "",
    flag: "",
  });
});

Deno.test("parseParams() decodes only well-formed percent escapes", async () => {
  const params = await parseParams(
    new Request(URL_ + "?a=100%&b=%zz%4&c=%41%2B+%2b"),
  );
  deepStrictEqual(params, { a: "100%", b: "%zz%4", c: "A+ +" });
});

Deno.test("parseParams() merges the query string with a JSON body, the query winning", async () => {
  const req = post(
    JSON.stringify({
      chat_id: 1,
      text: "body",
      reply_markup: { inline_keyboard: [] },
      n: null,
    }),
    "application/json",
    URL_ + "?text=query",
  );
  deepStrictEqual(await parseParams(req), {
    text: "query",
    chat_id: 1,
    reply_markup: { inline_keyboard: [] },
    n: null,
  });
});

Deno.test("parseParams() reads urlencoded bodies, the first occurrence of a name winning", async () => {
  const req = post(
    "chat_id=1&text=a%26b%3Dc&chat_id=2&=x&&",
    "application/x-www-form-urlencoded",
  );
  deepStrictEqual(await parseParams(req), { chat_id: "1", text: "a&b=c" });
});

Deno.test("parseParams() recognises content types as substrings, like Telegram", async () => {
  deepStrictEqual(
    await parseParams(post('{"a":1}', "Application/JSON; charset=utf-8")),
    { a: 1 },
  );
  deepStrictEqual(
    await parseParams(
      post("a=1", "application/x-www-form-urlencoded;charset=UTF-8"),
    ),
    { a: "1" },
  );
});

Deno.test("parseParams() ignores bodies of other or no content type, as Telegram does", async () => {
  deepStrictEqual(await parseParams(post('{"chat_id":1}', "text/plain")), {});
  deepStrictEqual(await parseParams(post(enc.encode("chat_id=1"))), {});
  deepStrictEqual(
    await parseParams(post('{"chat_id":1}', undefined, URL_ + "?x=1")),
    { x: "1" },
  );
});

Deno.test("parseParams() reads FormData bodies with files as web File objects", async () => {
  const fd = new FormData();
  fd.append("chat_id", "5");
  fd.append("caption", "héllo");
  const bytes = new Uint8Array([0, 1, 2, 255, 13, 10, 45, 45]);
  fd.append("photo", new File([bytes], "pic.png", { type: "image/png" }));
  const params = await parseParams(
    new Request(URL_, { method: "POST", body: fd }),
  );
  deepStrictEqual(Object.keys(params), ["chat_id", "caption", "photo"]);
  equal(params.caption, "héllo");
  const photo = params.photo;
  ok(photo instanceof File);
  equal(photo.name, "pic.png");
  equal(photo.type, "image/png");
  deepStrictEqual(new Uint8Array(await photo.arrayBuffer()), bytes);
});

Deno.test("parseParams() reads hand-written multipart: preamble, quoting, defaults, nested forms", async () => {
  const body = concat([
    "preamble to ignore\r\n",
    "--b0undary\r\n",
    'content-disposition: form-data; name="chat_id"\r\n\r\n',
    "7\r\n--b0undary  \r\n",
    'Content-Disposition: form-data;\r\n name=doc; filename="a; b.txt"\r\n\r\n',
    enc.encode("file\r\nbody"),
    "\r\n--b0undary\r\n",
    'Content-Disposition: form-data; name="more"\r\n',
    "Content-Type: application/x-www-form-urlencoded\r\n\r\n",
    "x=1&y=%C3%A9",
    "\r\n--b0undary--\r\nepilogue",
  ]);
  const params = await parseParams(
    post(body, 'multipart/form-data; boundary="b0undary"; charset=x'),
  );
  deepStrictEqual(Object.keys(params), ["chat_id", "doc", "x", "y"]);
  equal(params.chat_id, "7");
  equal(params.y, "é");
  const doc = params.doc as File;
  equal(doc.name, "a; b.txt");
  equal(doc.type, "application/octet-stream");
  equal(await doc.text(), "file\r\nbody");
});

Deno.test("parseParams() reads an empty body of any kind as no parameters", async () => {
  for (
    const type of [
      "application/json",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
    ]
  ) {
    deepStrictEqual(await parseParams(post("", type)), {});
  }
  deepStrictEqual(await parseParams(post(" \n ", "application/json")), {});
});

Deno.test("parseParams() decompresses gzip and deflate bodies", async () => {
  for (const format of ["gzip", "deflate"] as const) {
    const body = new Blob(['{"chat_id":1,"text":"zip"}']).stream().pipeThrough(
      new CompressionStream(format),
    );
    const req = new Request(URL_, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-encoding": format,
      },
      body,
    });
    deepStrictEqual(await parseParams(req), { chat_id: 1, text: "zip" });
  }
});

Deno.test("parseParams() keeps hostile names as plain own parameters", async () => {
  const params = await parseParams(
    post(
      "__proto__=1&constructor=2&toString=3",
      "application/x-www-form-urlencoded",
    ),
  );
  equal(Object.getPrototypeOf(params), Object.prototype);
  deepStrictEqual(Object.keys(params), [
    "__proto__",
    "constructor",
    "toString",
  ]);
  equal(Object.getOwnPropertyDescriptor(params, "__proto__")?.value, "1");
  const json = await parseParams(
    post('{"__proto__":{"polluted":true}}', "application/json"),
  );
  equal(Object.getPrototypeOf(json), Object.prototype);
  equal(({} as Record<string, unknown>).polluted, undefined);
});

// ---------------------------------------------------------------------------------------------
// parseParams: refusals

Deno.test("parseParams() refuses malformed JSON bodies", async () => {
  for (
    const body of [
      "{",
      '{"a":}',
      "{'a':1}",
      "[1,2]",
      '"text"',
      "5",
      "null",
      "true",
    ]
  ) {
    const e = await bodyError(post(body, "application/json"));
    equal(e.status, 400);
    ok(
      [
        "Bad Request: can't parse JSON object",
        "Bad Request: JSON object expected",
      ].includes(
        e.message,
      ),
      `${body}: ${e.message}`,
    );
  }
  equal(
    (await bodyError(post("[]", "application/json"))).message,
    "Bad Request: JSON object expected",
  );
});

Deno.test("parseParams() refuses strings that are not UTF-8 wherever they come from", async () => {
  const msg = "Bad Request: strings must be encoded in UTF-8";
  equal((await bodyError(new Request(URL_ + "?text=%FF"))).message, msg);
  equal(
    (await bodyError(post("text=%C3%28", "application/x-www-form-urlencoded")))
      .message,
    msg,
  );
  equal(
    (await bodyError(
      post(
        concat(['{"text":"', new Uint8Array([0xff]), '"}']),
        "application/json",
      ),
    ))
      .message,
    msg,
  );
  const multipart = concat([
    '--b\r\nContent-Disposition: form-data; name="text"\r\n\r\n',
    new Uint8Array([0xc0, 0xaf]),
    "\r\n--b--",
  ]);
  equal(
    (await bodyError(post(multipart, "multipart/form-data; boundary=b")))
      .message,
    msg,
  );
});

Deno.test("parseParams() refuses malformed multipart bodies with Telegram's wording", async () => {
  const cases: [string, string, string][] = [
    ["multipart/form-data", "--b\r\n", "Bad Request: boundary not found"],
    [
      "multipart/form-data; boundary",
      "--b\r\n",
      "Bad Request: boundary value not found",
    ],
    [
      "multipart/form-data; boundary=",
      "--b\r\n",
      "Bad Request: boundary too big or empty",
    ],
    [
      "multipart/form-data; boundary=" + "x".repeat(71),
      "--b\r\n",
      "Bad Request: boundary too big or empty",
    ],
    [
      "multipart/form-data; boundary=b",
      "no boundary at all",
      "Bad Request: unexpected end of multipart/form-data",
    ],
    [
      "multipart/form-data; boundary=b",
      '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nnever closed',
      "Bad Request: unexpected end of multipart/form-data",
    ],
    [
      "multipart/form-data; boundary=b",
      "--b\r\n\r\nvalue\r\n--b--",
      "Bad Request: headers in multipart/form-data are empty",
    ],
    [
      "multipart/form-data; boundary=b",
      '--b\r\nContent-Disposition: attachment; name="a"\r\n\r\nv\r\n--b--',
      "Bad Request: expected form-data content disposition",
    ],
    [
      "multipart/form-data; boundary=b",
      '--b\r\nContent-Disposition: form-data; filename="x"\r\n\r\nv\r\n--b--',
      "Bad Request: field name in multipart/form-data not found",
    ],
    [
      "multipart/form-data; boundary=b",
      "--b\r\nno colon here\r\n\r\nv\r\n--b--",
      "Bad Request: can't parse form data headers",
    ],
  ];
  for (const [type, body, message] of cases) {
    const e = await bodyError(post(body, type));
    equal(e.message, message, `${type} / ${JSON.stringify(body)}`);
    equal(e.status, 400);
  }
});

Deno.test("parseParams() refuses bodies over the size limits with 413", async () => {
  const limits = { maxBodyBytes: 1024, maxMultipartBytes: 2048 };
  const big = JSON.stringify({ text: "x".repeat(1100) });
  deepStrictEqual(
    await parseParams(post(big, "application/json")),
    JSON.parse(big),
  );
  await rejects(
    parseParams(post(new Blob([big]).stream(), "application/json"), limits),
    (err) =>
      err instanceof BodyError && err.status === 413 &&
      err.message === "Request Entity Too Large",
  );
  const fd = new FormData();
  fd.append("doc", new File([new Uint8Array(3000)], "big.bin"));
  let e = await (async () => {
    try {
      await parseParams(
        new Request(URL_, { method: "POST", body: fd }),
        limits,
      );
    } catch (err) {
      return err as BodyError;
    }
    throw new Error("accepted");
  })();
  equal(e.status, 413);
  // A multipart body may be larger than other bodies.
  const small = new FormData();
  small.append("doc", new File([new Uint8Array(1500)], "ok.bin"));
  const params = await parseParams(
    new Request(URL_, { method: "POST", body: small }),
    limits,
  );
  equal((params.doc as File).size, 1500);
  // A declared Content-Length over the limit is refused before reading.
  e = await bodyError(
    post("{}", "application/json", URL_, {
      "content-length": String(11 * 1024 * 1024),
    }),
  );
  equal(e.status, 413);
});

Deno.test("parseParams() refuses a JSON body over the default 10 MiB", async () => {
  const body = '{"text":"' + "x".repeat(10 * 1024 * 1024) + '"}';
  const e = await bodyError(
    post(new Blob([body]).stream(), "application/json"),
  );
  equal(e.status, 413);
});

Deno.test("parseParams() refuses unknown and corrupt content encodings", async () => {
  let e = await bodyError(
    post("{}", "application/json", URL_, { "content-encoding": "br" }),
  );
  equal(e.status, 415);
  equal(e.message, "Unsupported Media Type: unsupported content-encoding");
  e = await bodyError(
    post("not gzip at all", "application/json", URL_, {
      "content-encoding": "gzip",
    }),
  );
  equal(e.status, 400);
  equal(e.message, "Bad Request: can't decode the request body");
});

Deno.test("parseParams() refuses a body that was already read", async () => {
  const req = post('{"a":1}', "application/json");
  await req.text();
  equal(
    (await bodyError(req)).message,
    "Bad Request: can't read the request body",
  );
});

// ---------------------------------------------------------------------------------------------
// Property: every encoding of the same parameters reads and validates to the same value.

const text = fc.string({ unit: "binary", minLength: 1, maxLength: 40 }).filter((
  s,
) => s.trim() !== "");
const str = fc.string({ unit: "binary", maxLength: 20 });
const sendMessageParams = fc.record({
  chat_id: fc.oneof(
    fc.maxSafeInteger(),
    fc.stringMatching(/^@[A-Za-z][A-Za-z0-9_]{3,20}$/),
  ),
  text,
  message_thread_id: fc.maxSafeInteger(),
  disable_notification: fc.boolean(),
  protect_content: fc.boolean(),
  parse_mode: str,
  entities: fc.array(
    fc.record(
      {
        type: fc.constantFrom("bold", "text_link", "pre"),
        offset: fc.nat(999),
        length: fc.nat(999),
        url: str,
      },
      { requiredKeys: ["type", "offset", "length"] },
    ),
    { maxLength: 3 },
  ),
  link_preview_options: fc.record(
    { is_disabled: fc.boolean(), url: str, prefer_small_media: fc.boolean() },
    { requiredKeys: [] },
  ),
  reply_parameters: fc.record(
    { message_id: fc.nat(), quote: str, chat_id: fc.integer() },
    { requiredKeys: ["message_id"] },
  ),
  reply_markup: fc.record({
    inline_keyboard: fc.array(
      fc.array(fc.record({ text: str, callback_data: str }), {
        minLength: 1,
        maxLength: 3,
      }),
      { maxLength: 3 },
    ),
  }),
}, { requiredKeys: ["chat_id", "text"] });
const extras = fc.dictionary(
  fc.stringMatching(/^x_[a-z0-9_]{1,10}$/),
  fc.oneof(fc.jsonValue({ maxDepth: 3 }), str),
  { maxKeys: 4 },
);

/** The text of a value in a form: strings as they are, anything else JSON-serialized. */
const formValue = (v: unknown) => typeof v === "string" ? v : JSON.stringify(v);

/** Known parameters compared as coerced values; unknown ones as the text Telegram would see. */
function canonical(params: Record<string, unknown>): Record<string, unknown> {
  const r = validateParams("sendMessage", params);
  if (!r.ok) throw new Error(r.description);
  const known = new Set<string>(
    METHODS.sendMessage.params.map(([name]) => name),
  );
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.params)) {
    out[k] = known.has(k) ? v : formValue(v);
  }
  return out;
}

const crlf = (s: string) => s.replace(/\r\n|\r|\n/g, "\r\n");

function handMultipart(
  entries: [string, string][],
  boundary: string,
  quoted: boolean,
  padding: string,
) {
  const parts: string[] = [padding ? padding + "\r\n" : ""];
  for (const [name, value] of entries) {
    parts.push(
      `--${boundary}\r\n`,
      `Content-Disposition: form-data; name="${name}"\r\n\r\n`,
      value,
      "\r\n",
    );
  }
  parts.push(`--${boundary}--\r\n`, padding);
  return post(
    concat(parts),
    `multipart/form-data; boundary=${quoted ? `"${boundary}"` : boundary}`,
  );
}

Deno.test("parseParams() + validateParams() read every encoding of the same params alike", async () => {
  await fc.assert(
    fc.asyncProperty(
      sendMessageParams,
      extras,
      fc.stringMatching(/^[A-Za-z0-9'()+_,.\/:=?-]{1,60}$/),
      fc.boolean(),
      fc.stringMatching(/^[ -~]{0,20}$/),
      fc.nat(),
      async (known, extra, boundary, quoted, padding, split) => {
        const params: Record<string, unknown> = { ...extra, ...known };
        const entries = Object.entries(params).map(([k, v]) =>
          [k, formValue(v)] as [string, string]
        );
        fc.pre(
          entries.every(([, v]) => !v.includes("--" + boundary)) &&
            !padding.includes("--" + boundary),
        );
        const expected = canonical(JSON.parse(JSON.stringify(params)));

        const json = post(JSON.stringify(params), "application/json");
        const form = post(new URLSearchParams(entries), undefined);
        const query = new Request(URL_ + "?" + new URLSearchParams(entries));
        const multipart = handMultipart(entries, boundary, quoted, padding);
        // Half the parameters in the query string, the rest in a JSON body.
        const inQuery = entries.filter((_, i) => (split >> (i % 30)) & 1);
        const rest = Object.fromEntries(
          Object.entries(params).filter(([k]) => !inQuery.some(([q]) => q === k)),
        );
        const mixed = post(
          JSON.stringify(rest),
          "application/json",
          URL_ + "?" + new URLSearchParams(inQuery),
        );
        for (const req of [json, form, query, multipart, mixed]) {
          deepStrictEqual(canonical(await parseParams(req)), expected);
        }
        // FormData as a browser or Deno sends it: line breaks in values become CRLF (HTML spec).
        const fd = new FormData();
        for (const [k, v] of entries) fd.append(k, v);
        const viaFormData = canonical(
          await parseParams(new Request(URL_, { method: "POST", body: fd })),
        );
        const expectedCrlf = Object.fromEntries(
          Object.entries(expected).map((
            [k, v],
          ) => [k, typeof v === "string" ? crlf(v) : v]),
        );
        deepStrictEqual(viaFormData, expectedCrlf);
      },
    ),
    { numRuns: 150 },
  );
});

// ---------------------------------------------------------------------------------------------
// Property: garbage never gets anything but a BodyError (so the emulator always answers 4xx).

async function readsOrRefuses(
  req: Request,
  method = "sendMessage",
): Promise<void> {
  let params: Record<string, unknown>;
  try {
    params = await parseParams(req);
  } catch (e) {
    ok(e instanceof BodyError, `not a BodyError: ${e}`);
    ok([400, 413, 415].includes(e.status));
    ok(
      /^(Bad Request|Request Entity Too Large|Unsupported Media Type)/.test(
        e.message,
      ),
      e.message,
    );
    return;
  }
  const r = validateParams(method, params);
  if (!r.ok) ok(r.description.startsWith("Bad Request: "), r.description);
}

const contentTypes = fc.constantFrom(
  undefined,
  "application/json",
  "application/json; charset=utf-8",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=XyZ",
  'multipart/form-data; boundary="XyZ"',
  "multipart/form-data",
  "multipart/form-data; boundary=",
  "text/plain",
);

Deno.test("parseParams() answers random bytes with parameters or a BodyError only", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 400 }),
      contentTypes,
      fc.constantFrom(undefined, "gzip", "deflate", "identity", "br"),
      fc.constantFrom(...Object.keys(METHODS)),
      async (bytes, type, encoding, method) => {
        const headers: Record<string, string> = encoding === undefined
          ? {}
          : { "content-encoding": encoding };
        await readsOrRefuses(post(bytes, type, URL_, headers), method);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("parseParams() answers mangled JSON, forms and multipart with a BodyError only", async () => {
  const jsonish = fc.string({
    unit: fc.constantFrom(...'{}[]":,0123456789.-etruanlfx\\ u\u00e9'),
    maxLength: 60,
  });
  const formish = fc.string({
    unit: fc.constantFrom(..."ab=&%+2F0C3\u00e9_"),
    maxLength: 60,
  });
  const valid = handMultipart(
    [["chat_id", "1"], ["text", "héllo"], ["doc", "x"]],
    "XyZ",
    false,
    "pre",
  );
  const validBytes = new Uint8Array(await valid.arrayBuffer());
  const mangled = fc.tuple(
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      maxLength: 6,
    }),
    fc.nat(),
  )
    .map(([edits, cut]) => {
      const b = validBytes.slice(
        0,
        validBytes.length - (cut % 8 === 0 ? cut % validBytes.length : 0),
      );
      for (const [at, value] of edits) b[at % b.length] = value;
      return b;
    });
  await fc.assert(
    fc.asyncProperty(
      jsonish,
      formish,
      mangled,
      async (json, form, multipart) => {
        await readsOrRefuses(post(json, "application/json"));
        await readsOrRefuses(
          post(form, "application/x-www-form-urlencoded", URL_ + "?" + form),
        );
        await readsOrRefuses(
          post(multipart, "multipart/form-data; boundary=XyZ"),
        );
      },
    ),
    { numRuns: 200 },
  );
});
