// Request parsing for the Bot API emulator: the query string and the body of a request become one
// record of parameters, as the reference Bot API server reads them.
//
// Behaviour learned (not copied) from the reference server, tdlib/telegram-bot-api and td's HTTP
// reader, and from public reports of the answers the real api.telegram.org gives:
// - every request's URL query is read, whatever the HTTP method; the body's parameters follow it,
//   and when a name occurs twice the first occurrence wins (so the query string beats the body);
// - content types are recognised by substring, multipart first, then urlencoded, then JSON; a
//   body of any other (or no) content type carries no parameters and is ignored;
// - in urlencoded text `+` is a space and only well-formed `%XX` escapes are decoded;
// - a multipart part with a `filename` is a file, a part typed `application/x-www-form-urlencoded`
//   carries further parameters, any other part is one string parameter;
// - a JSON body must be one object; its values keep their JSON types here (the validator coerces);
// - strings that are not valid UTF-8 are refused with "strings must be encoded in UTF-8";
// - oversized bodies answer 413 "Request Entity Too Large", an unknown Content-Encoding 415.
// Where the real server only logs a malformed JSON body and carries on with what it read, the
// emulator refuses the request with a 400 instead, so a broken client is noticed.

import { readBounded } from "../files/bytes.ts";
import { METHODS } from "../gen/spec.ts";

/**
 * A request body that cannot be read as Bot API parameters.
 *
 * The emulator answers `{ ok: false, error_code: status, description: message }`. `status` is 400
 * for malformed input, 413 for a body over the size limit, 415 for an unsupported
 * Content-Encoding.
 *
 * @example
 * ```ts
 * try {
 *   await parseParams(req);
 * } catch (e) {
 *   if (e instanceof BodyError) console.log(e.status, e.message);
 * }
 * ```
 */
export class BodyError extends Error {
  /** The HTTP status the emulator should answer with (400, 413 or 415). */
  readonly status: number;

  constructor(message: string, status = 400) {
    super(message);
    this.name = "BodyError";
    this.status = status;
  }
}

/** Size limits for {@linkcode parseParams}, in bytes of the (decompressed) body. */
export interface ParseLimits {
  /** Limit for multipart/form-data bodies (file uploads). Default 50 MiB. */
  maxMultipartBytes?: number;
  /** Limit for every other body. Default 10 MiB. */
  maxBodyBytes?: number;
}

/** Default limit of a multipart/form-data body: 50 MiB, the Bot API's upload limit. */
export const MAX_MULTIPART_BYTES: number = 50 * 1024 * 1024;
/** Default limit of any other body: 10 MiB. */
export const MAX_BODY_BYTES: number = 10 * 1024 * 1024;

const NOT_UTF8 = "Bad Request: strings must be encoded in UTF-8";
const TOO_LARGE = "Request Entity Too Large";
const MULTIPART_TRUNCATED = "Bad Request: unexpected end of multipart/form-data";
const MULTIPART_HEADERS = "Bad Request: can't parse form data headers";
const MAX_BOUNDARY_LENGTH = 70; // RFC 2046

type Bytes = Uint8Array<ArrayBuffer>;

// Names the Bot API server also accepts for methods renamed over the years.
const _ALIASES: Record<string, string> = {
  kickchatmember: "banChatMember",
  getchatmemberscount: "getChatMemberCount",
};

let _canonical: Map<string, string> | undefined;
let _exact: Map<string, string> | undefined;

/**
 * The documented spelling of a Bot API method name, matched case-insensitively as Telegram does
 * (plus the old aliases Telegram still accepts); `undefined` for an unknown method.
 *
 * @example
 * ```ts
 * canonicalMethod("SENDMESSAGE"); // "sendMessage"
 * canonicalMethod("kickChatMember"); // "banChatMember"
 * canonicalMethod("nope"); // undefined
 * ```
 */
export function canonicalMethod(name: string): string | undefined {
  if (_canonical === undefined || _exact === undefined) {
    _exact = new Map(Object.keys(METHODS).map((m) => [m, m]));
    _canonical = new Map(Object.keys(METHODS).map((m) => [m.toLowerCase(), m]));
    for (const [alias, target] of Object.entries(_ALIASES)) _canonical.set(alias, target);
  }
  // The documented spelling (what clients send) needs no lower-casing.
  return _exact.get(name) ?? _canonical.get(name.toLowerCase());
}

