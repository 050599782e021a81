// Parameter validation for the Bot API emulator: checks a method's parameters against the Bot
// API facts (src/gen/spec.ts, src/gen/spec_types.ts) and coerces them to their documented types.
//
// Wording follows the real Bot API server. Sources studied (for behaviour only, nothing copied):
// the reference server tdlib/telegram-bot-api (its Client.cpp argument readers and td's JSON
// helpers) and public bug reports quoting api.telegram.org's answers. What they show:
// - a missing chat is "chat_id is empty", a missing sendMessage text "message text is empty", a
//   missing or non-positive user "invalid user_id specified", a missing message
//   "message identifier is not specified" (plural for message_ids), a missing upload
//   "there is no <name> in the request", a missing plain argument `parameter "<name>" is required`;
// - an empty value counts as missing;
// - a JSON-serialized argument that does not parse answers "can't parse <what> JSON object", the
//   reply markup one calling itself "reply keyboard markup" and every *entities one "entities";
// - inside objects a missing field reads `Can't find field "<f>"` and a mistyped one
//   `Field "<f>" must be of type <T>`, after "can't parse <Type>: "; String fields accept
//   numbers, Integer fields accept numeric strings, Boolean and Float fields do not bend;
// - error texts start with "Bad Request: " and a lower-case first letter.
// Deliberately stricter than Telegram: where the real server silently reads garbage as 0 or
// false (an Integer "abc", a Boolean "maybe"), the emulator answers 400 so the bug is noticed.
// Deliberately more lenient: a JSON `null` counts as an absent parameter.

import { METHODS, type ParamFact } from "../gen/spec.ts";
import { SUBTYPES, TYPES } from "../gen/spec_types.ts";
import { setOwn } from "./parse.ts";

/** What {@linkcode validateParams} answers. */
export type ValidationResult =
  | { ok: true; params: Record<string, unknown> }
  | { ok: false; description: string };

class _Invalid {
  constructor(readonly description: string) {}
}

const _METHODS: Record<string, { readonly params: readonly ParamFact[] }> = METHODS;
const _MAX_DEPTH = 24;

/**
 * Checks the parameters of a Bot API call against the Bot API 10.1 facts and coerces them: every
 * required parameter present, each documented parameter of its documented type (numbers and
 * booleans from their string forms, `Integer or String` chat ids to numbers unless `@username`,
 * JSON-serialized objects and arrays parsed and shallowly checked against the object types,
 * `attach://name` references to uploaded parts). Unknown parameters are kept untouched, as
 * Telegram ignores them.
 *
 * @param method the canonical method name (see `canonicalMethod`).
 * @param params the parameters as `parseParams` read them (or any JSON-like record).
 * @returns the coerced parameters, or the `description` of Telegram's 400 answer.
 *
 * @example
 * ```ts
 * validateParams("sendMessage", { chat_id: "42", text: "hi" });
 * // { ok: true, params: { chat_id: 42, text: "hi" } }
 * validateParams("sendMessage", { chat_id: 42 });
 * // { ok: false, description: "Bad Request: message text is empty" }
 * ```
 */
export function validateParams(
  method: string,
  params: Record<string, unknown>,
): ValidationResult {
  const plan = _planOf(method);
  if (plan === undefined) return { ok: false, description: "Not Found: method not found" };
  // The documented parameters in documented order (so the first problem reported is the one
  // Telegram reports), then the output in the order the request gave them.
  let values: unknown[] | undefined;
  try {
    for (let i = 0; i < plan.params.length; i++) {
      const param = plan.params[i];
      const raw = Object.hasOwn(params, param.name) ? params[param.name] : undefined;
      const value = raw === undefined || raw === null
        ? undefined
        : _coerceParam(method, param, raw, params);
      if (value === undefined) {
        if (param.required) throw new _Invalid(_missing(method, param.name, param.types));
      } else {
        (values ??= new Array(plan.params.length))[i] = value;
      }
    }
  } catch (e) {
    if (e instanceof _Invalid) return { ok: false, description: e.description };
    throw e;
  }
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(params)) {
    const at = plan.index.get(name);
    if (at === undefined) setOwn(out, name, params[name]);
    else if (values !== undefined && values[at] !== undefined) setOwn(out, name, values[at]);
  }
  return { ok: true, params: out };
}

