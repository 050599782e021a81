/**
 * Builds the npm package into `npm/` (or `--out DIR`), a package.json named `telepot`
 * with one export per public entry point:
 *
 * - `types/`: the `.d.ts` files TypeScript's `tsc` emits, one per source module;
 * - `esm/`: the JavaScript `tsc` emits, bundled by esbuild (ESM, not minified, so stack
 *   traces stay readable), so that Node loads three modules for `import("telepot")`
 *   instead of one per source file (module count was most of its cold import time):
 *   - `mod.js`, `helper.js`, ... (one per entry point): imports from the core and
 *     re-exports, nothing else;
 *   - `core.js` (what the main entry imports), `base.js` (the part of it the lazily
 *     loaded parts import too) and `core_helper.js`, `core_delegate.js`,
 *     `core_webhook.js` (what only those entries import): the core, in files that a
 *     user's bundler drops whole when an app does not use them (`sideEffects: false`);
 *   - `src/...`: each lazily imported part (runtime adapters, downloads, multipart
 *     bodies, token redaction) in a file of its own at its source path, still loaded on
 *     first use only; their fixed names let the "browser" field swap the runtime adapters
 *     (those that import `node:*` or name `Deno`, `process` or `Bun`) for
 *     `unavailable.js`;
 *   - `testing.js` (the emulator, on top of the core) and `chunks/` (what it and the
 *     lazy parts share).
 *
 * dnt (Deno's usual npm build tool) lives on JSR, which these machines cannot reach,
 * so this script drives tsc and esbuild itself. tsc comes from the dev tools in
 * tools/package.json: run `npm ci --prefix tools` once (the exact versions pinned in
 * tools/package-lock.json); esbuild from deno.json's import map.
 *
 *     deno task build:npm            # writes npm/
 *     deno task build:npm --out DIR  # writes DIR instead
 *
 * @module
 */

import * as esbuild from "esbuild";
import { runtimeApiUse } from "./bundle.ts";
import { exists } from "./_fs.ts";

const ROOT = new URL("../", import.meta.url);

/** The public entry points: npm subpath -> source file (without `.ts`). */
export const ENTRY_POINTS: Readonly<Record<string, string>> = {
  ".": "mod",
  "./async": "async",
  "./helper": "helper",
  "./delegate": "delegate",
  "./testing": "testing",
  "./webhook": "webhook",
};

/** What {@linkcode buildNpm} produced. */
export interface BuildResult {
  /** The package folder. */
  outDir: string;
  /** Number of `.js` files written (entry points, shared chunks, lazy parts). */
  jsFiles: number;
  /** The `.js` files Node loads for `import("telepot")`, relative to the package. */
  mainModules: string[];
  /** Milliseconds the build took. */
  ms: number;
}

function path(url: URL): string {
  return decodeURIComponent(url.pathname);
}

/** The tsc launcher installed by `npm ci`; a clear error when it is missing. */
async function findTsc(): Promise<string> {
  const tsc = path(new URL("tools/node_modules/typescript/bin/tsc", ROOT));
  if (!(await exists(tsc))) {
    throw new Error(
      "build:npm needs TypeScript from the project's dev tools, and tools/node_modules/typescript " +
        "is missing: run `npm ci --prefix tools` first (Node.js and npm are all it needs).",
    );
  }
  return tsc;
}

