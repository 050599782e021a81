/**
 * Entities Telegram finds by itself in message text: bot commands, mentions, hashtags,
 * cashtags, URLs and e-mail addresses. Offsets and lengths are in UTF-16 code units.
 * @module
 */

/** A MessageEntity as the Bot API sends it. */
export interface Entity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  user?: unknown;
  language?: string;
  custom_emoji_id?: string;
  [key: string]: unknown;
}

const PATTERNS: readonly [string, RegExp][] = [
  ["url", /(?<![\w@/.])(?:https?:\/\/|www\.|t\.me\/)[^\s<>"]+/giu],
  ["email", /(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/giu],
  ["bot_command", /(?<![\w/@])\/[a-z0-9_]{1,64}(?:@[a-z0-9_]{3,32})?(?![\w/])/giu],
  ["mention", /(?<![\w@])@[a-z0-9_]{3,32}(?![\w@])/giu],
  ["hashtag", /(?<![\w#])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu],
  ["cashtag", /(?<![\w$])\$[A-Z]{1,8}(?![\w])/gu],
];

const TRAILING = /[.,:;!?)\]'"]+$/u;

/** The entities Telegram would detect in `text` on its own, in order of offset. */
export function detectEntities(text: string): Entity[] {
  if (text.length === 0) return [];
  // Quick exit for plain text: none of the trigger characters occur.
  if (!/[/@#$.]/.test(text)) return [];
  const found: Entity[] = [];
  for (const [type, re] of PATTERNS) {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      let value = m[0];
      if (type === "url") value = value.replace(TRAILING, "");
      if (value.length === 0) continue;
      found.push({ type, offset: m.index!, length: value.length });
    }
  }
  found.sort((a, b) => a.offset - b.offset || b.length - a.length);
  const out: Entity[] = [];
  let end = 0;
  for (const e of found) {
    if (e.offset < end) continue;
    out.push(e);
    end = e.offset + e.length;
  }
  return out;
}

/**
 * Merges entities given by the sender (or parsed from a parse_mode) with detected ones:
 * detected entities that overlap a given one are dropped.
 */
export function mergeEntities(given: readonly Entity[], detected: readonly Entity[]): Entity[] {
  if (detected.length === 0) return [...given];
  if (given.length === 0) return [...detected];
  const out = [...given];
  for (const d of detected) {
    const overlaps = given.some((g) =>
      d.offset < g.offset + g.length && g.offset < d.offset + d.length
    );
    if (!overlaps) out.push(d);
  }
  return out.sort((a, b) => a.offset - b.offset || b.length - a.length);
}
