/**
 * Bundles the core with esbuild for browsers and workers (platform "browser"), reports
 * its size (minified and gzipped) for an echo bot, and fails if a runtime-specific API
 * slipped into the core's import graph:
 *
 * - a static import of `node:*` (or of a Node built-in by its bare name);
 * - a reference to the global `Deno`, `process` or `Bun` (a property of `globalThis`,
 *   as feature detection reads it, and `typeof X` are allowed).
 *
 * Dynamic `import()`s are the sanctioned way to reach runtime adapters (local files,
 * servers): a lazily imported module that uses a runtime's own API is left out of the
 * bundle (replaced by a module that fails to load) and listed; any other lazily
 * imported module is bundled and checked like the rest.
 *
 *     deno task bundle             # report, and check
 *     deno task bundle --out DIR   # also write DIR/telepot.js (the core, ESM) and DIR/echo.js
 *
 * @module
 */
import * as esbuild from "esbuild";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname)
  .replace(/\/$/, "");

/** Globals that must not be referenced by name in the core. */
export const FORBIDDEN_GLOBALS = ["Deno", "process", "Bun"] as const;

const NODE_BUILTINS = new Set([
  "assert",
  "buffer",
  "child_process",
  "crypto",
  "dns",
  "events",
  "fs",
  "fs/promises",
  "http",
  "http2",
  "https",
  "net",
  "os",
  "path",
  "process",
  "stream",
  "stream/web",
  "tls",
  "url",
  "util",
  "worker_threads",
  "zlib",
]);

/** Something runtime-specific found in what is bundled. */
export interface Violation {
  /** The file (relative to the project root) that has it. */
  file: string;
  /** What was found. */
  what: string;
}

/** One bundle built by {@linkcode bundle}. */
export interface BundleResult {
  /** The bundled code. */
  code: Uint8Array;
  /** Its size after gzip (level 9). */
  gzipBytes: number;
  /** Files bundled (its import graph, runtime adapters excepted), relative to the root. */
  inputs: string[];
  /** Runtime adapters left out (lazily imported), as `importer -> specifier`. */
  lazy: string[];
  /** Runtime-specific code found in the static graph. */
  violations: Violation[];
}

/** Options of {@linkcode bundle}. */
export interface BundleOptions {
  /** Minify (default true). */
  minify?: boolean;
  /** esbuild conditions for package exports (default browser's). */
  conditions?: string[];
}

function rel(p: string): string {
  return p.startsWith(ROOT + "/") ? p.slice(ROOT.length + 1) : p;
}

/** Gzipped size of `bytes`, with the web CompressionStream. */
export async function gzipSize(bytes: Uint8Array): Promise<number> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()
    .pipeThrough(
      new CompressionStream("gzip"),
    );
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** Markers the `define` option puts in place of forbidden globals. */
const marker = (name: string) => `__telepot_forbidden_${name}__`;

/** What a module uses of a runtime's own API. */
export interface RuntimeApiUse {
  /** The runtime globals it names, as `uses the global \`Deno\` (2x)`. */
  globals: string[];
  /** The `node:*` modules it imports statically. */
  nodeImports: string[];
}

/**
 * What `source` (TypeScript or JavaScript) uses of a runtime's own API: the globals of
 * {@linkcode FORBIDDEN_GLOBALS} referenced by name (not in comments or strings, not
 * under `typeof`, not as a property of `globalThis`), and static `node:*` imports.
 *
 * @param source the module's code
 * @param loader how to read it
 * @returns the globals and `node:` imports found
 */
