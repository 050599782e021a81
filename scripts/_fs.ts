/**
 * File-system helpers shared by the scripts and the tests that drive them.
 * @module
 */

/**
 * Whether anything (file, folder, link target) exists at `path`.
 *
 * @example
 * ```ts
 * import { exists } from "./_fs.ts";
 * if (!(await exists("/usr/bin/chromium"))) console.error("no chromium");
 * ```
 */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}
