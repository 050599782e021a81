/**
 * {@linkcode InputFile}: a file to upload, from bytes, a Blob, a stream or a local path.
 * @module
 */

import { OPEN_INPUT_FILE, type UploadData } from "./uploads.ts";

export type { UploadData };

/**
 * Everything a Bot method accepts where the Bot API takes a file: an {@linkcode InputFile},
 * bytes, a Blob/File, a ReadableStream (sent once, streamed), or a URL for Telegram to
 * fetch. (A string is passed as is: a file_id or a URL.)
 */
export type InputFileLike = InputFile | UploadData | URL;

/** A part's opened bytes: a Blob (FormData can carry it) or a stream (we stream it). */
export interface OpenedPart {
  /** The bytes as a Blob (bytes in memory, a File, a file-backed Blob). */
  blob?: Blob;
  /** The bytes as a stream (a user's stream, a file opened by Deno). */
  stream?: ReadableStream<Uint8Array>;
  /** The part's file name. */
  filename: string;
  /** The part's content type. */
  type: string;
}

type Source = Blob | Uint8Array | ReadableStream<Uint8Array> | { path: string | URL };

/**
 * A file to upload, from bytes, a Blob/File, a ReadableStream or a local path.
 *
 * Plain bytes, Blobs and ReadableStreams may also be passed to Bot methods directly;
 * an InputFile adds a file name (Telegram shows it for documents) and local paths.
 * A ReadableStream is streamed to Telegram, never held in memory whole, and can be
 * sent only once; every other source can be sent again (a retry reopens a path).
 *
 * @example
 * ```ts
 * import { InputFile } from "./input_file.ts";
 * const doc = new InputFile(new TextEncoder().encode("hello"), "hello.txt");
 * // await bot.sendDocument(chatId, doc, { caption: "a file" });
 * // await bot.sendPhoto(chatId, InputFile.fromPath("./cat.jpg"));
 * console.log(doc.filename); // "hello.txt"
 * ```
 */
export class InputFile {
  /** The file name sent to Telegram (`undefined`: a File's own name, else the parameter's). */
  declare readonly filename: string | undefined;
  #source: Source;
  #used = false;

  /**
   * Wraps bytes, a Blob/File or a ReadableStream.
   *
   * @param data the bytes: Uint8Array/ArrayBuffer/any view, Blob or File, or a ReadableStream
   * @param filename the name Telegram gets (default: a File's name, else the parameter name)
   */
  constructor(data: UploadData, filename?: string) {
    this.#source = toSource(data);
    this.filename = filename ?? (isFile(data) && data.name ? data.name : undefined);
  }

  /**
   * A file on the local disk (Deno, Node, Bun). It is opened when sent, by a small
   * runtime adapter loaded on first use, so browser code never loads it.
   *
   * @param path the file's path (or a `file:` URL)
   * @param filename the name Telegram gets (default: the path's last segment)
   * @returns an InputFile reading that file
   * @example
   * ```ts
   * import { InputFile } from "./input_file.ts";
   * const photo = InputFile.fromPath("./cat.jpg");
   * console.log(photo.filename); // "cat.jpg"
   * ```
   */
  static fromPath(path: string | URL, filename?: string): InputFile {
    const file = new InputFile(new Uint8Array(0), filename ?? basename(path));
    file.#source = { path };
    return file;
  }

  /**
   * Opens the bytes for sending (used by the request builder).
   * @ignore
   */
  async [OPEN_INPUT_FILE](fallbackName: string): Promise<OpenedPart> {
    const src = this.#source;
    const filename = this.filename ?? fallbackName;
    if (src instanceof Uint8Array) {
      return { blob: new Blob([src as Uint8Array<ArrayBuffer>]), filename, type: OCTETS };
    }
    if (src instanceof Blob) return { blob: src, filename, type: src.type || OCTETS };
    if (src instanceof ReadableStream) {
      if (this.#used || src.locked) throw new TypeError(STREAM_ONCE);
      this.#used = true;
      return { stream: src, filename, type: OCTETS };
    }
    const { fileSystem } = await import("../runtime/fs.ts");
    const opened = await (await fileSystem()).openRead(src.path);
    return { ...opened, filename, type: OCTETS };
  }
}

const OCTETS = "application/octet-stream";
/** The error message for a stream sent twice. */
export const STREAM_ONCE =
  "InputFile: a ReadableStream can be uploaded only once (wrap the bytes, a Blob or a path to send again)";

function isFile(v: unknown): v is File {
  return typeof File !== "undefined" && v instanceof File;
}

function toSource(data: UploadData): Source {
  if (data instanceof Uint8Array || data instanceof Blob || data instanceof ReadableStream) {
    return data;
  }
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) {
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  throw new TypeError(
    "InputFile: expected bytes (Uint8Array, ArrayBuffer), a Blob or File, or a ReadableStream",
  );
}

function basename(path: string | URL): string {
  const p = typeof path === "string" ? path : decodeURIComponent(path.pathname);
  return p.split(/[\\/]/).filter(Boolean).pop() ?? "file";
}
