/**
 * Parse modes: turns HTML, MarkdownV2 or legacy Markdown text into plain text plus
 * MessageEntity objects, with Telegram's `can't parse entities` errors.
 * @module
 */

import { badRequest } from "./api_error.ts";
import type { Entity } from "./entities.ts";

/** Plain text and its entities. */
export interface Parsed {
  text: string;
  entities: Entity[];
}

const encoder = new TextEncoder();

function byteOffset(s: string, index: number): number {
  return encoder.encode(s.slice(0, index)).length;
}

function fail(why: string): never {
  throw badRequest(`can't parse entities: ${why}`);
}

/**
 * Parses `text` with `mode` ("HTML", "MarkdownV2" or "Markdown", case-insensitive).
 * Throws 400 `unsupported parse_mode` for any other mode.
 */
export function parseMarkup(text: string, mode: string): Parsed {
  switch (mode.toLowerCase()) {
    case "html":
      return parseHtml(text);
    case "markdownv2":
      return parseMarkdownV2(text);
    case "markdown":
      return parseMarkdown(text);
    case "":
      return { text, entities: [] };
    default:
      throw badRequest("unsupported parse_mode");
  }
}

function sortEntities(list: Entity[]): Entity[] {
  return list.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

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
  let out = "";
  const entities: Entity[] = [];
  const stack: OpenTag[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "&") {
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
          out += ch;
          i += m[0].length;
          continue;
        }
      }
      out += c;
      i++;
      continue;
    }
    if (c !== "<") {
      out += c;
      i++;
      continue;
    }
    const at = byteOffset(src, i);
    if (src[i + 1] === "/") {
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
      closeTag(open, out.length, entities, stack);
      i = close + 1;
      continue;
    }
    const nameMatch = /^<([a-zA-Z][a-zA-Z0-9-]*)/.exec(src.slice(i, i + 40));
    const name = nameMatch ? nameMatch[1].toLowerCase() : "";
    if (!(name in HTML_TAGS)) fail(`Unsupported start tag "${name}" at byte offset ${at}`);
    let j = i + 1 + name.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      while (j < src.length && /\s/.test(src[j])) j++;
      if (j >= src.length) fail(`Unclosed start tag at byte offset ${at}`);
      if (src[j] === ">") break;
      if (src[j] === "/" && src[j + 1] === ">") {
        fail(`Unsupported start tag "${name}" at byte offset ${at}`);
      }
      const an = /^[a-zA-Z_:][-a-zA-Z0-9_:.]*/.exec(src.slice(j, j + 64));
      if (!an) fail(`Empty attribute name in the tag "${name}" at byte offset ${at}`);
      j += an[0].length;
      let value = "";
      if (src[j] === "=") {
        j++;
        const q = src[j];
        if (q === '"' || q === "'") {
          const end = src.indexOf(q, j + 1);
          if (end < 0) fail(`Unclosed start tag at byte offset ${at}`);
          value = decodeAttr(src.slice(j + 1, end));
          j = end + 1;
        } else {
          const m = /^[^\s>]*/.exec(src.slice(j))!;
          value = decodeAttr(m[0]);
          j += m[0].length;
        }
      }
      attrs[an[0].toLowerCase()] = value;
    }
    if (name === "span" && attrs.class !== "tg-spoiler") {
      fail(`Tag "span" must have class "tg-spoiler" at byte offset ${at}`);
    }
    if (name === "tg-emoji" && !attrs["emoji-id"]) {
      fail(`Tag "tg-emoji" must have attribute "emoji-id" at byte offset ${at}`);
    }
    stack.push({ tag: name, start: out.length, attrs });
    i = j + 1;
  }
  if (stack.length > 0) {
    fail(`Can't find end tag corresponding to start tag "${stack[stack.length - 1].tag}"`);
  }
  return { text: out, entities: sortEntities(entities) };
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

