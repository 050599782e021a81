/**
 * Multipart request bodies, loaded only when a call carries a file.
 *
 * A file at the top level of the parameters is a part named after its parameter
 * (`photo`, `document`, `thumbnail`); a file nested anywhere deeper (InputMedia,
 * InputSticker, InputPaidMedia, InputProfilePhoto, InputStoryContent...) becomes its own
 * part named `file0`, `file1`... and is replaced by `attach://fileN` in the
 * JSON-serialized parameter.
 * @module
 */
import { InputFile, type OpenedPart, STREAM_ONCE } from "./input_file.ts";
import { isUpload, OPEN_INPUT_FILE, type UploadData } from "./uploads.ts";

async function openPart(v: unknown, name: string): Promise<OpenedPart> {
  if (v instanceof ReadableStream && v.locked) throw new TypeError(STREAM_ONCE);
  const file = typeof v === "object" && v !== null && OPEN_INPUT_FILE in v
    ? v as InputFile
    : new InputFile(v as UploadData);
  return await file[OPEN_INPUT_FILE](name);
}

/** A multipart request body, ready for fetch, and how to release what it opened. */
export interface MultipartBody {
  /** FormData when every file is a Blob; a ReadableStream when one must be streamed. */
  body: FormData | ReadableStream<Uint8Array>;
  /** The content-type header for a streamed body (FormData sets its own). */
  contentType?: string;
  /** Cancels every source stream not read to the end (a failed request leaves none open). */
  dispose(reason?: unknown): Promise<void>;
}

/**
 * Builds the multipart body for `params` (which hold at least one upload): top-level
 * files as parts named after their parameter, nested files attached as `attach://fileN`.
 */
export async function multipartBody(params: Record<string, unknown>): Promise<MultipartBody> {
  // [part name, the upload, its fallback file name, attached (nested) or top-level]
  const uploads: [string, unknown, string, boolean][] = [];
  const fields: [string, string | number][] = []; // a number points into `uploads`
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (isUpload(value)) {
      fields.push([key, uploads.push([key, value, key, false]) - 1]);
    } else if (typeof value !== "object" || value instanceof URL) {
      fields.push([key, String(value)]); // a URL goes as its href, as in a JSON body
    } else {
      const json = JSON.stringify(value, (k: string, v: unknown) => {
        if (!isUpload(v)) return v;
        const id = `file${uploads.length}`;
        uploads.push([id, v, /^\d*$/.test(k) ? key : k, true]);
        return `attach://${id}`;
      });
      fields.push([key, json]);
    }
  }
  const opened: OpenedPart[] = [];
  try {
    for (const [, v, fallback] of uploads) opened.push(await openPart(v, fallback));
  } catch (err) {
    await Promise.all(opened.map((p) => p.stream?.cancel(err).catch(() => {})));
    throw err;
  }
  // Top-level files take their parameter's slot; attached ones follow the fields.
  const parts: [string, string | OpenedPart][] = fields.map((
    [key, v],
  ) => [key, typeof v === "number" ? opened[v] : v]);
  uploads.forEach(([id, , , attached], j) => attached && parts.push([id, opened[j]]));

  if (opened.every((p) => p.blob)) {
    const form = new FormData();
    for (const [name, v] of parts) {
      if (typeof v === "string") form.append(name, v);
      else form.append(name, v.blob!, v.filename);
    }
    return { body: form, dispose: () => Promise.resolve() };
  }
  return streamedMultipart(parts);
}

/**
 * A multipart body as a ReadableStream. FormData only carries Blobs, and turning a
 * ReadableStream into a Blob means holding it whole in memory; so when a file is a
 * stream, the body is written here part by part, pulling each source as fetch reads.
 */
function streamedMultipart(parts: [string, string | OpenedPart][]): MultipartBody {
  const random = crypto.getRandomValues(new Uint8Array(12));
  const boundary = "----telepot" +
    Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("");
  const enc = new TextEncoder();
  const sources = parts.map(([, v]) => typeof v === "string" ? undefined : v);
  let i = 0;
  let reader: ReadableStreamDefaultReader<unknown> | undefined;
  let finished = false;

  const dispose = async (reason?: unknown) => {
    if (finished) return;
    finished = true;
    const current = reader;
    reader = undefined;
    await current?.cancel(reason).catch(() => {});
    for (let j = i; j < parts.length; j++) {
      await sources[j]?.stream?.cancel(reason).catch(() => {});
    }
  };

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (reader) {
        const { done, value } = await reader.read();
        if (!done) return controller.enqueue(toBytes(value, enc));
        reader = undefined;
        return controller.enqueue(enc.encode("\r\n"));
      }
      if (i === parts.length) {
        finished = true;
        controller.enqueue(enc.encode(`--${boundary}--\r\n`));
        return controller.close();
      }
      const [name, v] = parts[i++];
      if (typeof v === "string") {
        return controller.enqueue(enc.encode(
          `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${v}\r\n`,
        ));
      }
      controller.enqueue(enc.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"; filename="${
          quote(v.filename)
        }"\r\nContent-Type: ${v.type}\r\n\r\n`,
      ));
      reader = (v.stream ?? v.blob!.stream()).getReader();
    },
    cancel: (reason) => dispose(reason),
  }, { highWaterMark: 0 });
  return { body, contentType: `multipart/form-data; boundary=${boundary}`, dispose };
}

function quote(s: string): string {
  return s.replace(/"/g, "%22").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function toBytes(chunk: unknown, enc: TextEncoder): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) {
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  if (typeof chunk === "string") return enc.encode(chunk);
  throw new TypeError("InputFile: a ReadableStream must yield bytes (Uint8Array)");
}
