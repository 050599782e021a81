/**
 * The MarkdownV2 and legacy Markdown parse modes.
 * @module
 */

import {
  Builder,
  byteOffset,
  fail,
  fenceLanguage,
  linkEntity,
  type Parsed,
} from "./markup_build.ts";

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

/** An entity opened by `marker` at UTF-16 offset `start` of the output (byte `at` of the input). */
interface OpenMarker {
  marker: string;
  start: number;
  at: number;
}

interface Quote {
  start: number;
  expandable: boolean;
}

function reserved(c: string): never {
  fail(`Character '${c}' is reserved and must be escaped with the preceding '\\'`);
}

/** Parses MarkdownV2. */
export function parseMarkdownV2(src: string): Parsed {
  return new MarkdownV2(src).parse();
}

/** One MarkdownV2 parse: the input, the read position, the output and the open entities. */
class MarkdownV2 {
  #i = 0;
  readonly #out = new Builder();
  readonly #stack: OpenMarker[] = [];
  #quote: Quote | undefined;

  constructor(readonly src: string) {}

  parse(): Parsed {
    const src = this.src;
    while (this.#i < src.length) {
      const c = src[this.#i];
      if (this.#escape()) continue;
      if (this.#atLineStart() && this.#quoteLine()) continue;
      if (!V2_RESERVED.has(c)) {
        this.#out.text += c;
        this.#i++;
      } else if (c === "`") this.#code();
      else if (c === "]") this.#closeLink();
      else this.#marker(c);
    }
    if (this.#stack.length > 0) {
      const top = this.#stack[this.#stack.length - 1];
      fail(`Can't find end of ${V2_NAMES[top.marker]} entity at byte offset ${top.at}`);
    }
    if (this.#quote) this.#closeQuote(this.#quote);
    return this.#out.done();
  }

  /** Writes the ASCII character a `\` escapes, if there is one at the read position. */
  #escape(): boolean {
    const { src } = this;
    const i = this.#i;
    const next = src.charCodeAt(i + 1);
    if (src[i] !== "\\" || i + 1 >= src.length || !(next > 0 && next < 127)) return false;
    this.#out.text += src[i + 1];
    this.#i += 2;
    return true;
  }

  #atLineStart(): boolean {
    return this.#i === 0 || this.src[this.#i - 1] === "\n";
  }

  /**
   * At a line start: skips a `>` or `**>` quote mark (opening the quote if needed) and
   * returns true, or closes the quote the previous lines made and returns false.
   */
  #quoteLine(): boolean {
    const i = this.#i;
    const expandable = this.src.startsWith("**>", i);
    if (this.src[i] === ">" || expandable) {
      if (!this.#quote) this.#quote = { start: this.#out.offset, expandable: false };
      if (expandable) this.#quote.expandable = true;
      this.#i += expandable ? 3 : 1;
      return true;
    }
    if (this.#quote && i > 0) {
      this.#closeQuote(this.#quote);
      this.#quote = undefined;
    }
    return false;
  }

  /** Adds the quote entity, without the line break that ended it. */
  #closeQuote(q: Quote): void {
    const text = this.#out.text;
    let end = text.length;
    if (text[end - 1] === "\n") end--;
    this.#out.add({
      type: q.expandable ? "expandable_blockquote" : "blockquote",
      offset: q.start,
      length: end - q.start,
    });
  }

  /** Reads inline `code` or a fenced pre block at the read position. */
  #code(): void {
    const { src } = this;
    const i = this.#i;
    const at = byteOffset(src, i);
    const pre = src.startsWith("```", i);
    const { language, from } = pre ? fenceLanguage(src, i + 3) : { language: "", from: i + 1 };
    const close = pre ? "```" : "`";
    const { text, end } = readCode(src, from, close);
    if (end < 0) fail(`Can't find end of ${pre ? "Pre" : "Code"} entity at byte offset ${at}`);
    this.#out.addCode(pre ? "pre" : "code", text, language);
    this.#i = end + close.length;
  }

  /** Closes the `[` or `![` opened last with the `]` (and `(url)`) at the read position. */
  #closeLink(): void {
    const top = this.#stack[this.#stack.length - 1];
    if (!top || (top.marker !== "[" && top.marker !== "![")) reserved("]");
    this.#stack.pop();
    const { url, end } = this.#readUrl(this.#i + 1);
    const length = this.#out.offset - top.start;
    if (top.marker === "![") {
      const id = /^tg:\/\/emoji\?id=(\d+)$/.exec(url)?.[1];
      if (!id) fail(`Custom emoji entity must contain a tg://emoji URL`);
      this.#out.add({ type: "custom_emoji", offset: top.start, length, custom_emoji_id: id });
    } else if (url) {
      this.#out.add(linkEntity(top.start, length, url));
    }
    this.#i = end;
  }

  /** Reads the `(url)` at `j`, if any, with its escapes; returns it and the index after. */
  #readUrl(j: number): { url: string; end: number } {
    const { src } = this;
    let url = "";
    if (src[j] !== "(") return { url, end: j };
    const start = j;
    j++;
    while (j < src.length && src[j] !== ")") {
      if (src[j] === "\\" && j + 1 < src.length) j++;
      url += src[j];
      j++;
    }
    if (j >= src.length) fail(`Can't find end of a URL at byte offset ${byteOffset(src, start)}`);
    return { url, end: j + 1 };
  }

  /** Opens or closes the entity the reserved character `c` at the read position starts. */
  #marker(c: string): void {
    const { src } = this;
    const i = this.#i;
    let marker: string = c;
    if (c === "_" && src[i + 1] === "_") marker = "__";
    if (c === "|") {
      if (src[i + 1] !== "|") reserved("|");
      marker = "||";
    }
    if (c === "!" && src[i + 1] === "[") marker = "![";
    const top = this.#stack[this.#stack.length - 1];
    if (marker in V2_TYPES && top?.marker === marker) {
      this.#stack.pop();
      const length = this.#out.offset - top.start;
      this.#out.add({ type: V2_TYPES[marker], offset: top.start, length });
    } else if (marker in V2_TYPES || marker === "[" || marker === "![") {
      this.#stack.push({ marker, start: this.#out.offset, at: byteOffset(src, i) });
    } else reserved(c);
    this.#i += marker.length;
  }
}

