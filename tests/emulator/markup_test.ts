// Parse modes (HTML, MarkdownV2, Markdown) and the entities Telegram detects by itself.
import assert from "node:assert/strict";
import fc from "fast-check";
import { detectEntities, mergeEntities } from "../../src/emulator/entities.ts";
import { parseMarkup } from "../../src/emulator/markup.ts";
import { parseHtml } from "../../src/emulator/markup_html.ts";
import { parseMarkdown, parseMarkdownV2 } from "../../src/emulator/markup_markdown.ts";
import { ApiError } from "../../src/emulator/api_error.ts";

function fails(fn: () => unknown, description: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(
      e.description,
      `Bad Request: can't parse entities: ${description}`,
    );
    return true;
  });
}

Deno.test("parseHtml() maps tags to entities with UTF-16 offsets", () => {
  const r = parseHtml(
    "👍 <b>x</b> <i>y</i><u>z</u><s>w</s><tg-spoiler>s</tg-spoiler>",
  );
  assert.equal(r.text, "👍 x yzws");
  assert.deepEqual(r.entities, [
    { type: "bold", offset: 3, length: 1 },
    { type: "italic", offset: 5, length: 1 },
    { type: "underline", offset: 6, length: 1 },
    { type: "strikethrough", offset: 7, length: 1 },
    { type: "spoiler", offset: 8, length: 1 },
  ]);
});

Deno.test("parseHtml() handles pre/code languages, links, mentions, quotes and emoji", () => {
  const r = parseHtml(
    '<pre><code class="language-python">x = 1</code></pre><a href="tg://user?id=42">u</a>' +
      '<blockquote expandable>q</blockquote><tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>' +
      '<span class="tg-spoiler">s</span>',
  );
  assert.equal(r.text, "x = 1uq👍s");
  assert.deepEqual(r.entities, [
    { type: "pre", offset: 0, length: 5, language: "python" },
    {
      type: "text_mention",
      offset: 5,
      length: 1,
      user: { id: 42, is_bot: false, first_name: "" },
    },
    { type: "expandable_blockquote", offset: 6, length: 1 },
    {
      type: "custom_emoji",
      offset: 7,
      length: 2,
      custom_emoji_id: "5368324170671202286",
    },
    { type: "spoiler", offset: 9, length: 1 },
  ]);
});

Deno.test("parseHtml() decodes the supported character references", () => {
  assert.equal(
    parseHtml("&amp;&lt;&gt;&quot;&#65;&#x42; &nbsp;").text,
    '&<>"AB &nbsp;',
  );
});

Deno.test("parseHtml() reports Telegram's errors with UTF-8 byte offsets", () => {
  fails(
    () => parseHtml("<b>x</i>"),
    'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
  );
  fails(
    () => parseHtml("é<blink>"),
    'Unsupported start tag "blink" at byte offset 2',
  );
  fails(() => parseHtml("x</b>"), "Unexpected end tag at byte offset 1");
  fails(() => parseHtml("<b"), "Unclosed start tag at byte offset 0");
  fails(
    () => parseHtml("<i>never closed"),
    'Can\'t find end tag corresponding to start tag "i"',
  );
  fails(
    () => parseHtml('<span class="x">a</span>'),
    'Tag "span" must have class "tg-spoiler" at byte offset 0',
  );
});

Deno.test("parseMarkdownV2() parses nesting, links, code and quotes", () => {
  const r = parseMarkdownV2(
    "*bold _it_* __u__ [link](http://x.com/a\\)b) `a\\`b`",
  );
  assert.equal(r.text, "bold it u link a`b");
  assert.deepEqual(r.entities, [
    { type: "bold", offset: 0, length: 7 },
    { type: "italic", offset: 5, length: 2 },
    { type: "underline", offset: 8, length: 1 },
    { type: "text_link", offset: 10, length: 4, url: "http://x.com/a)b" },
    { type: "code", offset: 15, length: 3 },
  ]);
  const pre = parseMarkdownV2("```js\nlet a = 1;\n```");
  assert.deepEqual(pre, {
    text: "let a = 1;\n",
    entities: [{ type: "pre", offset: 0, length: 11, language: "js" }],
  });
  const quote = parseMarkdownV2(">line one\n>line two\nafter");
  assert.equal(quote.text, "line one\nline two\nafter");
  assert.deepEqual(quote.entities, [{
    type: "blockquote",
    offset: 0,
    length: 17,
  }]);
});

