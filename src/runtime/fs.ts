/**
 * Local files for uploads from a path and downloads to a path. Loaded on first use
 * only (a dynamic import), so the core never touches a runtime's own APIs; it picks
 * the adapter of the runtime it finds itself in.
 * @module
 */

import type { FileSystem } from "./file_system.ts";

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
