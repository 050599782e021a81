/**
 * Size and start-up measures for the bench: cold import time of each package's main
 * entry under Node, and the min+gzip size of an echo bot bundled for browsers (ours and
 * grammY's web build), with our bundle's biggest contributors.
 * @module
 */
import * as esbuild from "esbuild";
import { coreReport, gzipSize } from "../scripts/bundle.ts";
import { median, PATHS } from "./harness.ts";

/** Median wall time of a bare `node` and of importing each package, in ms. */
export interface ColdImport {
  bare: number;
  ours: number;
  grammy: number;
  telegraf: number;
}

/**
 * One fresh `node` process running `code`; returns the milliseconds from the process's
 * start (its `performance.timeOrigin`) to the end of `code`, as the process itself
 * measured them: the parent's spawning and scheduling noise stays out.
 */
async function timeNode(code: string, cwd: string, pin: boolean): Promise<number> {
  const script = `${code};\nconsole.log(performance.now());`;
  const args = ["--input-type=module", "-e", script];
  const [cmd, full] = pin ? ["taskset", ["-c", "1", "node", ...args]] : ["node", args];
  const out = await new Deno.Command(cmd as string, {
    args: full as string[],
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`node -e ${code} failed: ${new TextDecoder().decode(out.stderr).slice(-500)}`);
  }
  return Number(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1));
}

/**
 * Cold import of the main entry (`import("telepot")` from the npm build, `"grammy"`,
 * `"telegraf"`), each a fresh `node` process, runs interleaved; median of `rounds`.
 */
export async function coldImports(rounds: number, pin: boolean): Promise<ColdImport> {
  const app = await Deno.makeTempDir({ prefix: "telepot_cold_" });
  try {
    await Deno.mkdir(`${app}/node_modules/@grammyjs`, { recursive: true });
    await Deno.symlink(PATHS.npm, `${app}/node_modules/telepot`);
    await Deno.symlink(
      `${PATHS.tools}/node_modules/@grammyjs/types`,
      `${app}/node_modules/@grammyjs/types`,
    );
    await Deno.writeTextFile(`${app}/package.json`, '{ "type": "module" }\n');
    const cases: [keyof ColdImport, string, string][] = [
      ["bare", "void 0", app],
      ["ours", 'await import("telepot")', app],
      ["grammy", 'await import("grammy")', PATHS.tools],
      ["telegraf", 'await import("telegraf")', PATHS.tools],
    ];
    const times: Record<string, number[]> = { bare: [], ours: [], grammy: [], telegraf: [] };
    for (const [, code, cwd] of cases) await timeNode(code, cwd, pin); // warm the file cache
    for (let i = 0; i < rounds; i++) {
      for (const [name, code, cwd] of cases) times[name].push(await timeNode(code, cwd, pin));
    }
    return {
      bare: median(times.bare)!,
      ours: median(times.ours)!,
      grammy: median(times.grammy)!,
      telegraf: median(times.telegraf)!,
    };
  } finally {
    await Deno.remove(app, { recursive: true }).catch(() => {});
  }
}

/** Echo bot bundle sizes (min+gzip bytes) and what ours is made of. */
export interface BundleSizes {
  /** The source (mod.ts) as scripts/bundle.ts bundles it: one file. */
  oursGzip: number;
  oursMin: number;
  /** The npm package (its `sideEffects: false` lets esbuild drop unused modules), one file. */
  npmGzip: number;
  npmMin: number;
  /**
   * The npm package with code splitting: what loads before the bot runs, i.e. the entry
   * chunk and the chunks it imports statically (each gzipped on its own, as each is a
   * request); the lazy parts load on first use.
   */
  npmSplitGzip: number;
  npmSplitMin: number;
  grammyGzip: number;
  grammyMin: number;
  /** Our echo bundle's inputs by minified bytes, biggest first. */
  contributors: { file: string; bytes: number }[];
}

const GRAMMY_ECHO = `import { Bot } from "grammy";
const bot = new Bot(globalThis.BOT_TOKEN);
bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
bot.start();
`;

/** How every echo bot is bundled for browsers: one ESM file, minified, kept in memory. */
const BROWSER = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  write: false,
} as const;