async function run(cmd: string, args: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(cmd, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  const text = new TextDecoder().decode(out.stdout) +
    new TextDecoder().decode(out.stderr);
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${text}`);
  }
  return text;
}

/** Every `.js` file under `dir`, as paths relative to `dir`. */
async function jsFiles(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory) found.push(...await jsFiles(dir, `${rel}/`));
    else if (e.name.endsWith(".js")) found.push(rel);
  }
  return found.sort();
}

const NPM_SPECIFIER = /(["'])npm:((?:@[^/"'@]+\/)?[^/"'@]+)@[^/"']+(\/[^"']*)?\1/g;

/** Rewrites `"npm:name@version/sub"` specifiers (Deno's) to `"name/sub"` (Node's) in the output. */
async function bareNpmSpecifiers(esm: string): Promise<void> {
  for await (const rel of allFiles(esm)) {
    if (!rel.endsWith(".js") && !rel.endsWith(".d.ts")) continue;
    const path = `${esm}/${rel}`;
    const code = await Deno.readTextFile(path);
    const fixed = code.replace(NPM_SPECIFIER, (_, q, name, sub = "") => `${q}${name}${sub}${q}`);
    if (fixed !== code) await Deno.writeTextFile(path, fixed);
  }
}

async function* allFiles(dir: string, prefix = ""): AsyncGenerator<string> {
  for await (const e of Deno.readDir(`${dir}/${prefix}`)) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory) yield* allFiles(dir, `${rel}/`);
    else yield rel;
  }
}

/** What the stand-in for a runtime adapter does in browser and worker bundles. */
const UNAVAILABLE_JS =
  `// Stands in for telepot's runtime adapters (local files, servers) in bundles for browsers
// and workers (package.json "browser" field): the core imports them only lazily, and
// only where a runtime has them. An ES module (\`export {}\`), as the adapters are: a
// script would make bundlers add their CommonJS interop helpers.
throw new TypeError(
  "telepot: local files and servers need Deno, Node or Bun; this bundle targets browsers/workers",
);
export {};
`;

/** Entry points kept out of the core: the emulator is big, and only tests load it. */
const OUTSIDE_CORE = new Set(["testing"]);

/** Two of the core's files, relative to the package: see {@linkcode Plan}. */
const BASE_FILE = "esm/base.js";
const CORE_FILE = "esm/core.js";

/** Marks a core file in esbuild's output (`telepot-core:esm/core.js`); made relative after. */
const MARK = "telepot-core:";

/** What every esbuild pass shares. */
const ESBUILD_COMMON = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  // Node built-ins stay imports (only the runtime adapters have them); packages too
  // (only @grammyjs/types, whose imports are types and gone from the JavaScript).
  external: ["node:*"],
  packages: "external",
  minify: false,
  // An unused `Object.freeze([])` can go: esbuild marks such calls `/* @__PURE__ */`
  // in the output, so a user's bundler drops them (the source never calls it for its
  // effect alone). Without it the core, one module now, kept a few such constants in
  // browser bundles that did not use them.
  pure: ["Object.freeze"],
  metafile: true,
  write: false,
  logLevel: "silent",
} as const satisfies esbuild.BuildOptions;

type Outputs = esbuild.Metafile["outputs"];

/**
 * How the compiled modules (paths relative to the tsc output, with `.js`) are split up.
 *
 * The core is everything the public entry points (the emulator's aside) import
 * statically. It goes into a few files, so a browser bundle keeps what it kept when each
 * source module was a file of its own:
 *
 * - `esm/base.js`: the part the lazily loaded parts import too (the client, the errors,
 *   input files). A bundler that puts a lazily imported module into the app's file must
 *   make it, and all it imports, run on first use (esbuild wraps them in a function,
 *   which also stops it dropping unused code): that is the base, not the whole core;
 * - `esm/core.js`: the rest of what the main entry point imports;
 * - `esm/core_helper.js`, ...: what only that entry point imports (code with effects at
 *   load, such as methods put on a prototype, stays out of apps that do not use it).
 */
interface Plan {
  /** The core's modules by the file they go to (`esm/base.js`, `esm/core.js`, ...). */
  layer: Map<string, string>;
  /** Modules outside the core imported lazily: each gets a file of its own. */
  lazy: string[];
  /** Core modules imported from outside their file, with their export names. */
  boundary: Map<string, string[]>;
}

/** The tsc output's `dir`-relative path of what `args` imports. */
function resolved(dir: string, args: { path: string; resolveDir: string }): string {
  const url = new URL(args.path, `file://${args.resolveDir}/`);
  return decodeURIComponent(url.pathname).slice(dir.length + 1);
}

/** `./to` relative to the folder of `from` (both relative to the same root). */
function relativeTo(from: string, to: string): string {
  const a = from.split("/").slice(0, -1);
  const b = to.split("/");
  let i = 0;
  while (i < a.length && i < b.length - 1 && a[i] === b[i]) i++;
  const up = a.length - i;
  return (up ? "../".repeat(up) : "./") + b.slice(i).join("/");
}

/** The private name a core file exports `name` of `module` under. */
function alias(module: string, name: string): string {
  return `${module.replace(/\.js$/, "").replace(/\W/g, "_")}$${name}`;
}

/** Works out the {@linkcode Plan} from the import graph of the compiled modules in `dir`. */
async function plan(dir: string): Promise<Plan> {
  const entries = Object.values(ENTRY_POINTS).map((f) => `${f}.js`);
  const graph = await esbuild.build({
    ...ESBUILD_COMMON,
    absWorkingDir: dir,
    entryPoints: entries.map((f) => `${dir}/${f}`),
    outdir: `${dir}/_graph`,
    splitting: true,
  });
  const inputs = graph.metafile.inputs;
  const imports = (m: string, kind?: string) =>
    inputs[m].imports
      .filter((i) => !i.external && (kind === undefined || i.kind === kind))
      .map((i) => i.path);
  /** `from` and what it imports statically, transitively, not entering `stop`. */
  const closure = (from: Iterable<string>, stop: (m: string) => boolean) => {
    const seen = new Set(from);
    const todo = [...seen];
    while (todo.length) {
      for (const dep of imports(todo.pop()!, "import-statement")) {
        if (seen.has(dep) || stop(dep)) continue;
        seen.add(dep);
        todo.push(dep);
      }
    }
    return seen;
  };
  // The core: what the public entries import. The entry files stay small files of their
  // own (each keeps its own exports), which must not be imported from the core.
  const inCore = entries.filter((e) => !OUTSIDE_CORE.has(e.slice(0, -3)));
  const starts = (e: string) => imports(e, "import-statement").filter((m) => !entries.includes(m));
  const core = closure(inCore.flatMap(starts), () => false);
  for (const m of core) {
    if (entries.includes(m)) {
      throw new Error(`${m} is imported from the core: the build cannot split that`);
    }
  }
  const lazy = new Set<string>();
  for (const m of Object.keys(inputs)) {
    for (const dep of imports(m, "dynamic-import")) {
      if (!core.has(dep) && !entries.includes(dep)) lazy.add(dep);
    }
  }
  // The base: the core modules the lazy parts import, and what they import.
  const lazyParts = closure(lazy, (m) => core.has(m));
  const base = closure(
    [...lazyParts].flatMap((m) => imports(m)).filter((m) => core.has(m)),
    () => false,
  );
  const layer = new Map([...base].map((m) => [m, BASE_FILE]));
  // The rest by entry point: the main one's first, those that re-export others last.
  const main = `${ENTRY_POINTS["."]}.js`;
  const reexporting = (e: string) => imports(e).some((m) => entries.includes(m));
  const order = [
    main,
    ...inCore.filter((e) => e !== main && !reexporting(e)),
    ...inCore.filter((e) => e !== main && reexporting(e)),
  ];
  for (const e of order) {
    const file = e === main ? CORE_FILE : `esm/core_${e.slice(0, -3)}.js`;
    for (const m of closure(starts(e), () => false)) if (!layer.has(m)) layer.set(m, file);
  }
  const boundary = new Set<string>();
  for (const m of Object.keys(inputs)) {
    for (const dep of imports(m)) {
      if (layer.has(dep) && layer.get(dep) !== layer.get(m)) boundary.add(dep);
    }
  }
  // The export names of the boundary modules: entry points of a throwaway build.
  const names = await esbuild.build({
    ...ESBUILD_COMMON,
    absWorkingDir: dir,
    entryPoints: [...boundary].map((m) => `${dir}/${m}`),
    outdir: `${dir}/_names`,
    splitting: true,
  });
  const exported = new Map<string, string[]>();
  for (const out of Object.values(names.metafile.outputs)) {
    if (out.entryPoint) exported.set(out.entryPoint, [...out.exports].sort());
  }
  return {
    layer,
    lazy: [...lazy].sort(),
    boundary: new Map([...boundary].sort().map((m) => [m, exported.get(m) ?? []])),
  };
}

/**
 * An esbuild plugin for a pass that bundles `current` (a core file, or none): imports of
 * core modules in another file become imports of that file (by a {@linkcode MARK}ed
 * path, of the {@linkcode alias}es it exports), and lazy imports of what is not in the
 * core stay imports of those parts' files.
 */
function coreImports(dir: string, plan: Plan, current?: string): esbuild.Plugin {
  return {
    name: "core-imports",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        const m = resolved(dir, args);
        const file = plan.layer.get(m);
        if (current && !file && args.kind === "dynamic-import") {
          return { path: relativeTo(current, `esm/${m}`), external: true };
        }
        return file && file !== current ? { path: m, namespace: "core" } : undefined;
      });
      build.onResolve({ filter: new RegExp(`^${MARK}`) }, (args) => ({
        path: args.path,
        external: true,
      }));
      build.onLoad({ filter: /./, namespace: "core" }, (args) => {
        const names = plan.boundary.get(args.path)!;
        const list = names.map((n) => `${alias(args.path, n)} as ${n}`).join(", ");
        const from = `${MARK}${plan.layer.get(args.path)}`;
        return { contents: `export { ${list} } from "${from}";\n`, loader: "js" };
      });
    },
  };
}