/**
 * Reads the parameters of a Bot API request: the URL query merged with the body (JSON object,
 * urlencoded or multipart/form-data). Form and query values are strings (JSON-serialized fields
 * stay strings; the validator parses them), multipart file parts are web `File` objects, and JSON
 * body values keep their JSON types.
 *
 * @param req the incoming request; its body is consumed.
 * @param limits optional size limits (defaults: 50 MiB multipart, 10 MiB otherwise).
 * @returns the parameters, first occurrence of each name winning.
 * @throws {BodyError} for anything that cannot be read; never any other error.
 *
 * @example
 * ```ts
 * const req = new Request("http://x/bot1:A/sendMessage?chat_id=5", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ text: "hi" }),
 * });
 * await parseParams(req); // { chat_id: "5", text: "hi" }
 * ```
 */
export async function parseParams(
  req: Request,
  limits: ParseLimits = {},
): Promise<Record<string, unknown>> {
  try {
    return await _parse(req, limits);
  } catch (e) {
    if (e instanceof BodyError) throw e;
    // A safety net: whatever else goes wrong, the emulator still answers 400.
    throw new BodyError("Bad Request: can't parse the request");
  }
}

// Requests whose body is known to be held in memory already (built in-process from a string,
// bytes, a Blob, form data...): reading them whole is as safe as streaming them.
const _inMemory = new WeakSet<Request>();

/**
 * Marks a request whose body is already in memory (the emulator's in-process `fetch` knows
 * this from its `init.body`), so {@linkcode parseParams} reads it in one go instead of as a
 * stream. The size limits still apply.
 *
 * @example
 * ```ts
 * const req = new Request("http://x/bot1:A/getMe", { method: "POST", body: "{}" });
 * markInMemory(req);
 * ```
 */
export function markInMemory(req: Request): void {
  _inMemory.add(req);
}