/** Builds both echo bots for browsers (esbuild, minified, ESM) and measures them. */
export async function bundleSizes(): Promise<BundleSizes> {
  const report = await coreReport();
  const dir = await Deno.makeTempDir({ prefix: "telepot_sizes_" });
  try {
    await Deno.writeTextFile(`${dir}/grammy_echo.js`, GRAMMY_ECHO);
    const grammy = await esbuild.build({
      entryPoints: [`${dir}/grammy_echo.js`],
      ...BROWSER,
      nodePaths: [`${PATHS.tools}/node_modules`],
      logLevel: "silent",
    });
    const grammyCode = grammy.outputFiles[0].contents;
    // The npm package as a user's bundler sees it, one file and with code splitting.
    await Deno.mkdir(`${dir}/node_modules`, { recursive: true });
    await Deno.symlink(PATHS.npm, `${dir}/node_modules/telepot`);
    await Deno.writeTextFile(
      `${dir}/npm_echo.js`,
      `import { Bot } from "telepot";
const bot = new Bot(globalThis.BOT_TOKEN);
bot.messageLoop(async (msg) => {
  if (msg.text) await bot.sendMessage(msg.chat.id, msg.text);
});
`,
    );
    const npm: Uint8Array[][] = [];
    for (const splitting of [false, true]) {
      const built = await esbuild.build({
        entryPoints: [`${dir}/npm_echo.js`],
        ...BROWSER,
        splitting,
        outdir: `${dir}/out`,
        conditions: ["browser"],
        metafile: true,
        logLevel: "silent",
      });
      // The entry and, with splitting, the shared chunks it imports statically: the
      // entry chunk alone would leave out the core those chunks hold.
      const loaded = new Set<string>();
      const todo = Object.keys(built.metafile.outputs).filter((o) => o.endsWith("npm_echo.js"));
      while (todo.length > 0) {
        const o = todo.pop()!;
        if (loaded.has(o)) continue;
        loaded.add(o);
        for (const i of built.metafile.outputs[o].imports) {
          if (i.kind === "import-statement" && !i.external) todo.push(i.path);
        }
      }
      npm.push(
        built.outputFiles
          .filter((f) => [...loaded].some((o) => f.path.endsWith(`/${o.replace(/^.*\//, "")}`)))
          .map((f) => f.contents),
      );
    }
    // Our echo bot again, with a metafile: bytes per input. Runtime adapters (lazily
    // imported, left out of browser bundles) are external here as in scripts/bundle.ts.
    await Deno.writeTextFile(
      `${dir}/echo.js`,
      `import { Bot } from "${PATHS.root}/mod.ts";
const bot = new Bot(globalThis.BOT_TOKEN);
bot.messageLoop(async (msg) => {
  if (msg.text) await bot.sendMessage(msg.chat.id, msg.text);
});
`,
    );
    const ours = await esbuild.build({
      entryPoints: [`${dir}/echo.js`],
      ...BROWSER,
      metafile: true,
      logLevel: "silent",
      plugins: [{
        name: "adapters-external",
        setup(build) {
          const adapter = /\/runtime\/(node|deno|node_transport)\.ts$/;
          build.onResolve({ filter: /./ }, (a) => {
            const full = a.path.startsWith(".") ? `${a.resolveDir}/${a.path}` : a.path;
            if (a.path.startsWith("node:") || adapter.test(full.replace(/\/\.\//g, "/"))) {
              return { path: a.path, external: true };
            }
            return undefined;
          });
        },
      }],
    });
    const output = Object.values(ours.metafile.outputs)[0];
    const contributors = Object.entries(output.inputs)
      .map(([file, v]) => ({
        file: file.replace(/^(\.\.\/)+/, "/").replace(`${PATHS.root}/`, ""),
        bytes: v.bytesInOutput,
      }))
      .filter((c) => c.bytes > 0)
      .sort((a, b) => b.bytes - a.bytes);
    return {
      oursGzip: report.echo.gzipBytes,
      oursMin: report.echo.code.byteLength,
      npmGzip: await gzipSize(npm[0][0]),
      npmMin: npm[0][0].byteLength,
      npmSplitGzip: (await Promise.all(npm[1].map(gzipSize))).reduce((a, b) => a + b, 0),
      npmSplitMin: npm[1].reduce((n, f) => n + f.byteLength, 0),
      grammyGzip: await gzipSize(grammyCode),
      grammyMin: grammyCode.byteLength,
      contributors,
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await esbuild.stop();
  }
}
