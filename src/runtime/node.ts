/**
 * The file system adapter for Node and Bun (loaded lazily by `fs.ts`).
 * @module
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { Readable } from "node:stream";
import type { FileSystem } from "./file_system.ts";

/**
 * Files through `node:fs`: an upload is a file-backed Blob (`fs.openAsBlob`, read as the
 * request is sent) or, where that is missing, a stream; a download is written chunk by
 * chunk to a file handle.
 */
export const nodeFileSystem: FileSystem = {
  async openRead(path) {
    if (typeof fs.openAsBlob === "function") return { blob: await fs.openAsBlob(path) };
    const { size } = await fsp.stat(path);
    const stream = Readable.toWeb(fs.createReadStream(path)) as ReadableStream<Uint8Array>;
    return { stream, size };
  },
  async openWrite(path) {
    const handle = await fsp.open(path, "w");
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      await handle.close();
    };
    const writable = new WritableStream<Uint8Array>({
      async write(chunk) {
        let off = 0;
        while (off < chunk.byteLength) {
          const { bytesWritten } = await handle.write(chunk, off, chunk.byteLength - off);
          off += bytesWritten;
        }
      },
      close,
      abort: close,
    });
    return { writable, remove: () => fsp.rm(path, { force: true }) };
  },
};