function closeTag(open: OpenTag, end: number, entities: Entity[], stack: OpenTag[]): void {
  const length = end - open.start;
  const type = HTML_TAGS[open.tag];
  const e: Entity = { type, offset: open.start, length };
  if (type === "text_link") {
    const href = open.attrs.href ?? "";
    const mention = /^tg:\/\/user\?id=(\d+)$/.exec(href);
    if (mention) {
      e.type = "text_mention";
      e.user = { id: Number(mention[1]), is_bot: false, first_name: "" };
    } else if (href === "") return;
    else e.url = href;
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
  if (length > 0) entities.push(e);
}

const V2_RESERVED = new Set("_*[]()~`>#+-=|{}.!".split(""));

const V2_NAMES: Record<string, string> = {
  "*": "Bold",
  "_": "Italic",
  "__": "Underline",
  "~": "Strikethrough",
  "||": "Spoiler",
  "[": "TextUrl",
  "![": "CustomEmoji",
};

const V2_TYPES: Record<string, string> = {
  "*": "bold",
  "_": "italic",
  "__": "underline",
  "~": "strikethrough",
  "||": "spoiler",
};

/** Parses MarkdownV2. */
export function parseMarkdownV2(src: string): Parsed {
  let out = "";
  const entities: Entity[] = [];
  const stack: { marker: string; start: number; at: number }[] = [];
  let quote: { start: number; expandable: boolean } | undefined;
  let i = 0;
  const atLineStart = () => i === 0 || src[i - 1] === "\n";
  while (i < src.length) {
    const c = src[i];
    if (
      c === "\\" && i + 1 < src.length && src.charCodeAt(i + 1) > 0 && src.charCodeAt(i + 1) < 127
    ) {
      out += src[i + 1];
      i += 2;
      continue;
    }
    if (atLineStart()) {
      const expandable = src.startsWith("**>", i);
      if (src[i] === ">" || expandable) {
        if (!quote) quote = { start: out.length, expandable: false };
        if (expandable) quote.expandable = true;
        i += expandable ? 3 : 1;
        continue;
      }
      if (quote && i > 0) {
        closeQuote(quote, out, entities);
        quote = undefined;
      }
    }
    if (!V2_RESERVED.has(c)) {
      out += c;
      i++;
      continue;
    }
    const at = byteOffset(src, i);
    if (c === "`") {
      if (src.startsWith("```", i)) {
        let j = i + 3;
        const nl = src.indexOf("\n", j);
        let language = "";
        const close = src.indexOf("```", j);
        if (nl >= 0 && (close < 0 || nl < close)) {
          language = src.slice(j, nl);
          if (/^[^\s`]*$/.test(language)) j = nl + 1;
          else language = "";
        }
        const { text, end } = readCode(src, j, "```");
        if (end < 0) fail(`Can't find end of Pre entity at byte offset ${at}`);
        const start = out.length;
        out += text;
        const e: Entity = { type: "pre", offset: start, length: text.length };
        if (language) e.language = language;
        if (text.length) entities.push(e);
        i = end + 3;
        continue;
      }
      const { text, end } = readCode(src, i + 1, "`");
      if (end < 0) fail(`Can't find end of Code entity at byte offset ${at}`);
      if (text.length) entities.push({ type: "code", offset: out.length, length: text.length });
      out += text;
      i = end + 1;
      continue;
    }
    let marker: string = c;
    if (c === "_" && src[i + 1] === "_") marker = "__";
    if (c === "|") {
      if (src[i + 1] !== "|") {
        fail(`Character '|' is reserved and must be escaped with the preceding '\\'`);
      }
      marker = "||";
    }
    if (c === "!" && src[i + 1] === "[") marker = "![";
    if (c === "]") {
      const top = stack[stack.length - 1];
      if (!top || (top.marker !== "[" && top.marker !== "![")) {
        fail(`Character ']' is reserved and must be escaped with the preceding '\\'`);
      }
      stack.pop();
      let url = "";
      let j = i + 1;
      if (src[j] === "(") {
        j++;
        while (j < src.length && src[j] !== ")") {
          if (src[j] === "\\" && j + 1 < src.length) j++;
          url += src[j];
          j++;
        }
        if (j >= src.length) {
          fail(`Can't find end of a URL at byte offset ${byteOffset(src, i + 1)}`);
        }
        j++;
      }
      const length = out.length - top.start;
      if (top.marker === "![") {
        const id = /^tg:\/\/emoji\?id=(\d+)$/.exec(url)?.[1];
        if (!id) fail(`Custom emoji entity must contain a tg://emoji URL`);
        if (length) {
          entities.push({ type: "custom_emoji", offset: top.start, length, custom_emoji_id: id });
        }
      } else if (url && length) {
        const mention = /^tg:\/\/user\?id=(\d+)$/.exec(url);
        entities.push(
          mention
            ? {
              type: "text_mention",
              offset: top.start,
              length,
              user: { id: Number(mention[1]), is_bot: false, first_name: "" },
            }
            : { type: "text_link", offset: top.start, length, url },
        );
      }
      i = j;
      continue;
    }
    if (marker === "[" || marker === "![") {
      stack.push({ marker, start: out.length, at });
      i += marker.length;
      continue;
    }
    if (marker in V2_TYPES) {
      const top = stack[stack.length - 1];
      if (top && top.marker === marker) {
        stack.pop();
        const length = out.length - top.start;
        if (length) entities.push({ type: V2_TYPES[marker], offset: top.start, length });
      } else {
        stack.push({ marker, start: out.length, at });
      }
      i += marker.length;
      continue;
    }
    fail(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
  }
  if (stack.length > 0) {
    const top = stack[stack.length - 1];
    fail(`Can't find end of ${V2_NAMES[top.marker]} entity at byte offset ${top.at}`);
  }
  if (quote) closeQuote(quote, out, entities);
  return { text: out, entities: sortEntities(entities) };
}

function closeQuote(q: { start: number; expandable: boolean }, out: string, list: Entity[]) {
  let end = out.length;
  if (out[end - 1] === "\n") end--;
  if (end > q.start) {
    list.push({
      type: q.expandable ? "expandable_blockquote" : "blockquote",
      offset: q.start,
      length: end - q.start,
    });
  }
}

function readCode(src: string, from: number, close: string): { text: string; end: number } {
  let text = "";
  let j = from;
  while (j < src.length) {
    if (src[j] === "\\" && (src[j + 1] === "`" || src[j + 1] === "\\")) {
      text += src[j + 1];
      j += 2;
      continue;
    }
    if (src.startsWith(close, j)) return { text, end: j };
    text += src[j];
    j++;
  }
  return { text, end: -1 };
}

const V1_TYPES: Record<string, string> = { "*": "bold", "_": "italic" };

/** Parses the legacy Markdown mode. */
export function parseMarkdown(src: string): Parsed {
  let out = "";
  const entities: Entity[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\" && "_*`[".includes(src[i + 1] ?? "")) {
      out += src[i + 1];
      i += 2;
      continue;
    }
    if (!"_*`[".includes(c)) {
      out += c;
      i++;
      continue;
    }
    const at = byteOffset(src, i);
    const unclosed = () => fail(`Can't find end of the entity starting at byte offset ${at}`);
    if (c === "`") {
      const pre = src.startsWith("```", i);
      const close = pre ? "```" : "`";
      let j = i + close.length;
      let language = "";
      if (pre) {
        const nl = src.indexOf("\n", j);
        const end = src.indexOf("```", j);
        if (nl >= 0 && end >= 0 && nl < end && /^[^\s`]*$/.test(src.slice(j, nl))) {
          language = src.slice(j, nl);
          j = nl + 1;
        }
      }
      const end = src.indexOf(close, j);
      if (end < 0) unclosed();
      const text = src.slice(j, end);
      const e: Entity = { type: pre ? "pre" : "code", offset: out.length, length: text.length };
      if (language) e.language = language;
      if (text.length) entities.push(e);
      out += text;
      i = end + close.length;
      continue;
    }
    if (c === "[") {
      const close = src.indexOf("]", i + 1);
      if (close < 0) unclosed();
      const text = src.slice(i + 1, close);
      if (src[close + 1] === "(") {
        const end = src.indexOf(")", close + 2);
        if (end < 0) unclosed();
        const url = src.slice(close + 2, end);
        if (text.length) {
          entities.push({ type: "text_link", offset: out.length, length: text.length, url });
        }
        out += text;
        i = end + 1;
      } else {
        out += text;
        i = close + 1;
      }
      continue;
    }
    const end = src.indexOf(c, i + 1);
    if (end < 0) unclosed();
    const text = src.slice(i + 1, end);
    if (text.length) entities.push({ type: V1_TYPES[c], offset: out.length, length: text.length });
    out += text;
    i = end + 1;
  }
  return { text: out, entities: sortEntities(entities) };
}
