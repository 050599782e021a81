/**
 * The HTML parse mode: Telegram's tag subset and character references.
 * @module
 */

import type { Entity } from "./entities.ts";
import { Builder, byteOffset, fail, linkEntity, type Parsed } from "./markup_build.ts";

const HTML_TAGS: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  u: "underline",
  ins: "underline",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  "tg-spoiler": "spoiler",
  span: "spoiler",
  a: "text_link",
  code: "code",
  pre: "pre",
  blockquote: "blockquote",
  "tg-emoji": "custom_emoji",
};

const NAMED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };

interface OpenTag {
  tag: string;
  start: number;
  attrs: Record<string, string>;
}

/** Parses Telegram's HTML subset. */
export function parseHtml(src: string): Parsed {
  const out = new Builder();
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "&") i = characterReference(src, i, out);
    else if (c !== "<") {
      out.text += c;
      i++;
    } else if (src[i + 1] === "/") i = endTag(src, i, out, stack);
    else i = startTag(src, i, out, stack);
  }
  if (stack.length > 0) {
    fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1].tag}"`);
  }
  return out.done();
}

/** Writes the character `&...;` at `i` stands for (or a lone `&`); returns where to go on. */
function characterReference(src: string, i: number, out: Builder): number {
  const m = /^&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{1,10});/.exec(src.slice(i, i + 12));
  if (m) {
    const name = m[1];
    let ch: string | undefined;
    if (name[0] === "#") {
      const code = name[1] === "x" || name[1] === "X"
        ? parseInt(name.slice(2), 16)
        : parseInt(name.slice(1), 10);
      ch = code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
    } else ch = NAMED[name];
    if (ch !== undefined) {
      out.text += ch;
      return i + m[0].length;
    }
  }
  out.text += "&";
  return i + 1;
}

/** Closes the tag opened last with the `</name>` at `i`; returns the index after it. */
function endTag(src: string, i: number, out: Builder, stack: OpenTag[]): number {
  const at = byteOffset(src, i);
  const close = src.indexOf(">", i);
  if (close < 0) fail(`Unclosed end tag at byte offset ${at}`);
  const name = src.slice(i + 2, close).trim().toLowerCase();
  const open = stack.pop();
  if (!open) fail(`Unexpected end tag at byte offset ${at}`);
  if (name !== open.tag) {
    fail(
      `Unmatched end tag at byte offset ${at}, expected "</${open.tag}>", found "</${name}>"`,
    );
  }
  closeTag(open, out, stack);
  return close + 1;
}

/** Opens the supported tag `<name ...>` at `i`; returns the index after its `>`. */
function startTag(src: string, i: number, out: Builder, stack: OpenTag[]): number {
  const at = byteOffset(src, i);
  const nameMatch = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(src.slice(i, i + 40));
  const name = nameMatch ? nameMatch[1].toLowerCase() : "";
  if (!(name in HTML_TAGS)) fail(`Unsupported start tag "${name}" at byte offset ${at}`);
  const { attrs, end } = readAttributes(src, i + 1 + name.length, name, at);
  if (name === "span" && attrs.class !== "tg-spoiler") {
    fail(`Tag "span" must have class "tg-spoiler" at byte offset ${at}`);
  }
  if (name === "tg-emoji" && !attrs["emoji-id"]) {
    fail(`Tag "tg-emoji" must have attribute "emoji-id" at byte offset ${at}`);
  }
  stack.push({ tag: name, start: out.offset, attrs });
  return end + 1;
}

/**
 * Reads the attributes of the start tag `name` (at byte offset `at`) from `j` up to its
 * `>`; returns them (names in lower case) and the index of the `>`.
 */
function readAttributes(
  src: string,
  j: number,
  name: string,
  at: number,
): { attrs: Record<string, string>; end: number } {
  const attrs: Record<string, string> = {};
  for (;;) {
    while (j < src.length && /\s/.test(src[j])) j++;
    if (j >= src.length) fail(`Unclosed start tag at byte offset ${at}`);
    if (src[j] === ">") return { attrs, end: j };
    if (src[j] === "/" && src[j + 1] === ">") {
      fail(`Unsupported start tag "${name}" at byte offset ${at}`);
    }
    const an = /^[a-zA-Z_:][-a-zA-Z0-9_:.]*/.exec(src.slice(j, j + 64));
    if (!an) fail(`Empty attribute name in the tag "${name}" at byte offset ${at}`);
    j += an[0].length;
    let value = "";
    if (src[j] === "=") [value, j] = readAttributeValue(src, j + 1, at);
    attrs[an[0].toLowerCase()] = value;
  }
}

/** Reads a quoted or bare attribute value at `j`; returns it decoded and the index after. */
function readAttributeValue(src: string, j: number, at: number): [string, number] {
  const q = src[j];
  if (q === '"' || q === "'") {
    const end = src.indexOf(q, j + 1);
    if (end < 0) fail(`Unclosed start tag at byte offset ${at}`);
    return [decodeAttr(src.slice(j + 1, end)), end + 1];
  }
  const m = /^[^\s>]*/.exec(src.slice(j))!;
  return [decodeAttr(m[0]), j + m[0].length];
}

function decodeAttr(v: string): string {
  return v.replace(
    /&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|lt|gt|amp|quot);/g,
    (_, n: string) =>
      n[0] === "#"
        ? String.fromCodePoint(n[1] === "x" ? parseInt(n.slice(2), 16) : parseInt(n.slice(1), 10))
        : NAMED[n],
  );
}

/** Turns the closed tag `open` into its entity (the text ends at `out.offset`). */
function closeTag(open: OpenTag, out: Builder, stack: OpenTag[]): void {
  const length = out.offset - open.start;
  const type = HTML_TAGS[open.tag];
  const e: Entity = { type, offset: open.start, length };
  if (type === "text_link") {
    const href = open.attrs.href ?? "";
    if (href !== "") out.add(linkEntity(open.start, length, href));
    return;
  } else if (type === "custom_emoji") {
    e.custom_emoji_id = open.attrs["emoji-id"];
  } else if (type === "blockquote" && "expandable" in open.attrs) {
    e.type = "expandable_blockquote";
  } else if (type === "code") {
    const parent = stack[stack.length - 1];
    const lang = /^language-(.+)$/.exec(open.attrs.class ?? "")?.[1];
    if (parent?.tag === "pre" && parent.start === open.start) {
      if (lang) parent.attrs["data-language"] = lang;
      return;
    }
  } else if (type === "pre") {
    const lang = open.attrs["data-language"];
    if (lang) e.language = lang;
  }
  out.add(e);
}
