/**
 * Installs the test-only tools the runtime suites need, when they are missing, so that
 * `deno task test` works on a fresh machine that has only Node and npm:
 * - the npm tools pinned in tools/package-lock.json (tsc, bun, miniflare, playwright-core);
 * - Debian's Chromium for the browser test (apt-get; needs root, as on CI machines).
 * Already installed tools cost one stat each. Nothing is downloaded but packages from the npm
 * registry and Debian's archive.
 * @module
 */

import { exists } from "./_fs.ts";

const root = new URL("../", import.meta.url).pathname;

async function run(cmd: string, args: string[], env?: Record<string, string>): Promise<void> {
  console.error(`setup: ${cmd} ${args.join(" ")}`);
  const { code } = await new Deno.Command(cmd, { args, env, stdout: "inherit", stderr: "inherit" })
    .output();
  if (code !== 0) throw new Error(`setup: ${cmd} ${args.join(" ")} exited with ${code}`);
}

/** True when tools/node_modules matches tools/package-lock.json (npm writes a hidden copy). */
async function toolsCurrent(): Promise<boolean> {
  try {
    const [lock, installed] = await Promise.all([
      Deno.readTextFile(`${root}tools/package-lock.json`),
      Deno.readTextFile(`${root}tools/node_modules/.package-lock.json`),
    ]);
    const want = JSON.parse(lock).packages ?? {};
    const have = JSON.parse(installed).packages ?? {};
    // Optional packages for other platforms (workerd-darwin-64, ...) are never installed here.
    return Object.entries<{ version?: string; optional?: boolean }>(want).every(([name, p]) =>
      name === "" || p.version === have[name]?.version || (p.optional && !have[name])
    );
  } catch {
    return false;
  }
}

if (!(await toolsCurrent())) {
  await run("npm", [
    "ci",
    "--prefix",
    `${root}tools`,
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
  ]);
}
if (!(await exists("/usr/bin/chromium"))) {
  if (Deno.uid?.() !== 0) {
    throw new Error("setup: Chromium is missing: run `apt-get install -y chromium` as root");
  }
  await run("apt-get", ["update", "-qq"]);
  await run("apt-get", ["install", "-y", "-qq", "chromium"], { DEBIAN_FRONTEND: "noninteractive" });
}
