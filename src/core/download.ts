/**
 * `downloadFile`: getFile, then a GET of `/file/bot<token>/<file_path>`, streamed to a
 * path, to a WritableStream, or into bytes; the size is checked against Content-Length
 * and getFile's file_size, and a partial file is removed when anything fails.
 * @module
 */
import type { File as TelegramFile } from "./types.ts";
import { type Client, parseAnswer } from "./client.ts";
import type { CallOptions } from "./transformer.ts";
import { TelepotError } from "./errors/base.ts";
import { BadHTTPResponse } from "./errors/http.ts";
import { concatBytes, readChunks } from "../files/bytes.ts";

/** Where a download goes: a local path (Deno/Node/Bun) or a WritableStream. */
export type DownloadDestination = string | URL | WritableStream<Uint8Array>;

const METHOD = "downloadFile";

/**
 * Downloads a file. `file` is a file_id (getFile is called first) or a File object from
 * getFile that has a file_path. Without `dest` the bytes are returned.
 */
export async function downloadFile(
  client: Client,
  getFile: (fileId: string, options: CallOptions) => Promise<TelegramFile>,
  file: string | TelegramFile,
  dest: DownloadDestination | undefined,
  options: CallOptions = {},
): Promise<Uint8Array | undefined> {
  const info = typeof file === "string" || file.file_path === undefined
    ? await getFile(typeof file === "string" ? file : file.file_id, options)
    : file;
  if (!info.file_path) {
    throw new TelepotError(
      `${METHOD}: getFile gave no file_path (the file may be larger than the Bot API serves)`,
    );
  }
  const url = client.fileUrl(info.file_path, METHOD);
  return await client.request(
    METHOD,
    url,
    { method: "GET" },
    client.timeout,
    options.signal,
    (res) => receive(res, info.file_size, dest, client),
  );
}

async function receive(
  res: Response,
  fileSize: number | undefined,
  dest: DownloadDestination | undefined,
  client: Client,
): Promise<Uint8Array | undefined> {
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => "");
    // throws the TelegramError, or a BadHTTPResponse
    await parseAnswer(METHOD, res, text, () => client.redaction());
    throw new BadHTTPResponse(METHOD, res.status, `HTTP ${res.status} without a file`);
  }
  const encoded = (res.headers.get("content-encoding") ?? "identity") !== "identity";
  const header = encoded ? null : res.headers.get("content-length");
  const announced = header === null ? undefined : Number(header);
  if (announced !== undefined && fileSize !== undefined && announced !== fileSize) {
    await res.body.cancel().catch(() => {});
    throw new BadHTTPResponse(
      METHOD,
      res.status,
      `the server announced ${announced} bytes but getFile said ${fileSize}`,
    );
  }
  const expected = announced ?? fileSize;

  let sink: Sink;
  try {
    sink = await openSink(dest, expected);
  } catch (err) {
    await res.body.cancel().catch(() => {});
    throw err;
  }
  try {
    const received = await readChunks(
      res.body,
      expected ?? Infinity,
      sink.write,
      async (err, received) =>
        new BadHTTPResponse(METHOD, res.status, `network failure after ${received} bytes`, {
          cause: (await client.redaction()).error(err),
        }),
    );
    if (received === undefined) {
      throw new BadHTTPResponse(METHOD, res.status, `got more than the ${expected} bytes expected`);
    }
    if (expected !== undefined && received !== expected) {
      throw new BadHTTPResponse(METHOD, res.status, `got ${received} bytes, expected ${expected}`);
    }
    return await sink.close();
  } catch (err) {
    await sink.fail(err);
    throw err;
  }
}

interface Sink {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<Uint8Array | undefined>;
  fail(reason: unknown): Promise<void>;
}

async function openSink(dest: DownloadDestination | undefined, expected?: number): Promise<Sink> {
  if (dest === undefined) return bytesSink(expected);
  if (dest instanceof WritableStream) return streamSink(dest);
  if (typeof dest !== "string" && !(dest instanceof URL)) {
    throw new TypeError(`${METHOD}: dest must be a path, a file: URL or a WritableStream`);
  }
  const { fileSystem } = await import("../runtime/fs.ts");
  const file = await (await fileSystem()).openWrite(dest);
  const sink = streamSink(file.writable);
  return {
    write: sink.write,
    close: sink.close,
    async fail(reason) {
      await sink.fail(reason);
      await file.remove();
    },
  };
}

function bytesSink(expected?: number): Sink {
  if (expected !== undefined) {
    const out = new Uint8Array(expected);
    let off = 0;
    return {
      write: (chunk) => {
        out.set(chunk, off);
        off += chunk.byteLength;
        return Promise.resolve();
      },
      close: () => Promise.resolve(out),
      fail: () => Promise.resolve(),
    };
  }
  const chunks: Uint8Array[] = [];
  return {
    write: (chunk) => {
      chunks.push(chunk);
      return Promise.resolve();
    },
    close: () => Promise.resolve(concatBytes(chunks)),
    fail: () => Promise.resolve(),
  };
}

function streamSink(dest: WritableStream<Uint8Array>): Sink {
  const writer = dest.getWriter();
  return {
    write: (chunk) => writer.write(chunk),
    async close() {
      await writer.close();
      return undefined;
    },
    async fail(reason) {
      await writer.abort(reason).catch(() => {});
    },
  };
}