/**
 * Bundles the JavaScript tsc wrote into `dir` into `out`/esm (see the module doc):
 * the two core files ({@linkcode Plan}), one by one; each public entry point on its own
 * (nothing but imports from the core: the entry files only re-export); the emulator and
 * the lazy parts with code splitting (they may share code). Returns esbuild's metafile
 * outputs, paths relative to `out`.
 */
async function bundleEsm(dir: string, out: string): Promise<Outputs> {
  const p = await plan(dir);
  const options = { ...ESBUILD_COMMON, absWorkingDir: dir, outdir: `${out}/esm` };
  const passes: esbuild.BuildResult<typeof options>[] = [];
  for (const file of new Set(p.layer.values())) {
    const modules = [...p.boundary.keys()].filter((m) => p.layer.get(m) === file);
    const entry = `_${file.slice(4)}`;
    await Deno.writeTextFile(
      `${dir}/${entry}`,
      modules.map((m) => {
        const names = p.boundary.get(m)!.map((n) => `${n} as ${alias(m, n)}`).join(", ");
        return `export { ${names} } from "./${m}";\n`;
      }).join(""),
    );
    passes.push(
      await esbuild.build({
        ...options,
        entryPoints: [{ in: `${dir}/${entry}`, out: file.slice(4, -3) }],
        plugins: [coreImports(dir, p, file)],
      }),
    );
  }
  const inCore = Object.values(ENTRY_POINTS).filter((f) => !OUTSIDE_CORE.has(f));
  for (const f of inCore) {
    // Code of an entry file's own would be copied into every entry that imports it.
    const min = await esbuild.transform(await Deno.readTextFile(`${dir}/${f}.js`), {
      minify: true,
    });
    if (!/^(?:(?:import|export)\b[^;]*;)*$/.test(min.code.replace(/\n/g, ""))) {
      throw new Error(`${f}.ts has code of its own: a public entry point must only re-export`);
    }
  }
  passes.push(
    await esbuild.build({
      ...options,
      entryPoints: inCore.map((f) => ({ in: `${dir}/${f}.js`, out: f })),
      plugins: [coreImports(dir, p)],
    }),
  );
  const others = [...Object.values(ENTRY_POINTS), ...p.lazy.map((m) => m.slice(0, -3))]
    .filter((f) => !inCore.includes(f));
  passes.push(
    await esbuild.build({
      ...options,
      entryPoints: others.map((f) => ({ in: `${dir}/${f}.js`, out: f })),
      chunkNames: "chunks/[name]-[hash]",
      splitting: true,
      plugins: [coreImports(dir, p)],
    }),
  );
  for (const w of passes.flatMap((r) => r.warnings)) console.warn(`esbuild: ${w.text}`);
  // Paths relative to the package: metafile paths (relative to `dir`), and the marks.
  const inPackage = (path: string) =>
    decodeURIComponent(new URL(path, `file://${dir}/`).pathname).slice(out.length + 1);
  const outputs: Outputs = {};
  for (const pass of passes) {
    for (const [rel, o] of Object.entries(pass.metafile.outputs)) {
      outputs[inPackage(rel)] = {
        ...o,
        imports: o.imports.map((i) =>
          i.path.startsWith(MARK)
            ? { ...i, path: i.path.slice(MARK.length), external: false }
            : i.external
            ? i
            : { ...i, path: inPackage(i.path) }
        ),
      };
    }
    for (const file of pass.outputFiles) {
      const rel = file.path.slice(out.length + 1);
      const text = file.text.replace(
        new RegExp(`"${MARK}([^"]+)"`, "g"),
        (_, to) => JSON.stringify(relativeTo(rel, to)),
      );
      await Deno.mkdir(file.path.slice(0, file.path.lastIndexOf("/")), { recursive: true });
      await Deno.writeTextFile(file.path, text);
    }
  }
  return outputs;
}