/** One documented parameter, with what its checks need worked out once. */
interface _Param {
  readonly name: string;
  readonly types: readonly string[];
  readonly required: boolean;
  /** Takes an InputFile. */
  readonly file: boolean;
  /** The types joined with "|" (how the simple kinds are told apart). */
  readonly key: string;
}

/** A method's parameters, ready for checking. */
interface _Plan {
  readonly params: readonly _Param[];
  /** Parameter name to its position in `params`. */
  readonly index: ReadonlyMap<string, number>;
}

const _plans = new Map<string, _Plan>();

function _planOf(method: string): _Plan | undefined {
  let plan = _plans.get(method);
  if (plan !== undefined) return plan;
  if (!Object.hasOwn(_METHODS, method)) return undefined;
  const params = _METHODS[method].params.map(([name, types, required]): _Param => ({
    name,
    types,
    required,
    file: types.includes("InputFile"),
    key: types.join("|"),
  }));
  plan = { params, index: new Map(params.map((p, i) => [p.name, i])) };
  _plans.set(method, plan);
  return plan;
}

function _own(obj: object, name: string): unknown {
  return Object.hasOwn(obj, name) ? (obj as Record<string, unknown>)[name] : undefined;
}

function _isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Blob);
}

// ---------------------------------------------------------------------------------------------
// Missing parameters

function _missing(method: string, name: string, types: readonly string[]): string {
  if (name === "text" && (method === "sendMessage" || method === "editMessageText")) {
    return "Bad Request: message text is empty";
  }
  if (name === "user_id") return "Bad Request: invalid user_id specified";
  if (name === "message_id") return "Bad Request: message identifier is not specified";
  if (name === "message_ids") return "Bad Request: message identifiers are not specified";
  if (name === "chat_id" || name.endsWith("_chat_id")) return `Bad Request: ${name} is empty`;
  if (name === "sticker_set_name") return "Bad Request: sticker_set_name is empty";
  if (types.includes("InputFile")) return `Bad Request: there is no ${name} in the request`;
  if (name === "sticker") return "Bad Request: sticker is not specified";
  return `Bad Request: parameter "${name}" is required`;
}

// ---------------------------------------------------------------------------------------------
// Top-level parameters

/** Returns the coerced value, `undefined` when absent, or throws `_Invalid`. */
function _coerceParam(
  method: string,
  param: _Param,
  raw: unknown,
  params: Record<string, unknown>,
): unknown {
  const { name, types } = param;
  if (raw === undefined || raw === null) return undefined;
  if (param.file) return _coerceFile(name, types, raw, params);
  // A file part under a name that takes no file is not an argument at all (Telegram reads
  // uploaded files apart from the arguments).
  if (raw instanceof Blob) return undefined;
  switch (param.key) {
    case "String": {
      const s = _asString(raw);
      if (s === "") return undefined;
      if (name === "text" && method === "sendMessage" && s.trim() === "") {
        throw new _Invalid("Bad Request: message text is empty");
      }
      return s;
    }
    case "Integer":
      return _coerceInteger(name, raw);
    case "Float":
      return _coerceFloat(name, raw);
    case "Boolean":
      return _coerceBoolean(name, raw);
    case "Integer|String":
      return _coerceChat(raw);
  }
  const value = _parseJson(method, name, raw);
  if (value === undefined) return undefined;
  if (name === "reply_markup") {
    _checkReplyMarkup(value);
    return value;
  }
  return _checkStructured(types, value, params);
}

/** How the Bot API server sees a value sent as JSON: strings as they are, the rest as JSON text. */
function _asString(raw: unknown): string {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean" || typeof raw === "bigint") {
    return String(raw);
  }
  return JSON.stringify(raw) ?? "";
}

