/**
 * Parameter validation, part 2: JSON-serialized objects and arrays, checked structurally
 * against the object types of src/gen/spec_types.ts (td-style reasons such as
 * `Can't find field "x"`), and the `attach://` files they reference.
 * @module
 */

import { SUBTYPES, TYPES } from "../gen/spec_types.ts";
import { Invalid, isRecord, own, toInteger } from "./validate_values.ts";

const _MAX_DEPTH = 24;

function _arrayElements(types: readonly string[]): string[] | undefined {
  if (!types.every((t) => t.startsWith("Array of "))) return undefined;
  return types.map((t) => t.slice(9));
}

function _displayName(types: readonly string[]): string {
  const bases = types.map((t) => t.replace(/^(Array of )+/, ""));
  if (bases.length > 1 && bases.every((b) => b.startsWith("InputMedia"))) return "InputMedia";
  return bases[0];
}

/** Checks a JSON-serialized parameter of `types`; returns it (array items coerced) or throws. */
export function checkStructured(
  types: readonly string[],
  value: unknown,
  params: Record<string, unknown>,
): unknown {
  const elements = _arrayElements(types);
  if (elements !== undefined) {
    const what = _displayName(types);
    if (!Array.isArray(value)) throw new Invalid(`Bad Request: expected an Array of ${what}`);
    const primitive = elements.every((e) => PRIMITIVES.has(e));
    return value.map((item) => {
      if (primitive) {
        const coerced = _coercePrimitiveItem(elements, item);
        if (coerced === undefined) throw new Invalid(`Bad Request: expected an Array of ${what}`);
        return coerced;
      }
      const error = checkAny(elements, item, 0) ?? _checkAttachments(item, params);
      if (error !== null) throw new Invalid(`Bad Request: can't parse ${what}: ${error}`);
      return item;
    });
  }
  const what = _displayName(types);
  if (types.every((t) => isObjectType(t)) && !isRecord(value)) {
    throw new Invalid(`Bad Request: can't parse ${what}: ${what} must be an Object`);
  }
  const error = checkAny(types, value, 0) ?? _checkAttachments(value, params);
  if (error !== null) throw new Invalid(`Bad Request: can't parse ${what}: ${error}`);
  return value;
}

// Files referenced from inside objects (InputMedia, InputSticker, ...) must have been uploaded;
// the real server ignores a missing thumbnail, so those are not checked.
const _OPTIONAL_FILES = new Set(["thumbnail", "thumb", "cover"]);

function _checkAttachments(value: unknown, params: Record<string, unknown>): string | null {
  if (!isRecord(value)) return null;
  for (const [field, v] of Object.entries(value)) {
    if (typeof v !== "string" || !v.startsWith("attach://") || _OPTIONAL_FILES.has(field)) continue;
    if (!(own(params, v.slice(9)) instanceof Blob)) return `${field} not found`;
  }
  return null;
}

function _coercePrimitiveItem(elements: readonly string[], item: unknown): unknown {
  for (const e of elements) {
    if (e === "Integer") {
      const n = toInteger(item);
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

const PRIMITIVES = new Set(["Integer", "String", "Float", "Boolean", "True"]);

function isObjectType(type: string): boolean {
  return Object.hasOwn(SUBTYPES, type) || (Object.hasOwn(TYPES, type) && type !== "InputFile");
}

/** Null when `value` fits one of `types`, else the (td-style) reason of the first misfit. */
function checkAny(
  types: readonly string[],
  value: unknown,
  depth: number,
  field?: string,
): string | null {
  let first: string | null = null;
  for (const t of types) {
    const error = check(t, value, depth, field);
    if (error === null) return null;
    first ??= error;
  }
  return first;
}

function _typeLabel(type: string): string {
  if (type.startsWith("Array of ")) return "Array";
  if (type === "Integer" || type === "Float") return "Number";
  if (type === "True") return "Boolean";
  if (PRIMITIVES.has(type)) return type;
  return "Object";
}

/** Null when `value` fits `type`, else the td-style reason it does not. */
export function check(type: string, value: unknown, depth: number, field?: string): string | null {
  if (depth > _MAX_DEPTH) return null;
  const mistyped = () =>
    field === undefined
      ? `expected ${_typeLabel(type)}`
      : `Field "${field}" must be of type ${_typeLabel(type)}`;
  if (type.startsWith("Array of ")) {
    if (!Array.isArray(value)) return mistyped();
    const element = type.slice(9);
    for (const item of value) {
      const error = check(element, item, depth + 1);
      if (error !== null) return error;
    }
    return null;
  }
  switch (type) {
    case "String":
      return typeof value === "string" || typeof value === "number" ? null : mistyped();
    case "Integer":
      return toInteger(value) !== undefined ? null : mistyped();
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
  if (!isRecord(value)) return field === undefined ? `${type} must be an Object` : mistyped();
  for (const [name, types, required] of TYPES[type]) {
    const v = own(value, name);
    if (v === undefined || v === null) {
      if (required) return `Can't find field "${name}"`;
      continue;
    }
    const error = checkAny(types, v, depth + 1, name);
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
  const kind = isRecord(value) && typeof value.type === "string" ? _norm(value.type) : "";
  const matching = kind === "" ? [] : members.filter((m) => {
    const suffix = _norm(m.startsWith(union) ? m.slice(union.length) : m);
    return suffix === kind || suffix === "cached" + kind;
  });
  return checkAny(matching.length > 0 ? matching : members, value, depth + 1, field);
}