/**
 * The package.json "browser" field: bundlers for browsers and workers (esbuild,
 * wrangler, webpack, vite) replace the runtime adapters with a module that fails to
 * load, and lazily imported \`node:*\` modules with nothing, so bundling the package
 * does not fail on them and a one-file bundle does not carry code that cannot run
 * there. A runtime adapter is an output file that imports \`node:*\` statically or
 * names a runtime's global (\`Deno\`, \`process\`, \`Bun\`): Deno's file system
 * adapter has no \`node:\` import, yet is as useless in a browser as Node's.
 */
async function browserField(
  out: string,
  outputs: Outputs,
): Promise<Record<string, string | false>> {
  const field: Record<string, string | false> = {};
  for (const [file, o] of Object.entries(outputs).sort(([a], [b]) => a < b ? -1 : 1)) {
    for (const imp of o.imports) {
      if (!imp.path.startsWith("node:")) continue;
      if (imp.kind === "dynamic-import") field[imp.path] = false;
      else field[`./${file}`] = "./esm/unavailable.js";
    }
    if (!file.endsWith(".js") || field[`./${file}`]) continue;
    const use = await runtimeApiUse(await Deno.readTextFile(`${out}/${file}`), "js");
    if (use.globals.length > 0) field[`./${file}`] = "./esm/unavailable.js";
  }
  return field;
}

