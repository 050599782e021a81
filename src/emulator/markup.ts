/**
 * Parse modes: turns HTML, MarkdownV2 or legacy Markdown text into plain text plus
 * MessageEntity objects, with Telegram's `can't parse entities` errors.
 * @module
 */

import { badRequest } from "./api_error.ts";
import type { Parsed } from "./markup_build.ts";
import { parseHtml } from "./markup_html.ts";
import { parseMarkdown, parseMarkdownV2 } from "./markup_markdown.ts";

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
