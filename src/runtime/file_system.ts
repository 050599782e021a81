/**
 * What the Bot needs of a runtime's file system: the interface each adapter (`deno.ts`,
 * `node.ts`) implements and `fs.ts` hands out. Types only, so the adapters import it
 * without importing the detection in `fs.ts` that loads them.
 * @module
 */

/** A file opened for reading: a Blob backed by the file, or a stream of it. */
export type OpenedForRead = { blob: Blob } | { stream: ReadableStream<Uint8Array>; size: number };

/** A file opened for writing, and how to remove it (after a failed download). */
export interface OpenedForWrite {
  /** Writes go to the file; closing it closes the file; aborting it too. */
  writable: WritableStream<Uint8Array>;
  /** Deletes the file (no error if it is already gone). */
  remove(): Promise<void>;
}

/** What the Bot needs from a runtime's file system. */
export interface FileSystem {
  /** Opens `path` for reading without reading it whole. */
  openRead(path: string | URL): Promise<OpenedForRead>;
  /** Creates (or truncates) `path` for writing. */
  openWrite(path: string | URL): Promise<OpenedForWrite>;
}