/** The output files `file` loads before it runs (its static imports, transitively). */
function staticClosure(outputs: Outputs, file: string): string[] {
  const seen = new Set<string>([file]);
  const todo = [file];
  while (todo.length) {
    for (const imp of outputs[todo.pop()!].imports) {
      if (imp.external || imp.kind !== "import-statement" || seen.has(imp.path)) continue;
      seen.add(imp.path);
      todo.push(imp.path);
    }
  }
  return [...seen].sort();
}

/** The version pinned for `@grammyjs/types` in deno.json's import map. */
function typesVersion(denoJson: { imports?: Record<string, string> }): string {
  const spec = denoJson.imports?.["@grammyjs/types"] ?? "";
  const m = /^npm:@grammyjs\/types@(.+)$/.exec(spec);
  if (!m) {
    throw new Error(
      "deno.json must map @grammyjs/types to npm:@grammyjs/types@VERSION",
    );
  }
  return m[1];
}

/**
 * Builds the npm package.
 *
 * @param outDir where to write it (emptied first); default `npm/` in the project root
 * @returns where it went, how many modules, how long it took
 */
export async function buildNpm(
  outDir = path(new URL("npm/", ROOT)),
): Promise<BuildResult> {
  const started = performance.now();
  const root = path(ROOT).replace(/\/$/, "");
  const out = outDir.replace(/\/$/, "");
  const tsc = await findTsc();
  const tools = `${root}/tools/node_modules`;
  const denoJson = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));

  await Deno.remove(out, { recursive: true }).catch(() => {});
  await Deno.mkdir(out, { recursive: true });
  const work = await Deno.makeTempDir({ prefix: "telepot_build_" });
  const compiled = `${work}/tsc`;
  let outputs: Outputs;
  let browser: Record<string, string | false>;
  try {
    // Deno's own adapters (src/runtime/deno.ts) use the Deno namespace; tsc does not
    // know it. They are loaded only under Deno, so an opaque declaration is enough.
    await Deno.writeTextFile(
      `${work}/deno_shim.d.ts`,
      "declare const Deno: any;\n",
    );
    const tsconfig = {
      compilerOptions: {
        target: "es2022",
        module: "esnext",
        moduleResolution: "bundler",
        lib: ["es2023", "dom", "dom.iterable"],
        types: ["node"],
        typeRoots: [`${tools}/@types`],
        // The types package by its bare name (deno.json's import map) or its full
        // `npm:` specifier (what URL importers can resolve): both from the dev tools.
        paths: {
          "@grammyjs/types": [`${tools}/@grammyjs/types`],
          [`npm:@grammyjs/types@${typesVersion(denoJson)}`]: [`${tools}/@grammyjs/types`],
        },
        strict: true,
        declaration: true,
        rewriteRelativeImportExtensions: true,
        isolatedModules: true,
        skipLibCheck: true,
        noEmitOnError: true,
        rootDir: root,
        outDir: compiled,
        newLine: "lf",
      },
      files: [
        `${work}/deno_shim.d.ts`,
        ...Object.values(ENTRY_POINTS).map((f) => `${root}/${f}.ts`),
      ],
    };
    await Deno.writeTextFile(
      `${work}/tsconfig.json`,
      JSON.stringify(tsconfig, null, 2),
    );
    await run("node", [tsc, "-p", `${work}/tsconfig.json`], root);
    // The shim is not part of the package.
    await Deno.remove(`${compiled}/deno_shim.d.ts`).catch(() => {});
    await bareNpmSpecifiers(compiled);
    // The declarations as tsc wrote them; the JavaScript bundled.
    for await (const rel of allFiles(compiled)) {
      if (!rel.endsWith(".d.ts")) continue;
      const to = `${out}/types/${rel}`;
      await Deno.mkdir(to.slice(0, to.lastIndexOf("/")), { recursive: true });
      await Deno.copyFile(`${compiled}/${rel}`, to);
    }
    outputs = await bundleEsm(compiled, out);
    browser = await browserField(out, outputs);
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
    await esbuild.stop();
  }
  // A module the core loads before it runs must not be one the "browser" field takes away.
  for (const file of Object.values(ENTRY_POINTS)) {
    for (const dep of staticClosure(outputs, `esm/${file}.js`)) {
      if (browser[`./${dep}`]) {
        throw new Error(
          `esm/${file}.js loads ${dep} (it uses a runtime's own API) before it runs: ` +
            "a runtime adapter must be imported lazily (import()) so browser bundles can leave it out",
        );
      }
    }
  }
  await Deno.writeTextFile(`${out}/esm/unavailable.js`, UNAVAILABLE_JS);
  const exports: Record<string, { types: string; default: string }> = {};
  for (const [sub, file] of Object.entries(ENTRY_POINTS)) {
    exports[sub] = { types: `./types/${file}.d.ts`, default: `./esm/${file}.js` };
  }
  const pkg = {
    name: "telepot",
    version: denoJson.version,
    description:
      "Telegram Bot API framework with delegation: one live, cancellable task per chat. " +
      "Browser-safe core; runs on Node, Bun, Deno, Cloudflare Workers and browsers.",
    license: denoJson.license ?? "MIT",
    type: "module",
    main: "./esm/mod.js",
    types: "./types/mod.d.ts",
    exports,
    browser,
    sideEffects: false,
    engines: { node: ">=20" },
    files: ["esm/", "types/", "README.md"],
    keywords: [
      "telegram",
      "bot",
      "telegram-bot-api",
      "telepot",
      "deno",
      "bun",
      "workers",
    ],
    dependencies: { "@grammyjs/types": typesVersion(denoJson) },
  };
  await Deno.writeTextFile(
    `${out}/package.json`,
    JSON.stringify(pkg, null, 2) + "\n",
  );
  await Deno.copyFile(`${root}/README.md`, `${out}/README.md`);
  // Every file links under Node: an import the split got wrong (a name the core does not
  // export, a bad path) fails here, not in a user's app. Loading runs nothing (no side
  // effects at import), the stand-in for browsers aside.
  const files = (await jsFiles(`${out}/esm`)).filter((f) => f !== "unavailable.js");
  await run("node", [
    "--input-type=module",
    "-e",
    `for (const f of ${JSON.stringify(files)}) await import("./esm/" + f);`,
  ], out);

  return {
    outDir: out,
    jsFiles: (await jsFiles(`${out}/esm`)).length,
    mainModules: staticClosure(outputs, "esm/mod.js"),
    ms: performance.now() - started,
  };
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--out");
  const outDir = i >= 0 ? Deno.args[i + 1] : undefined;
  if (i >= 0 && !outDir) {
    console.error("usage: deno task build:npm [--out DIR]");
    Deno.exit(2);
  }
  try {
    const r = await buildNpm(
      outDir ? new URL(outDir, `file://${Deno.cwd()}/`).pathname : undefined,
    );
    console.log(
      `npm package written to ${r.outDir} (${r.jsFiles} JavaScript files, ` +
        `${r.mainModules.length} loaded by import("telepot"), ${Math.round(r.ms)} ms)`,
    );
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    Deno.exit(1);
  }
}
