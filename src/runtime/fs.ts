/**
 * Local files for uploads from a path and downloads to a path. Loaded on first use
 * only (a dynamic import), so the core never touches a runtime's own APIs; it picks
 * the adapter of the runtime it finds itself in.
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

/** The file system adapter of the current runtime (Deno; Node and Bun share one). */
export async function fileSystem(): Promise<FileSystem> {
  const g = globalThis as {
    Deno?: unknown;
    Bun?: unknown;
    process?: { versions?: { node?: string } };
  };
  if (g.Deno !== undefined) return (await import("./deno.ts")).denoFileSystem;
  if (g.Bun !== undefined || g.process?.versions?.node) {
    return (await import("./node.ts")).nodeFileSystem;
  }
  throw new TypeError(
    "local file paths need Deno, Node or Bun; here, pass bytes, a Blob or a ReadableStream",
  );
}
