/**
 * The file system adapter for Deno (loaded lazily by `fs.ts`).
 * @module
 */
import type { FileSystem } from "./file_system.ts";

/** Files through `Deno.open`: uploads are streamed from the file, downloads streamed into it. */
export const denoFileSystem: FileSystem = {
  async openRead(path) {
    const file = await Deno.open(path, { read: true });
    try {
      const { size } = await file.stat();
      return { stream: file.readable, size };
    } catch (err) {
      file.close();
      throw err;
    }
  },
  async openWrite(path) {
    const file = await Deno.open(path, { write: true, create: true, truncate: true });
    return {
      writable: file.writable,
      remove: () => Deno.remove(path).catch(() => {}),
    };
  },
};
