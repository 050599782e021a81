/**
 * Builds the npm package into `npm/` (or `--out DIR`): ESM JavaScript and `.d.ts`
 * files compiled by TypeScript's `tsc` (rewriting the `.ts` import extensions to
 * `.js`), and a package.json named `telepot` with one export per public entry point.
 *
 * dnt (Deno's usual npm build tool) lives on JSR, which these machines cannot reach,
 * so this script drives tsc itself. tsc comes from the dev tools in tools/package.json:
 * run `npm ci --prefix tools` once (the exact versions pinned in tools/package-lock.json).
 *
 *     deno task build:npm            # writes npm/
 *     deno task build:npm --out DIR  # writes DIR instead
 *
 * @module
 */

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
  /** Number of `.js` files written. */
  jsFiles: number;
  /** Milliseconds the build took. */
  ms: number;
}

function path(url: URL): string {
  return decodeURIComponent(url.pathname);
}

async function exists(p: string): Promise<boolean> {
  try {
    await Deno.stat(p);
    return true;
  } catch {
    return false;
  }
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

const STATIC_NODE_IMPORT = /^(?:import|export)\b[^\n]*["']node:[^"']+["']/m;
const DYNAMIC_NODE_IMPORT = /\bimport\(\s*["'](node:[^"']+)["']\s*\)/g;

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

/**
 * The package.json "browser" field: bundlers for browsers and workers (esbuild,
 * wrangler, webpack, vite) replace the runtime adapters (modules that import
 * \`node:*\` statically) with a module that fails to load, and lazily imported
 * \`node:*\` modules with nothing, so bundling the package does not fail on them.
 */
async function browserField(esm: string): Promise<Record<string, string | false>> {
  const field: Record<string, string | false> = {};
  for (const rel of await jsFiles(esm)) {
    const code = await Deno.readTextFile(`${esm}/${rel}`);
    if (STATIC_NODE_IMPORT.test(code)) field[`./esm/${rel}`] = "./esm/unavailable.js";
    for (const m of code.matchAll(DYNAMIC_NODE_IMPORT)) field[m[1]] = false;
  }
  return field;
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
        outDir: `${out}/esm`,
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
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
  // The shim is not part of the package.
  await Deno.remove(`${out}/esm/deno_shim.d.ts`).catch(() => {});
  await bareNpmSpecifiers(`${out}/esm`);
  const browser = await browserField(`${out}/esm`);
  await Deno.writeTextFile(`${out}/esm/unavailable.js`, UNAVAILABLE_JS);

  const exports: Record<string, { types: string; default: string }> = {};
  for (const [sub, file] of Object.entries(ENTRY_POINTS)) {
    exports[sub] = { types: `./esm/${file}.d.ts`, default: `./esm/${file}.js` };
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
    types: "./esm/mod.d.ts",
    exports,
    browser,
    sideEffects: false,
    engines: { node: ">=20" },
    files: ["esm/", "README.md"],
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
  return {
    outDir: out,
    jsFiles: (await jsFiles(`${out}/esm`)).length,
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
      `npm package written to ${r.outDir} (${r.jsFiles} modules, ${Math.round(r.ms)} ms)`,
    );
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    Deno.exit(1);
  }
}
