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
import { setOwn } from "./parse.ts";
import { checkReplyMarkup } from "./validate_markup.ts";
import { checkStructured } from "./validate_types.ts";
import {
  asString,
  coerceBoolean,
  coerceChat,
  coerceFile,
  coerceFloat,
  coerceInteger,
  Invalid,
  parseJson,
} from "./validate_values.ts";

/** What {@linkcode validateParams} answers. */
export type ValidationResult =
  | { ok: true; params: Record<string, unknown> }
  | { ok: false; description: string };

const _METHODS: Record<string, { readonly params: readonly ParamFact[] }> = METHODS;

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
        if (param.required) throw new Invalid(_missing(method, param.name, param.types));
      } else {
        (values ??= new Array(plan.params.length))[i] = value;
      }
    }
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, description: e.description };
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

/** Returns the coerced value, `undefined` when absent, or throws `Invalid`. */
function _coerceParam(
  method: string,
  param: _Param,
  raw: unknown,
  params: Record<string, unknown>,
): unknown {
  const { name, types } = param;
  if (raw === undefined || raw === null) return undefined;
  if (param.file) return coerceFile(name, types, raw, params);
  // A file part under a name that takes no file is not an argument at all (Telegram reads
  // uploaded files apart from the arguments).
  if (raw instanceof Blob) return undefined;
  switch (param.key) {
    case "String": {
      const s = asString(raw);
      if (s === "") return undefined;
      if (name === "text" && method === "sendMessage" && s.trim() === "") {
        throw new Invalid("Bad Request: message text is empty");
      }
      return s;
    }
    case "Integer":
      return coerceInteger(name, raw);
    case "Float":
      return coerceFloat(name, raw);
    case "Boolean":
      return coerceBoolean(name, raw);
    case "Integer|String":
      return coerceChat(raw);
  }
  const value = parseJson(method, name, raw);
  if (value === undefined) return undefined;
  if (name === "reply_markup") {
    checkReplyMarkup(value);
    return value;
  }
  return checkStructured(types, value, params);
}
