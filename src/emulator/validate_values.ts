/**
 * Parameter validation, part 1: the plain values. Coerces Integer, Float, Boolean, chat id,
 * InputFile and JSON-serialized parameters the way the Bot API server reads them, and the
 * {@linkcode Invalid} error every check throws (see validate.ts for the wording rules).
 * @module
 */

/** A failed check: `description` is Telegram's whole 400 answer text. */
export class Invalid {
  constructor(readonly description: string) {}
}

/** `obj[name]` when `obj` has it as an own property (never from the prototype). */
export function own(obj: object, name: string): unknown {
  return Object.hasOwn(obj, name) ? (obj as Record<string, unknown>)[name] : undefined;
}

/** A plain JSON object (not an array, not an uploaded file). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Blob);
}

/** How the Bot API server sees a value sent as JSON: strings as they are, the rest as JSON text. */
export function asString(raw: unknown): string {
  if (typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "boolean" || typeof raw === "bigint") {
    return String(raw);
  }
  return JSON.stringify(raw) ?? "";
}

const _INT = /^\s*[+-]?\d+\s*$/;
const _FLOAT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A safe integer from a number or a numeric string, else `undefined`. */
export function toInteger(raw: unknown): number | undefined {
  if (typeof raw === "number") return Number.isSafeInteger(raw) ? raw : undefined;
  if (typeof raw === "string" && _INT.test(raw)) {
    const n = Number(raw);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** An Integer parameter; user_id must also be positive. */
export function coerceInteger(name: string, raw: unknown): number | undefined {
  if (raw === "") return undefined;
  const n = toInteger(raw);
  if (name === "user_id" && (n === undefined || n <= 0)) {
    throw new Invalid("Bad Request: invalid user_id specified");
  }
  if (n === undefined) throw new Invalid(`Bad Request: ${name} must be a valid Integer`);
  return n;
}

/** A Float parameter: a finite number or its decimal string. */
export function coerceFloat(name: string, raw: unknown): number | undefined {
  if (raw === "") return undefined;
  if (typeof raw === "number" && Number.isFinite(raw)) return raw;
  if (typeof raw === "string" && _FLOAT.test(raw)) return Number(raw);
  throw new Invalid(`Bad Request: ${name} must be a valid Number`);
}

/** A Boolean parameter: true/false, 1/0, yes/no (any case). */
export function coerceBoolean(name: string, raw: unknown): boolean | undefined {
  if (raw === "") return undefined;
  if (typeof raw === "boolean") return raw;
  if (raw === 1 || raw === 0) return raw === 1;
  if (typeof raw === "string") {
    const s = raw.trim().toLowerCase();
    if (s === "true" || s === "1" || s === "yes") return true;
    if (s === "false" || s === "0" || s === "no") return false;
  }
  throw new Invalid(`Bad Request: ${name} must be a valid Boolean`);
}

/** `Integer or String` parameters (chat_id, from_chat_id): a number, or a `@username`. */
export function coerceChat(raw: unknown): number | string | undefined {
  if (typeof raw === "string") {
    const s = raw.trim();
    if (s === "") return undefined;
    if (s.startsWith("@")) return s;
  }
  const n = toInteger(raw);
  // The real server reads anything else as chat 0, which it cannot find.
  if (n === undefined) throw new Invalid("Bad Request: chat not found");
  return n;
}

/** An InputFile parameter: an upload, an `attach://` reference to one, or a file_id/URL. */
export function coerceFile(
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
      if (own(params, s.slice(9)) instanceof Blob) return s;
      throw new Invalid(`Bad Request: there is no ${name} in the request`);
    }
    // A file_id or an HTTP URL; a parameter that must be uploaded takes neither.
    if (acceptsId) return s;
    throw new Invalid(`Bad Request: there is no ${name} in the request`);
  }
  throw new Invalid("Bad Request: wrong file identifier/HTTP URL specified");
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
export function parseJson(method: string, name: string, raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    throw new Invalid(`Bad Request: can't parse ${_jsonName(method, name)} JSON object`);
  }
}