Deno.test("parseMarkdownV2() demands escapes and closed entities", () => {
  fails(
    () => parseMarkdownV2("1+1=2"),
    "Character '+' is reserved and must be escaped with the preceding '\\'",
  );
  fails(
    () => parseMarkdownV2("*open"),
    "Can't find end of Bold entity at byte offset 0",
  );
  fails(
    () => parseMarkdownV2("ok `code"),
    "Can't find end of Code entity at byte offset 3",
  );
  assert.equal(parseMarkdownV2("1\\+1\\=2\\.").text, "1+1=2.");
});

Deno.test("parseMarkdown() (legacy) parses its four entities and reports unclosed ones", () => {
  const r = parseMarkdown("*b* _i_ `c` [t](https://e.x) ```py\nx```");
  assert.equal(r.text, "b i c t x");
  assert.deepEqual(r.entities.map((e) => e.type), [
    "bold",
    "italic",
    "code",
    "text_link",
    "pre",
  ]);
  fails(
    () => parseMarkdown("a *b"),
    "Can't find end of the entity starting at byte offset 2",
  );
  // A backslash escapes only _ * ` [; one at the very end stays (as in Telegram's parser).
  assert.equal(parseMarkdown("a\\").text, "a\\");
  assert.equal(parseMarkdown("\\a\\_").text, "\\a_");
});

Deno.test("parseMarkup() is case-insensitive about the mode and rejects unknown ones", () => {
  assert.equal(parseMarkup("<b>x</b>", "html").entities[0].type, "bold");
  assert.throws(
    () => parseMarkup("x", "rst"),
    (e: unknown) => (e as ApiError).description === "Bad Request: unsupported parse_mode",
  );
});

Deno.test("detectEntities() finds commands, mentions, hashtags, cashtags, URLs and e-mails", () => {
  const text = "/start@MyBot go to https://x.y/path. or mail a.b@c.io #tag $USD @someone";
  const found = detectEntities(text).map((
    e,
  ) => [e.type, text.substr(e.offset, e.length)]);
  assert.deepEqual(found, [
    ["bot_command", "/start@MyBot"],
    ["url", "https://x.y/path"],
    ["email", "a.b@c.io"],
    ["hashtag", "#tag"],
    ["cashtag", "$USD"],
    ["mention", "@someone"],
  ]);
  assert.deepEqual(detectEntities("plain words only"), []);
  assert.deepEqual(detectEntities("a/b and x@y"), []);
});

Deno.test("mergeEntities() keeps given entities and adds non-overlapping detected ones", () => {
  const merged = mergeEntities(
    [{ type: "bold", offset: 0, length: 4 }],
    [{ type: "mention", offset: 1, length: 3 }, {
      type: "hashtag",
      offset: 5,
      length: 2,
    }],
  );
  assert.deepEqual(merged.map((e) => e.type), ["bold", "hashtag"]);
});

// Properties. Text mixes ASCII (with every special character of the three modes), accented
// letters and astral characters (two UTF-16 units each), so offsets in UTF-16 units differ
// from code points and bytes.
const textChar = fc.constantFrom(
  ..."abc xyz019\n_*[]()~`>#+-=|{}.!\\<&;\"'/".split(""),
  "é",
  "ß",
  "😀",
  "𝄞",
);
const plainText = fc.array(textChar, { maxLength: 40 }).map((a) => a.join(""));

