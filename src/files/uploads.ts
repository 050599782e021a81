/**
 * What counts as an upload, checked on every call without loading the multipart code
 * (`multipart.ts` is imported only when a call carries a file).
 * @module
 */

/**
 * The key of {@linkcode InputFile}'s opening method; its presence marks an InputFile
 * (a brand, so this check needs no import of the class).
 */
export const OPEN_INPUT_FILE: unique symbol = Symbol.for("telepot.InputFile.open");

/** What bytes an upload can be made from. */
export type UploadData =
  | Uint8Array
  | ArrayBuffer
  | ArrayBufferView
  | Blob
  | ReadableStream<Uint8Array>;

/** Is `v` something to upload (rather than a value to serialize)? */
export function isUpload(v: unknown): boolean {
  if (v === null || typeof v !== "object") return false;
  return OPEN_INPUT_FILE in v || v instanceof Blob || v instanceof ArrayBuffer ||
    ArrayBuffer.isView(v) || (typeof ReadableStream !== "undefined" && v instanceof ReadableStream);
}

function isPlain(v: unknown): v is Record<string, unknown> | unknown[] {
  if (Array.isArray(v)) return true;
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Does any value in `params`, at any depth, need a multipart upload? */
export function hasUpload(params: Record<string, unknown>): boolean {
  const walk = (v: unknown, depth: number): boolean => {
    if (isUpload(v)) return true;
    if (depth > 16 || !isPlain(v)) return false;
    for (const x of Array.isArray(v) ? v : Object.values(v)) if (walk(x, depth + 1)) return true;
    return false;
  };
  return walk(params, 0);
}