/** Reads code up to `close`, unescaping `\`` and `\\`; `end` is -1 when it never closes. */
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

const V1_SPECIAL = "_*`[";

/** Parses the legacy Markdown mode. */
export function parseMarkdown(src: string): Parsed {
  const out = new Builder();
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === "\\" && i + 1 < src.length && V1_SPECIAL.includes(src[i + 1])) {
      out.text += src[i + 1];
      i += 2;
    } else if (!V1_SPECIAL.includes(c)) {
      out.text += c;
      i++;
    } else if (c === "`") i = legacyCode(src, i, out);
    else if (c === "[") i = legacyLink(src, i, out);
    else i = legacyStyle(src, i, out);
  }
  return out.done();
}

function unclosed(src: string, i: number): never {
  fail(`Can't find end of the entity starting at byte offset ${byteOffset(src, i)}`);
}

/** Reads the `code` or fenced pre block at `i` (no escapes inside); returns the index after it. */
function legacyCode(src: string, i: number, out: Builder): number {
  const pre = src.startsWith("```", i);
  const close = pre ? "```" : "`";
  const { language, from } = pre ? fenceLanguage(src, i + 3) : { language: "", from: i + 1 };
  const end = src.indexOf(close, from);
  if (end < 0) unclosed(src, i);
  out.addCode(pre ? "pre" : "code", src.slice(from, end), language);
  return end + close.length;
}

/** Reads the `[text](url)` (or a bare `[text]`) at `i`; returns the index after it. */
function legacyLink(src: string, i: number, out: Builder): number {
  const close = src.indexOf("]", i + 1);
  if (close < 0) unclosed(src, i);
  const text = src.slice(i + 1, close);
  if (src[close + 1] !== "(") {
    out.text += text;
    return close + 1;
  }
  const end = src.indexOf(")", close + 2);
  if (end < 0) unclosed(src, i);
  const url = src.slice(close + 2, end);
  out.add({ type: "text_link", offset: out.offset, length: text.length, url });
  out.text += text;
  return end + 1;
}

/** Reads the `*bold*` or `_italic_` at `i`; returns the index after it. */
function legacyStyle(src: string, i: number, out: Builder): number {
  const c = src[i];
  const end = src.indexOf(c, i + 1);
  if (end < 0) unclosed(src, i);
  const text = src.slice(i + 1, end);
  out.add({ type: V1_TYPES[c], offset: out.offset, length: text.length });
  out.text += text;
  return end + 1;
}