export async function runtimeApiUse(source: string, loader: "ts" | "js"): Promise<RuntimeApiUse> {
  const define: Record<string, string> = {};
  for (const g of FORBIDDEN_GLOBALS) define[g] = marker(g);
  // Compiling drops comments and types, and puts markers in place of the globals.
  const out = await esbuild.transform(source, {
    loader,
    define,
    minifyWhitespace: true,
    format: "esm",
  });
  const globals: string[] = [];
  for (const g of FORBIDDEN_GLOBALS) {
    const re = new RegExp(`(?<!typeof\\s*)${marker(g)}`, "g");
    const n = out.code.match(re)?.length ?? 0;
    if (n > 0) globals.push(`uses the global \`${g}\` (${n}x)`);
  }
  const nodeImports = [
    ...out.code.matchAll(/(?:import|from)\s*["'](node:[^"']+)["']/g),
  ]
    .map((m) => m[1]);
  return { globals, nodeImports };
}

/** What one file of the graph uses of a runtime's own API. */
async function scanFile(path: string): Promise<RuntimeApiUse> {
  return await runtimeApiUse(await Deno.readTextFile(path), path.endsWith(".ts") ? "ts" : "js");
}

/** Whether a dynamically imported module is a runtime adapter (uses a runtime's own API). */
async function isAdapter(
  specifier: string,
  resolveDir: string,
): Promise<boolean> {
  if (specifier.startsWith("node:") || NODE_BUILTINS.has(specifier)) {
    return true;
  }
  if (!specifier.startsWith(".") && !specifier.startsWith("/")) return false;
  const path = specifier.startsWith("/") ? specifier : `${resolveDir}/${specifier}`;
  try {
    const found = await scanFile(path);
    return found.globals.length > 0 || found.nodeImports.length > 0;
  } catch {
    return false;
  }
}

/**
 * Bundles `entry` for the browser platform (ESM) and checks everything bundled.
 *
 * @param entry path of the entry module
 * @param options minify, conditions
 * @returns the code, its sizes, its inputs, what was left lazy, and any violations
 */
export async function bundle(
  entry: string,
  options: BundleOptions = {},
): Promise<BundleResult> {
  const lazy: string[] = [];
  const violations: Violation[] = [];
  const guard: esbuild.Plugin = {
    name: "runtime-neutral",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === "dynamic-import") {
          // A lazily imported module stays out only if it is a runtime adapter (it uses a
          // runtime's own API); anything else is bundled like a static import.
          if (await isAdapter(args.path, args.resolveDir)) {
            lazy.push(`${rel(args.importer)} -> ${args.path}`);
            return {
              path: `${rel(args.importer)} -> ${args.path}`,
              namespace: "adapter",
            };
          }
          return undefined;
        }
        const bare = args.path.replace(/^node:/, "");
        if (args.path.startsWith("node:") || NODE_BUILTINS.has(bare)) {
          violations.push({
            file: rel(args.importer),
            what: `imports "${args.path}" statically`,
          });
          return { path: args.path, external: true };
        }
        return undefined;
      });
      // In the bundle, a runtime adapter is a module that fails to load: the code that
      // imports it has already told the user what to use instead in this runtime. It is
      // an ES module (`export {}`), as the adapters are: a script would make esbuild add
      // its CommonJS interop helpers to every bundle.
      build.onLoad({ filter: /.*/, namespace: "adapter" }, (args) => ({
        contents: `throw new TypeError(${
          JSON.stringify(
            `runtime adapter not bundled for this platform (${args.path})`,
          )
        });\nexport {};`,
        loader: "js",
      }));
    },
  };
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    conditions: options.conditions,
    minify: options.minify ?? true,
    write: false,
    metafile: true,
    logLevel: "silent",
    plugins: [guard],
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith("adapter:")).map((
    p,
  ) => p.startsWith("/") ? p : decodeURIComponent(new URL(p, `file://${Deno.cwd()}/`).pathname));
  for (const input of inputs) {
    if (input.includes("/node_modules/")) continue;
    for (const what of (await scanFile(input)).globals) {
      violations.push({ file: rel(input), what });
    }
  }
  return {
    code,
    gzipBytes: await gzipSize(code),
    inputs: inputs.map(rel).sort(),
    lazy,
    violations,
  };
}