const _encoder = new TextEncoder();
// Query characters the URL parser keeps as they are (so no re-parse is needed to read them).
const _PLAIN_QUERY = /^[!$%&()*+,\-./0-9:;=?@A-Z[\\\]^_`a-z{|}~]*$/;

/** The query of a request URL without its `?` ("" when there is none), as `URL.search` reads it. */
function _queryOf(url: string): string {
  const hash = url.indexOf("#");
  const q = url.indexOf("?");
  if (q < 0 || (hash >= 0 && hash < q)) return "";
  const query = url.slice(q + 1, hash < 0 ? url.length : hash);
  // Request URLs are serialized already; anything unusual goes through the real parser.
  return _PLAIN_QUERY.test(query) ? query : new URL(url).search.slice(1);
}

async function _parse(req: Request, limits: ParseLimits): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const search = _queryOf(req.url);
  if (search.length > 0) _parseUrlEncoded(_encoder.encode(search), out);

  const contentType = req.headers.get("content-type") ?? "";
  const lower = contentType.toLowerCase();
  if (lower.includes("multipart/form-data")) {
    const boundary = _boundaryOf(contentType);
    const body = await _readBody(req, limits.maxMultipartBytes ?? MAX_MULTIPART_BYTES);
    if (body.length > 0) _parseMultipart(body, boundary, out);
  } else if (lower.includes("application/x-www-form-urlencoded")) {
    _parseUrlEncoded(await _readBody(req, limits.maxBodyBytes ?? MAX_BODY_BYTES), out);
  } else if (lower.includes("application/json")) {
    return _parseJson(await _readBody(req, limits.maxBodyBytes ?? MAX_BODY_BYTES), out);
  }
  // Any other content type: the Bot API reads no parameters from the body.
  return out;
}

const _PROTO: object = Object.prototype;

/**
 * Sets an own enumerable property, safe for any name: "__proto__" and names inherited
 * from Object.prototype (which an assignment might not simply create) are defined.
 */
export function setOwn(out: Record<string, unknown>, name: string, value: unknown): void {
  if (name in _PROTO) {
    Object.defineProperty(out, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    out[name] = value;
  }
}

/** Adds a parameter unless the name was already seen (first wins), safe for any name. */
function _add(out: Record<string, unknown>, name: string, value: unknown): void {
  if (name === "" || Object.hasOwn(out, name)) return;
  setOwn(out, name, value);
}

const _utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const _lenient = new TextDecoder("utf-8", { ignoreBOM: true });

function _decodeUtf8(bytes: Bytes): string {
  // The lenient decoder is cheaper; it can only differ from the strict one where it put a
  // replacement character, and then the strict one decides.
  const text = _lenient.decode(bytes);
  if (!text.includes("\uFFFD")) return text;
  try {
    return _utf8.decode(bytes);
  } catch {
    throw new BodyError(NOT_UTF8);
  }
}

const _DIGITS = /^\s*\d+\s*$/;

async function _readBody(req: Request, limit: number): Promise<Bytes> {
  const declared = req.headers.get("content-length");
  const length = declared !== null && _DIGITS.test(declared) ? Number(declared) : -1;
  if (length > limit) throw new BodyError(TOO_LARGE, 413);
  const rawEncoding = req.headers.get("content-encoding");
  const encoding = rawEncoding === null ? "" : rawEncoding.trim().toLowerCase();
  // Fast path: an uncompressed body of a declared (HTTP framing enforces it) or in-memory size
  // is read in one go; `req.body` is never touched (Deno.serve would wrap it in a stream).
  if ((encoding === "" || encoding === "identity") && (length >= 0 || _inMemory.has(req))) {
    let whole: Bytes;
    try {
      whole = new Uint8Array(await req.arrayBuffer());
    } catch {
      throw new BodyError("Bad Request: can't read the request body");
    }
    if (whole.byteLength > limit) throw new BodyError(TOO_LARGE, 413);
    return whole;
  }
  if (req.body === null) return new Uint8Array(0);
  if (encoding !== "" && encoding !== "identity" && encoding !== "gzip" && encoding !== "deflate") {
    throw new BodyError("Unsupported Media Type: unsupported content-encoding", 415);
  }
  let body: Bytes | undefined;
  try {
    let stream: ReadableStream<Bytes> = req.body;
    if (encoding === "gzip" || encoding === "deflate") {
      stream = stream.pipeThrough(new DecompressionStream(encoding));
    }
    body = await readBounded(stream, limit);
  } catch {
    throw new BodyError(
      encoding === "gzip" || encoding === "deflate"
        ? "Bad Request: can't decode the request body"
        : "Bad Request: can't read the request body",
    );
  }
  if (body === undefined) throw new BodyError(TOO_LARGE, 413);
  return body;
}

// ---------------------------------------------------------------------------------------------
// application/x-www-form-urlencoded (also the URL query)

function _hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Form-decodes bytes: `+` is a space, well-formed `%XX` is a byte, anything else stays. */
function _unescape(bytes: Bytes): Bytes {
  if (!bytes.includes(0x25) && !bytes.includes(0x2b)) return bytes;
  const out = new Uint8Array(bytes.length);
  let j = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x25 && i + 2 < bytes.length) {
      const hi = _hex(bytes[i + 1]);
      const lo = _hex(bytes[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[j++] = hi * 16 + lo;
        i += 2;
        continue;
      }
    }
    out[j++] = c === 0x2b ? 0x20 : c;
  }
  return out.subarray(0, j);
}

function _parseUrlEncoded(bytes: Bytes, out: Record<string, unknown>): void {
  let i = 0;
  while (i < bytes.length) {
    let amp = bytes.indexOf(0x26, i);
    if (amp < 0) amp = bytes.length;
    if (amp > i) {
      let eq = bytes.indexOf(0x3d, i);
      if (eq < 0 || eq > amp) eq = amp;
      const name = _decodeUtf8(_unescape(bytes.subarray(i, eq)));
      const value = _decodeUtf8(_unescape(bytes.subarray(Math.min(eq + 1, amp), amp)));
      _add(out, name, value);
    }
    i = amp + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// application/json

/** Returns the parameters: `out` with the body's added, or the parsed body itself. */
function _parseJson(bytes: Bytes, out: Record<string, unknown>): Record<string, unknown> {
  let text = _decodeUtf8(bytes);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === "") return out; // an empty body carries no parameters
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BodyError("Bad Request: can't parse JSON object");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BodyError("Bad Request: JSON object expected");
  }
  const parsed = value as Record<string, unknown>;
  // Without query parameters the parsed object (a fresh plain object whose own properties
  // JSON.parse defined, "__proto__" included) already is the answer, unless it has an empty name.
  if (Object.keys(out).length === 0 && !Object.hasOwn(parsed, "")) return parsed;
  for (const name of Object.keys(parsed)) _add(out, name, parsed[name]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// multipart/form-data

function _boundaryOf(contentType: string): string {
  const at = contentType.toLowerCase().indexOf("boundary");
  if (at < 0) throw new BodyError("Bad Request: boundary not found");
  const eq = contentType.indexOf("=", at + 8);
  if (eq < 0) throw new BodyError("Bad Request: boundary value not found");
  let end = contentType.indexOf(";", eq + 1);
  if (end < 0) end = contentType.length;
  let boundary = contentType.slice(eq + 1, end).trim();
  if (boundary.length >= 2 && boundary.startsWith('"') && boundary.endsWith('"')) {
    boundary = boundary.slice(1, -1);
  }
  if (boundary === "" || boundary.length > MAX_BOUNDARY_LENGTH) {
    throw new BodyError("Bad Request: boundary too big or empty");
  }
  return boundary;
}

function _indexOf(haystack: Bytes, needle: Bytes, from: number): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  let i = haystack.indexOf(first, from);
  while (i >= 0 && i <= last) {
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
    i = haystack.indexOf(first, i + 1);
  }
  return -1;
}

const _CRLFCRLF = new Uint8Array([13, 10, 13, 10]);

function _parseMultipart(bytes: Bytes, boundary: string, out: Record<string, unknown>): void {
  const encoder = new TextEncoder();
  const delimiter = encoder.encode("\r\n--" + boundary);
  const first = _indexOf(bytes, delimiter.subarray(2), 0); // the preamble may be anything
  if (first < 0) throw new BodyError(MULTIPART_TRUNCATED);
  let pos = first + delimiter.length - 2;
  while (true) {
    if (pos + 2 > bytes.length) throw new BodyError(MULTIPART_TRUNCATED);
    if (bytes[pos] === 0x2d && bytes[pos + 1] === 0x2d) return; // closing delimiter; epilogue ignored
    while (bytes[pos] === 0x20 || bytes[pos] === 0x09) pos++; // transport padding
    if (bytes[pos] !== 13 || bytes[pos + 1] !== 10) throw new BodyError(MULTIPART_TRUNCATED);
    pos += 2;
    if (bytes[pos] === 13 && bytes[pos + 1] === 10) {
      throw new BodyError("Bad Request: headers in multipart/form-data are empty");
    }
    const headersEnd = _indexOf(bytes, _CRLFCRLF, pos);
    if (headersEnd < 0) throw new BodyError(MULTIPART_TRUNCATED);
    const part = _partHeaders(_decodeUtf8(bytes.subarray(pos, headersEnd)));
    const contentStart = headersEnd + 4;
    const contentEnd = _indexOf(bytes, delimiter, contentStart);
    if (contentEnd < 0) throw new BodyError(MULTIPART_TRUNCATED);
    const content = bytes.subarray(contentStart, contentEnd);
    pos = contentEnd + delimiter.length;

    if (part.name === undefined || part.name === "") {
      throw new BodyError("Bad Request: field name in multipart/form-data not found");
    }
    if (part.filename !== undefined) {
      const type = part.contentType ?? "application/octet-stream";
      _add(out, part.name, new File([content], part.filename, { type }));
    } else if (part.contentType?.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      _parseUrlEncoded(content, out);
    } else {
      _add(out, part.name, _decodeUtf8(content));
    }
  }
}

interface _PartHeaders {
  name?: string;
  filename?: string;
  contentType?: string;
}

function _partHeaders(text: string): _PartHeaders {
  const lines: string[] = [];
  for (const line of text.split("\r\n")) {
    if ((line.startsWith(" ") || line.startsWith("\t")) && lines.length > 0) {
      lines[lines.length - 1] += " " + line.trim(); // folded continuation line
    } else {
      lines.push(line);
    }
  }
  const part: _PartHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) throw new BodyError(MULTIPART_HEADERS);
    const header = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (header === "content-disposition") {
      _disposition(value, part);
    } else if (header === "content-type") {
      part.contentType = value;
    }
  }
  return part;
}

/** Reads `form-data; name="x"; filename="y"` (quoted values are taken literally, as browsers send). */
function _disposition(value: string, part: _PartHeaders): void {
  const semi = value.indexOf(";");
  const kind = (semi < 0 ? value : value.slice(0, semi)).trim().toLowerCase();
  if (kind !== "form-data") {
    throw new BodyError("Bad Request: expected form-data content disposition");
  }
  let i = semi < 0 ? value.length : semi + 1;
  while (i < value.length) {
    while (i < value.length && (value[i] === " " || value[i] === "\t" || value[i] === ";")) i++;
    let keyEnd = i;
    while (keyEnd < value.length && value[keyEnd] !== "=" && value[keyEnd] !== ";") keyEnd++;
    const key = value.slice(i, keyEnd).trim().toLowerCase();
    i = keyEnd;
    let v = "";
    if (value[i] === "=") {
      i++;
      while (value[i] === " " || value[i] === "\t") i++;
      if (value[i] === '"') {
        const close = value.indexOf('"', i + 1);
        const end = close < 0 ? value.length : close;
        v = value.slice(i + 1, end);
        i = end + 1;
      } else {
        let end = value.indexOf(";", i);
        if (end < 0) end = value.length;
        v = value.slice(i, end).trim();
        i = end;
      }
    }
    if (key === "name") part.name = v;
    else if (key === "filename") part.filename = v;
  }
}