const escapeV2 = (s: string) => s.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, "\\$&");
const escapeHtml = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const escapeV1 = (s: string) => s.replace(/[_*`[]/g, "\\$&");

Deno.test("property: escaped plain text parses back to itself with no entity in every mode", () => {
  fc.assert(
    fc.property(plainText, (text) => {
      assert.deepEqual(parseMarkdownV2(escapeV2(text)), { text, entities: [] });
      assert.deepEqual(parseHtml(escapeHtml(text)), { text, entities: [] });
      assert.deepEqual(parseMarkdown(escapeV1(text)), { text, entities: [] });
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: a wrapped escaped text gets one entity spanning it in UTF-16 units", () => {
  const nonEmpty = plainText.filter((t) => t.length > 0);
  fc.assert(
    fc.property(plainText, nonEmpty, plainText, (before, inner, after) => {
      const v2 = parseMarkdownV2(`${escapeV2(before)}*${escapeV2(inner)}*${escapeV2(after)}`);
      assert.equal(v2.text, before + inner + after);
      assert.deepEqual(v2.entities, [{
        type: "bold",
        offset: before.length,
        length: inner.length,
      }]);
      const html = parseHtml(
        `${escapeHtml(before)}<i>${escapeHtml(inner)}</i>${escapeHtml(after)}`,
      );
      assert.equal(html.text, before + inner + after);
      assert.deepEqual(html.entities, [
        { type: "italic", offset: before.length, length: inner.length },
      ]);
    }),
    { numRuns: 200 },
  );
});

Deno.test("property: nested entities come sorted by offset, the outer one first", () => {
  const nonEmpty = plainText.filter((t) => t.length > 0);
  fc.assert(
    fc.property(plainText, plainText, nonEmpty, plainText, (before, x, y, z) => {
      fc.pre(x.length + z.length > 0); // the outer entity strictly longer than the inner one
      const outer = { offset: before.length, length: x.length + y.length + z.length };
      const inner = { offset: before.length + x.length, length: y.length };
      const [b, ex, ey, ez] = [before, x, y, z].map(escapeV2);
      assert.deepEqual(parseMarkdownV2(`${b}*${ex}_${ey}_${ez}*`).entities, [
        { type: "bold", ...outer },
        { type: "italic", ...inner },
      ]);
      const [hb, hx, hy, hz] = [before, x, y, z].map(escapeHtml);
      assert.deepEqual(parseHtml(`${hb}<u>${hx}<s>${hy}</s>${hz}</u>`).entities, [
        { type: "underline", ...outer },
        { type: "strikethrough", ...inner },
      ]);
    }),
    { numRuns: 200 },
  );
});

// Markup soup: markers, tags and text pieces in any order; most inputs fail to parse.
const soup = fc.array(
  fc.constantFrom(
    ..."*_~|[]()`>!\\\n".split(""),
    "__",
    "||",
    "```",
    "**>",
    "a",
    "é",
    "😀",
    "(tg://user?id=7)",
    "(https://e.x)",
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    '<a href="https://e.x">',
    "</a>",
    "<pre>",
    '<code class="language-js">',
    "</code>",
    "</pre>",
    "<blockquote>",
    "</blockquote>",
    "&amp;",
    "&#x1F600;",
  ),
  { maxLength: 30 },
).map((a) => a.join(""));

Deno.test("property: entities lie inside the text, non-empty, sorted, never splitting a surrogate pair", () => {
  const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
  fc.assert(
    fc.property(soup, (src) => {
      for (const parse of [parseMarkdownV2, parseHtml, parseMarkdown]) {
        let parsed;
        try {
          parsed = parse(src);
        } catch (e) {
          assert.ok(e instanceof ApiError, String(e));
          assert.match(e.description, /^Bad Request: can't parse entities: /);
          continue;
        }
        const { text, entities } = parsed;
        let last = 0;
        for (const e of entities) {
          assert.ok(e.length > 0 && e.offset >= 0, JSON.stringify(e));
          assert.ok(e.offset + e.length <= text.length, JSON.stringify({ src, e }));
          assert.ok(e.offset >= last, "sorted by offset");
          last = e.offset;
          assert.ok(!isLow(text.charCodeAt(e.offset)), JSON.stringify({ src, e }));
          assert.ok(!isLow(text.charCodeAt(e.offset + e.length)), JSON.stringify({ src, e }));
        }
      }
    }),
    { numRuns: 400 },
  );
});
