/**
 * Parameter validation, part 3: reply_markup, checked the way the real server reads it (any
 * object; keyboards must be arrays of arrays of buttons with a text; inline buttons must also
 * say what they do).
 * @module
 */

import { TYPES } from "../gen/spec_types.ts";
import { check } from "./validate_types.ts";
import { Invalid, isRecord, own } from "./validate_values.ts";

const _INLINE_ACTIONS = (TYPES.InlineKeyboardButton ?? [])
  .map(([name]) => name)
  .filter((name) => name !== "text" && name !== "icon_custom_emoji_id" && name !== "style");

/** Throws {@linkcode Invalid} when reply_markup is not read as the real server reads it. */
export function checkReplyMarkup(value: unknown): void {
  if (!isRecord(value)) throw new Invalid("Bad Request: object expected as reply markup");
  const rows = (field: string, rowsMessage: string): unknown[][] => {
    const v = own(value, field);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      throw new Invalid(`Bad Request: field "${field}" must be of type Array`);
    }
    for (const row of v) if (!Array.isArray(row)) throw new Invalid(`Bad Request: ${rowsMessage}`);
    return v as unknown[][];
  };
  for (const row of rows("keyboard", 'field "keyboard" must be an Array of Arrays')) {
    for (const button of row) {
      if (typeof button === "string") continue;
      const error = isRecord(button)
        ? check("KeyboardButton", button, 0)
        : "KeyboardButton must be a String or an Object";
      if (error !== null) throw new Invalid(`Bad Request: can't parse keyboard button: ${error}`);
    }
  }
  const inlineRows = rows(
    "inline_keyboard",
    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
  );
  for (const row of inlineRows) {
    for (const button of row) {
      let error = isRecord(button)
        ? check("InlineKeyboardButton", button, 0)
        : "InlineKeyboardButton must be an Object";
      if (error === null && isRecord(button)) {
        const acts = _INLINE_ACTIONS.some((a) => own(button, a) !== undefined);
        if (!acts) error = "Text buttons are unallowed in the inline keyboard";
      }
      if (error !== null) {
        throw new Invalid(`Bad Request: can't parse inline keyboard button: ${error}`);
      }
    }
  }
  for (const flag of ["remove_keyboard", "force_reply", "selective", "is_persistent"]) {
    const v = own(value, flag);
    if (v !== undefined && v !== null && typeof v !== "boolean") {
      throw new Invalid(`Bad Request: field "${flag}" must be of type Boolean`);
    }
  }
}