const _INT = /^\s*[+-]?\d+\s*$/;
const _FLOAT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function _toInteger(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isSafeInteger(raw) ? raw : undefined;
  if (typeof raw === "string" && _INT.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

function _coerceInteger(name: string, raw: unknown): number | undefined {
  if (raw === "") return undefined;
  const n = _toInteger(raw);
  if (name === "user_id" && (n === undefined || n <= 0)) {
    throw new _Invalid("Bad Request: invalid user_id specified");
  }
  if (n === undefined) throw new _Invalid(`Bad Request: ${name} must be a valid Integer`);
  return n;
}

function _coerceFloat(name: string, raw: unknown): number | undefined {
  if (raw === "") return undefined;
  if (typeof raw === "number" && Number.isFinite(raw)) return raw;
  if (typeof raw === "string" && _FLOAT.test(raw)) return Number(raw);
  throw new _Invalid(`Bad Request: ${name} must be a valid Number`);
}

function _coerceBoolean(name: string, raw: unknown): boolean | undefined {
  if (raw === "") return undefined;
  if (typeof raw === "boolean") return raw;
  if (raw === 1 || raw === 0) return raw === 1;
  if (typeof raw === "string") {
    const s = raw.trim().toLowerCase();
    if (s === "true" || s === "1" || s === "yes") return true;
    if (s === "false" || s === "0" || s === "no") return false;
  }
  throw new _Invalid(`Bad Request: ${name} must be a valid Boolean`);
}

/** `Integer or String` parameters (chat_id, from_chat_id): a number, or a `@username`. */
function _coerceChat(raw: unknown): number | string | undefined {
  if (typeof raw === "string") {
    const s = raw.trim();
    if (s === "") return undefined;
    if (s.startsWith("@")) return s;
  }
  const n = _toInteger(raw);
  // The real server reads anything else as chat 0, which it cannot find.
  if (n === undefined) throw new _Invalid("Bad Request: chat not found");
  return n;
}

function _coerceFile(
  name: string,
  types: readonly string[],
  raw: unknown,
  params: Record<string, unknown>,
): unknown {
  if (raw instanceof Blob) return raw;
  const acceptsId = types.includes("String");
  if (typeof raw === "string" || (acceptsId && typeof raw === "number")) {
    const s = String(raw).trim();
    if (s === "") return undefined;
    if (s.startsWith("attach://")) {
      if (_own(params, s.slice(9)) instanceof Blob) return s;
      throw new _Invalid(`Bad Request: there is no ${name} in the request`);
    }
    // A file_id or an HTTP URL; a parameter that must be uploaded takes neither.
    if (acceptsId) return s;
    throw new _Invalid(`Bad Request: there is no ${name} in the request`);
  }
  throw new _Invalid("Bad Request: wrong file identifier/HTTP URL specified");
}

// What the real server calls a JSON-serialized argument it cannot parse.
const _JSON_NAMES: Record<string, string> = {
  reply_markup: "reply keyboard markup",
  commands: "commands",
  scope: "BotCommandScope",
  menu_button: "menu button",
  rights: "ChatAdministratorRights",
  mask_position: "mask position",
  shipping_options: "shipping options",
  reaction: "reaction types",
};

function _jsonName(method: string, name: string): string {
  if (name.endsWith("entities")) return "entities";
  if (name === "media") return method === "editMessageMedia" ? "input media" : "media";
  return Object.hasOwn(_JSON_NAMES, name) ? _JSON_NAMES[name] : name;
}

/** A JSON-serialized string is parsed; real JSON values (from a JSON body) pass as they are. */
function _parseJson(method: string, name: string, raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new _Invalid(`Bad Request: can't parse ${_jsonName(method, name)} JSON object`);
  }
}

function _arrayElements(types: readonly string[]): string[] | undefined {
  if (!types.every((t) => t.startsWith("Array of "))) return undefined;
  return types.map((t) => t.slice(9));
}

function _displayName(types: readonly string[]): string {
  const bases = types.map((t) => t.replace(/^(Array of )+/, ""));
  if (bases.length > 1 && bases.every((b) => b.startsWith("InputMedia"))) return "InputMedia";
  return bases[0];
}

function _checkStructured(
  types: readonly string[],
  value: unknown,
  params: Record<string, unknown>,
): unknown {
  const elements = _arrayElements(types);
  if (elements !== undefined) {
    const what = _displayName(types);
    if (!Array.isArray(value)) throw new _Invalid(`Bad Request: expected an Array of ${what}`);
    const primitive = elements.every((e) => _PRIMITIVES.has(e));
    return value.map((item) => {
      if (primitive) {
        const coerced = _coercePrimitiveItem(elements, item);
        if (coerced === undefined) throw new _Invalid(`Bad Request: expected an Array of ${what}`);
        return coerced;
      }
      const error = _checkAny(elements, item, 0) ?? _checkAttachments(item, params);
      if (error !== null) throw new _Invalid(`Bad Request: can't parse ${what}: ${error}`);
      return item;
    });
  }
  const what = _displayName(types);
  if (types.every((t) => _isObjectType(t)) && !_isRecord(value)) {
    throw new _Invalid(`Bad Request: can't parse ${what}: ${what} must be an Object`);
  }
  const error = _checkAny(types, value, 0) ?? _checkAttachments(value, params);
  if (error !== null) throw new _Invalid(`Bad Request: can't parse ${what}: ${error}`);
  return value;
}

// Files referenced from inside objects (InputMedia, InputSticker, ...) must have been uploaded;
// the real server ignores a missing thumbnail, so those are not checked.
const _OPTIONAL_FILES = new Set(["thumbnail", "thumb", "cover"]);

function _checkAttachments(value: unknown, params: Record<string, unknown>): string | null {
  if (!_isRecord(value)) return null;
  for (const [field, v] of Object.entries(value)) {
    if (typeof v !== "string" || !v.startsWith("attach://") || _OPTIONAL_FILES.has(field)) continue;
    if (!(_own(params, v.slice(9)) instanceof Blob)) return `${field} not found`;
  }
  return null;
}

function _coercePrimitiveItem(elements: readonly string[], item: unknown): unknown {
  for (const e of elements) {
    if (e === "Integer") {
      const n = _toInteger(item);
      if (n !== undefined) return n;
    } else if (e === "String") {
      if (typeof item === "string") return item;
      if (typeof item === "number") return String(item);
    } else if (e === "Float") {
      if (typeof item === "number" && Number.isFinite(item)) return item;
    } else if (e === "Boolean" || e === "True") {
      if (typeof item === "boolean") return item;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Object types (a shallow-to-moderate structural check against spec_types.ts)

const _PRIMITIVES = new Set(["Integer", "String", "Float", "Boolean", "True"]);

function _isObjectType(type: string): boolean {
  return Object.hasOwn(SUBTYPES, type) || (Object.hasOwn(TYPES, type) && type !== "InputFile");
}

/** Null when `value` fits one of `types`, else the (td-style) reason of the first misfit. */
function _checkAny(
  types: readonly string[],
  value: unknown,
  depth: number,
  field?: string,
): string | null {
  let first: string | null = null;
  for (const t of types) {
    const error = _check(t, value, depth, field);
    if (error === null) return null;
    first ??= error;
  }
  return first;
}

function _typeLabel(type: string): string {
  if (type.startsWith("Array of ")) return "Array";
  if (type === "Integer" || type === "Float") return "Number";
  if (type === "True") return "Boolean";
  if (_PRIMITIVES.has(type)) return type;
  return "Object";
}

function _check(type: string, value: unknown, depth: number, field?: string): string | null {
  if (depth > _MAX_DEPTH) return null;
  const mistyped = () =>
    field === undefined
      ? `expected ${_typeLabel(type)}`
      : `Field "${field}" must be of type ${_typeLabel(type)}`;
  if (type.startsWith("Array of ")) {
    if (!Array.isArray(value)) return mistyped();
    const element = type.slice(9);
    for (const item of value) {
      const error = _check(element, item, depth + 1);
      if (error !== null) return error;
    }
    return null;
  }
  switch (type) {
    case "String":
      return typeof value === "string" || typeof value === "number" ? null : mistyped();
    case "Integer":
      return _toInteger(value) !== undefined ? null : mistyped();
    case "Float":
      return typeof value === "number" && Number.isFinite(value) ? null : mistyped();
    case "Boolean":
    case "True":
      return typeof value === "boolean" ? null : mistyped();
    case "InputFile":
      return typeof value === "string" || value instanceof Blob ? null : mistyped();
  }
  if (Object.hasOwn(SUBTYPES, type)) return _checkUnion(type, value, depth, field);
  if (!Object.hasOwn(TYPES, type)) return null; // unknown to the facts: tolerated
  if (!_isRecord(value)) return field === undefined ? `${type} must be an Object` : mistyped();
  for (const [name, types, required] of TYPES[type]) {
    const v = _own(value, name);
    if (v === undefined || v === null) {
      if (required) return `Can't find field "${name}"`;
      continue;
    }
    const error = _checkAny(types, v, depth + 1, name);
    if (error !== null) return error;
  }
  return null;
}

const _norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");

function _checkUnion(
  union: string,
  value: unknown,
  depth: number,
  field?: string,
): string | null {
  const members = SUBTYPES[union];
  // When the value names its kind (`type: "photo"`), hold it to the matching member(s).
  const kind = _isRecord(value) && typeof value.type === "string" ? _norm(value.type) : "";
  const matching = kind === "" ? [] : members.filter((m) => {
    const suffix = _norm(m.startsWith(union) ? m.slice(union.length) : m);
    return suffix === kind || suffix === "cached" + kind;
  });
  return _checkAny(matching.length > 0 ? matching : members, value, depth + 1, field);
}

// ---------------------------------------------------------------------------------------------
// Reply markup: checked the way the real server reads it (any object; keyboards must be arrays
// of arrays of buttons with a text; inline buttons must also say what they do).

const _INLINE_ACTIONS = (TYPES.InlineKeyboardButton ?? [])
  .map(([name]) => name)
  .filter((name) => name !== "text" && name !== "icon_custom_emoji_id" && name !== "style");

function _checkReplyMarkup(value: unknown): void {
  if (!_isRecord(value)) throw new _Invalid("Bad Request: object expected as reply markup");
  const rows = (field: string, rowsMessage: string): unknown[][] => {
    const v = _own(value, field);
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      throw new _Invalid(`Bad Request: field "${field}" must be of type Array`);
    }
    for (const row of v) if (!Array.isArray(row)) throw new _Invalid(`Bad Request: ${rowsMessage}`);
    return v as unknown[][];
  };
  for (const row of rows("keyboard", 'field "keyboard" must be an Array of Arrays')) {
    for (const button of row) {
      if (typeof button === "string") continue;
      const error = _isRecord(button)
        ? _check("KeyboardButton", button, 0)
        : "KeyboardButton must be a String or an Object";
      if (error !== null) throw new _Invalid(`Bad Request: can't parse keyboard button: ${error}`);
    }
  }
  const inlineRows = rows(
    "inline_keyboard",
    'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays',
  );
  for (const row of inlineRows) {
    for (const button of row) {
      let error = _isRecord(button)
        ? _check("InlineKeyboardButton", button, 0)
        : "InlineKeyboardButton must be an Object";
      if (error === null && _isRecord(button)) {
        const acts = _INLINE_ACTIONS.some((a) => _own(button, a) !== undefined);
        if (!acts) error = "Text buttons are unallowed in the inline keyboard";
      }
      if (error !== null) {
        throw new _Invalid(`Bad Request: can't parse inline keyboard button: ${error}`);
      }
    }
  }
  for (const flag of ["remove_keyboard", "force_reply", "selective", "is_persistent"]) {
    const v = _own(value, flag);
    if (v !== undefined && v !== null && typeof v !== "boolean") {
      throw new _Invalid(`Bad Request: field "${flag}" must be of type Boolean`);
    }
  }
}