/** Stops esbuild's service process (call when done bundling, e.g. at the end of a test). */
export function stopBundler(): Promise<void> {
  return esbuild.stop();
}

/** The echo bot whose bundle size is reported. */
export const ECHO_BOT = `import { Bot } from "${ROOT}/mod.ts";
const bot = new Bot(globalThis.BOT_TOKEN);
bot.messageLoop(async (msg) => {
  if (msg.text) await bot.sendMessage(msg.chat.id, msg.text);
});
`;

/** Everything the report covers. */
export interface CoreReport {
  /** The echo bot on the core. */
  echo: BundleResult;
  /** mod.ts with all its exports (what a page imports as `telepot.js`). */
  core: BundleResult;
  /** DelegatorBot with helper.ts and delegate.ts, and webhook.ts. */
  full: BundleResult;
}

/** Builds the echo bot, the core and the full set of entries, and checks them all. */
export async function coreReport(): Promise<CoreReport> {
  const dir = await Deno.makeTempDir({ prefix: "telepot_bundle_" });
  try {
    await Deno.writeTextFile(`${dir}/echo.js`, ECHO_BOT);
    await Deno.writeTextFile(
      `${dir}/full.js`,
      ["mod", "helper", "delegate", "webhook"]
        .map((m) => `export * as ${m} from "${ROOT}/${m}.ts";`).join("\n") +
        "\n",
    );
    const echo = await bundle(`${dir}/echo.js`);
    const core = await bundle(`${ROOT}/mod.ts`);
    const full = await bundle(`${dir}/full.js`);
    return { echo, core, full };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function kib(n: number): string {
  return `${(n / 1024).toFixed(1)} KiB`;
}

/** The report as text lines. */
export function formatReport(r: CoreReport): string[] {
  const row = (name: string, b: BundleResult) =>
    `${name.padEnd(38)} ${kib(b.code.byteLength).padStart(10)} ${kib(b.gzipBytes).padStart(10)} ${
      String(b.inputs.length).padStart(6)
    }`;
  const lines = [
    `${"bundle (esbuild, platform browser, ESM)".padEnd(38)} ${"minified".padStart(10)} ${
      "gzipped".padStart(10)
    } ${"files".padStart(6)}`,
    row("echo bot (Bot + messageLoop)", r.echo),
    row("core: mod.ts, all exports", r.core),
    row("mod + helper + delegate + webhook", r.full),
  ];
  const lazy = [...new Set([...r.echo.lazy, ...r.core.lazy, ...r.full.lazy])];
  lines.push(
    `lazily imported runtime adapters (left out): ${lazy.join(", ") || "none"}`,
  );
  const violations = [
    ...r.echo.violations,
    ...r.core.violations,
    ...r.full.violations,
  ];
  const unique = [...new Set(violations.map((v) => `${v.file}: ${v.what}`))];
  if (unique.length === 0) {
    lines.push(
      "runtime-neutral: no Deno, process, Bun or node: in what is bundled",
    );
  } else {
    lines.push(
      "RUNTIME-SPECIFIC CODE IN THE CORE'S IMPORT GRAPH (move it to a lazily imported adapter):",
    );
    for (const u of unique) lines.push(`  ${u}`);
  }
  return lines;
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--out");
  const out = i >= 0 ? Deno.args[i + 1] : undefined;
  let failed = false;
  try {
    const report = await coreReport();
    for (const line of formatReport(report)) console.log(line);
    failed = [report.echo, report.core, report.full].some((b) => b.violations.length > 0);
    if (out) {
      await Deno.mkdir(out, { recursive: true });
      await Deno.writeFile(`${out}/telepot.js`, report.core.code);
      await Deno.writeFile(`${out}/echo.js`, report.echo.code);
      console.log(`wrote ${out}/telepot.js and ${out}/echo.js`);
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    failed = true;
  } finally {
    await esbuild.stop();
  }
  if (failed) Deno.exit(1);
}
