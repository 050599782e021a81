import assert from "node:assert/strict";
import { bundle, coreReport, formatReport, gzipSize, stopBundler } from "../scripts/bundle.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname)
  .replace(/\/$/, "");

/** Writes fixture modules into a temp folder, runs `fn`, removes them. */
async function withFixtures(
  files: Record<string, string>,
  fn: (dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "telepot_bundle_test_" });
  try {
    for (const [name, text] of Object.entries(files)) {
      await Deno.writeTextFile(`${dir}/${name}`, text.replaceAll("ROOT", ROOT));
    }
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("bundle() finds no runtime-specific API in the core and reports its size", async () => {
  try {
    const r = await coreReport();
    for (const b of [r.echo, r.core, r.full]) {
      assert.deepEqual(b.violations, []);
      assert.ok(b.code.byteLength > 1024, "a real bundle");
      assert.ok(b.gzipBytes < b.code.byteLength, "gzip shrinks it");
      assert.ok(b.inputs.includes("src/bot.ts"));
      // The runtime adapters are left out; their detection (fs.ts) stays in.
      assert.ok(
        !b.inputs.includes("src/runtime/node.ts"),
        "node.ts is not bundled",
      );
      assert.ok(
        !b.inputs.includes("src/runtime/deno.ts"),
        "deno.ts is not bundled",
      );
    }
    assert.ok(
      r.echo.lazy.some((l) => l.endsWith("./node.ts")),
      r.echo.lazy.join(),
    );
    assert.ok(r.echo.code.byteLength <= r.full.code.byteLength);
    const text = formatReport(r).join("\n");
    assert.match(text, /echo bot .* KiB +\d+\.\d KiB/);
    assert.match(text, /runtime-neutral/);
    const code = new TextDecoder().decode(r.core.code);
    assert.ok(
      !/\bDeno\.\w/.test(code.replace(/"[^"]*"/g, "")),
      "no Deno.* outside strings",
    );
  } finally {
    await stopBundler();
  }
});

Deno.test("bundle() reports Deno, process, Bun and static node: imports that slip in", async () => {
  try {
    await withFixtures({
      "uses_deno.ts": `export const home = () => Deno.env.get("HOME");\n`,
      "uses_process.ts": `export const env = () => process.env.TOKEN;\n`,
      "uses_bun.ts": `export const v = () => Bun.version;\n`,
      "uses_node.ts": `import { readFile } from "node:fs/promises";\nexport { readFile };\n`,
      "uses_fs.ts": `import { readFileSync } from "fs";\nexport { readFileSync };\n`,
      "detects.ts": `const g = globalThis as { process?: { versions?: object } };
export const onNode = () => g.process?.versions !== undefined || typeof Deno !== "undefined";
// Deno.exit() in a comment, and "process.env" in a string, are fine.
export const says = "process.env and Deno.exit";
`,
      "entry.ts": `import { Bot } from "ROOT/mod.ts";
import { home } from "./uses_deno.ts";
import { env } from "./uses_process.ts";
import { v } from "./uses_bun.ts";
import { readFile } from "./uses_node.ts";
import { readFileSync } from "./uses_fs.ts";
import { onNode, says } from "./detects.ts";
export const all = [Bot, home, env, v, readFile, readFileSync, onNode, says];
`,
    }, async (dir) => {
      const b = await bundle(`${dir}/entry.ts`);
      const found = b.violations.map((v) => `${v.file.slice(dir.length + 1)}: ${v.what}`).sort();
      assert.deepEqual(found, [
        "uses_bun.ts: uses the global `Bun` (1x)",
        "uses_deno.ts: uses the global `Deno` (1x)",
        'uses_fs.ts: imports "fs" statically',
        'uses_node.ts: imports "node:fs/promises" statically',
        "uses_process.ts: uses the global `process` (1x)",
      ]);
    });
  } finally {
    await stopBundler();
  }
});

Deno.test("bundle() leaves lazily imported runtime adapters out and bundles other lazy imports", async () => {
  try {
    await withFixtures({
      "adapter.ts": `import { readFile } from "node:fs/promises";\nexport { readFile };\n`,
      "deno_adapter.ts": `export const open = (p: string) => Deno.open(p);\n`,
      "plain.ts": `export const answer = 42;\n`,
      "entry.ts": `export async function load(kind: string) {
  if (kind === "node") return (await import("./adapter.ts")).readFile;
  if (kind === "deno") return (await import("./deno_adapter.ts")).open;
  return (await import("./plain.ts")).answer;
}
`,
    }, async (dir) => {
      const b = await bundle(`${dir}/entry.ts`, { minify: false });
      assert.deepEqual(b.violations, []);
      const short = (p: string) => p.slice(p.lastIndexOf("/") + 1);
      assert.deepEqual(b.lazy.map((l) => l.split(" -> ")[1]).sort(), [
        "./adapter.ts",
        "./deno_adapter.ts",
      ]);
      assert.deepEqual(b.inputs.map(short).sort(), ["entry.ts", "plain.ts"]);
      const code = new TextDecoder().decode(b.code);
      assert.ok(
        !code.includes("node:fs"),
        "the adapter's node: import is not in the bundle",
      );
      // The bundle runs: the plain module loads, an adapter fails to load with a clear error.
      const url = `data:text/javascript;base64,${btoa(code)}`;
      const mod = await import(url);
      assert.equal(await mod.load("plain"), 42);
      await assert.rejects(mod.load("node"), /runtime adapter not bundled/);
    });
  } finally {
    await stopBundler();
  }
});

Deno.test("gzipSize() measures gzip's output", async () => {
  const zeros = new Uint8Array(100_000);
  const size = await gzipSize(zeros);
  assert.ok(size > 20 && size < 1000, `gzip of zeros: ${size}`);
  const noise = crypto.getRandomValues(new Uint8Array(50_000));
  assert.ok(await gzipSize(noise) > 50_000);
});

Deno.test("deno task bundle prints the sizes and passes the runtime check", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${ROOT}/scripts/bundle.ts`],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, text);
  assert.match(
    text,
    /echo bot \(Bot \+ messageLoop\) +\d+\.\d KiB +\d+\.\d KiB/,
  );
  assert.match(text, /runtime-neutral: no Deno, process, Bun or node:/);
});
