/**
 * Reading a body of bytes with a size limit, and joining chunks into one array: the
 * webhook, the emulator's parser and server, and downloads all read that way.
 * @module
 */

/**
 * Joins chunks into one new array (of its own `ArrayBuffer`, exactly as long as the bytes;
 * a single chunk is copied too).
 *
 * @param chunks the pieces, in order
 * @param total their byte count, if known (saves a pass over them)
 * @returns the bytes of all chunks
 * @example
 * ```ts
 * import { concatBytes } from "./bytes.ts";
 * const all = concatBytes([new Uint8Array([1, 2]), new Uint8Array([3])]);
 * console.log(all); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export function concatBytes(
  chunks: readonly Uint8Array[],
  total?: number,
): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(total ?? chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/**
 * Reads `stream` to its end, handing each chunk to `take` in turn. Past `maxBytes` in
 * all, the chunk that crosses the limit is not taken, the stream is cancelled and the
 * result is `undefined`. On any failure (a read, `take`) the stream is cancelled too;
 * a failed read then rejects with `readFailed(error, bytesSoFar)` (default: its error),
 * what `take` throws passes as it is.
 *
 * @param stream what to read
 * @param maxBytes the most bytes accepted in all (`Infinity`: no limit)
 * @param take gets each chunk (may return a promise: the next read waits for it)
 * @param readFailed what a failed read becomes (may be async)
 * @returns the number of bytes read, or `undefined` when there were more than `maxBytes`
 * @example
 * ```ts
 * import { readChunks } from "./bytes.ts";
 * const sizes: number[] = [];
 * const n = await readChunks(new Blob(["hello"]).stream(), 100, (c) => {
 *   sizes.push(c.byteLength);
 * });
 * console.log(n); // 5
 * ```
 */
export async function readChunks<B extends Uint8Array>(
  stream: ReadableStream<B>,
  maxBytes: number,
  take: (chunk: B) => void | Promise<void>,
  readFailed: (error: unknown, received: number) => unknown = (error) => error,
): Promise<number | undefined> {
  const reader = stream.getReader();
  let received = 0;
  try {
    for (;;) {
      let next: ReadableStreamReadResult<B>;
      try {
        next = await reader.read();
      } catch (err) {
        throw await readFailed(err, received);
      }
      if (next.done) return received;
      received += next.value.byteLength;
      if (received > maxBytes) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      await take(next.value);
    }
  } catch (err) {
    await reader.cancel().catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
}

/**
 * Reads a whole stream into one array, refusing more than `maxBytes`: then the stream
 * is cancelled and the result is `undefined`. A failed read cancels the stream and
 * rejects with its error. A body that came in one chunk is that chunk (no copy).
 *
 * @param stream what to read
 * @param maxBytes the most bytes accepted (`Infinity`: no limit)
 * @returns the bytes, or `undefined` when there were more than `maxBytes`
 * @example
 * ```ts
 * import { readBounded } from "./bytes.ts";
 * const body = new Blob(["0123456789"]).stream();
 * console.log(await readBounded(body, 4)); // undefined: too large
 * ```
 */
export async function readBounded<B extends Uint8Array>(
  stream: ReadableStream<B>,
  maxBytes: number,
): Promise<B | Uint8Array<ArrayBuffer> | undefined> {
  const chunks: B[] = [];
  const total = await readChunks(stream, maxBytes, (chunk) => {
    chunks.push(chunk);
  });
  if (total === undefined) return undefined;
  return chunks.length === 1 ? chunks[0] : concatBytes(chunks, total);
}
