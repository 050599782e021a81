/**
 * What the three parse modes share: the text-and-entities builder, Telegram's
 * `can't parse entities` error with UTF-8 byte offsets, link and fenced-code helpers.
 * Offsets and lengths of entities are UTF-16 code units (JavaScript string indices).
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

/** The UTF-8 byte offset of the UTF-16 index `index` in `s` (Telegram reports bytes). */
export function byteOffset(s: string, index: number): number {
  return encoder.encode(s.slice(0, index)).length;
}

/** Throws 400 `can't parse entities: <why>`. */
export function fail(why: string): never {
  throw badRequest(`can't parse entities: ${why}`);
}

/**
 * The plain text a parser has written so far and the entities found in it. Empty
 * entities are dropped; the result lists entities by offset, longer ones first.
 */
export class Builder {
  text = "";
  readonly entities: Entity[] = [];

  /** The UTF-16 offset the next character will get. */
  get offset(): number {
    return this.text.length;
  }

  /** Adds `e` unless its length is 0. */
  add(e: Entity): void {
    if (e.length > 0) this.entities.push(e);
  }

  /** Appends `text` as a `code` or `pre` entity (with `language` when not empty). */
  addCode(type: "code" | "pre", text: string, language = ""): void {
    const e: Entity = { type, offset: this.offset, length: text.length };
    if (language) e.language = language;
    this.add(e);
    this.text += text;
  }

  /** The text and its entities, sorted by offset (longest first at equal offsets). */
  done(): Parsed {
    const entities = this.entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
    return { text: this.text, entities };
  }
}

const USER_LINK = /^tg:\/\/user\?id=(\d+)$/;

/** A `text_link` entity, or a `text_mention` when `url` is `tg://user?id=<n>`. */
export function linkEntity(offset: number, length: number, url: string): Entity {
  const mention = USER_LINK.exec(url);
  return mention
    ? {
      type: "text_mention",
      offset,
      length,
      user: { id: Number(mention[1]), is_bot: false, first_name: "" },
    }
    : { type: "text_link", offset, length, url };
}

/**
 * The language named right after an opening fence (three backticks ending at `from`): the
 * rest of the first line when a closing fence follows it and it holds no space or backtick.
 * `from` is where the code starts (after the language line when there is one).
 */
export function fenceLanguage(src: string, from: number): { language: string; from: number } {
  const nl = src.indexOf("\n", from);
  const end = src.indexOf("```", from);
  if (nl >= 0 && end >= 0 && nl < end && /^[^\s`]*$/.test(src.slice(from, nl))) {
    return { language: src.slice(from, nl), from: nl + 1 };
  }
  return { language: "", from };
}
