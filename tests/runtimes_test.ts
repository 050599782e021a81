/**
 * Everywhere telepot claims to run, proven by the real runtime: builds the npm package
 * (scripts/build_npm.ts) and the esbuild bundles (scripts/bundle.ts), then runs
 * - tests/node/suite.mjs with `node --test` against the packed npm build,
 * - the same suite with `bun test` on Bun 1.4.4 (npm package `bun`), plus
 *   tests/node/bun_suite.mjs (a webhook on Bun.serve),
 * - tests/worker/suite.mjs: a Worker (tests/worker/worker.mjs on the npm build, bundled by
 *   esbuild as wrangler would) in workerd through miniflare,
 * - tests/browser/suite.mjs: a polling bot in headless Chromium (playwright-core),
 * - a script that imports mod.ts by URL with no config and no import map, in Deno.
 *
 * The tools come from tools/package.json (`npm ci --prefix tools`, as .ci/run does) and
 * Debian's chromium. A missing tool fails its step with what to install: nothing is
 * skipped.
 */
import assert from "node:assert/strict";
import { buildNpm } from "../scripts/build_npm.ts";
import { bundle, stopBundler } from "../scripts/bundle.ts";
import * as esbuild from "esbuild";
import { exists } from "../scripts/_fs.ts";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname)
  .replace(/\/$/, "");
const TOOLS = `${ROOT}/tools/node_modules`;
const CHROMIUM = Deno.env.get("CHROMIUM") ?? "/usr/bin/chromium";
const BUN_VERSION = "1.4.4";
/** Bound on each runtime's run: far above what they take (seconds), so a hang fails. */
const STEP_TIMEOUT_MS = 180_000;

interface Ran {
  code: number;
  output: string;
  ms: number;
}

/** Runs a command to its end (killed after STEP_TIMEOUT_MS), output interleaved. */
async function run(
  cmd: string,
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<Ran> {
  const started = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    cwd: options.cwd,
    env: { NO_COLOR: "1", FORCE_COLOR: "0", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
  }, STEP_TIMEOUT_MS);
  try {
    const out = await child.output();
    const text = new TextDecoder().decode(out.stdout) +
      new TextDecoder().decode(out.stderr);
    return { code: out.code, output: text, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

/** The end of a long output, for a failure message. */
function tail(text: string, lines = 80): string {
  const all = text.trimEnd().split("\n");
  return (all.length > lines ? ["...", ...all.slice(-lines)] : all).join("\n");
}

/** Fails with the runtime's own words unless it exited 0. */
function expectPassed(what: string, ran: Ran): void {
  if (ran.code !== 0) {
    throw new Error(
      `${what} failed (exit code ${ran.code}):\n${tail(ran.output)}`,
    );
  }
}

function summary(what: string, ran: Ran, counts: string): void {
  console.log(
    `[runtimes] ${what}: ${counts} in ${(ran.ms / 1000).toFixed(1)} s`,
  );
}

/** `# pass N` / `# fail N` of node --test, or bun test's ` N pass` / ` N fail`. */
function counts(output: string): { pass: number; fail: number } {
  const node = (k: string) => Number(new RegExp(`^# ${k} (\\d+)`, "m").exec(output)?.[1]);
  const bun = (k: string) => Number(new RegExp(`^\\s*(\\d+) ${k}\\b`, "m").exec(output)?.[1]);
  const pass = node("pass");
  if (!Number.isNaN(pass)) return { pass, fail: node("fail") };
  return { pass: bun("pass"), fail: bun("fail") };
}

function expectTests(what: string, ran: Ran, atLeast: number): void {
  expectPassed(what, ran);
  const c = counts(ran.output);
  if (!(c.pass >= atLeast) || c.fail !== 0) {
    throw new Error(
      `${what}: expected at least ${atLeast} passing tests and none failing, ` +
        `saw ${c.pass} passed and ${c.fail} failed:\n${tail(ran.output)}`,
    );
  }
  summary(what, ran, `${c.pass} passed`);
}

async function needTool(path: string, what: string): Promise<void> {
  if (!(await exists(path))) {
    throw new Error(
      `${what} is missing (${path}). Install the test tools with \`npm ci --prefix tools\` ` +
        "(pinned in tools/package-lock.json; .ci/run does this).",
    );
  }
}

Deno.test("runtimes: the npm build, Node, Bun, workerd, Chromium and Deno by URL", async (t) => {
  const work = await Deno.makeTempDir({ prefix: "telepot_runtimes_" });
  const app = `${work}/app`;
  let built: string | undefined;
  const needBuild = () => {
    if (built === undefined) {
      throw new Error("the npm build failed (see the build step)");
    }
  };
  try {
    await t.step(
      "build: build:npm writes npm/, npm pack packs it, it installs",
      async () => {
        await needTool(`${TOOLS}/typescript/bin/tsc`, "TypeScript (tsc)");
        const out = `${work}/npm`;
        const result = await buildNpm(out);
        const pkg = JSON.parse(await Deno.readTextFile(`${out}/package.json`));
        assert.equal(pkg.name, "telepot");
        assert.equal(pkg.type, "module");
        assert.deepEqual(
          Object.keys(pkg.exports).sort(),
          [".", "./async", "./delegate", "./helper", "./testing", "./webhook"],
        );
        assert.equal(pkg.engines.node, ">=20");
        assert.deepEqual(Object.keys(pkg.dependencies), ["@grammyjs/types"]);
        for (
          const entry of Object.values(pkg.exports) as {
            types: string;
            default: string;
          }[]
        ) {
          assert.ok(await exists(`${out}/${entry.default}`), entry.default);
          assert.ok(await exists(`${out}/${entry.types}`), entry.types);
        }
        // Bundled: import("telepot") loads a few modules, not one per source file.
        assert.ok(result.mainModules.length <= 4, result.mainModules.join(", "));
        // Browser bundlers swap the runtime adapters (files that exist) for the stand-in.
        const swapped = Object.entries(pkg.browser).filter(([from]) => from.startsWith("./"));
        for (const [from, to] of swapped) {
          assert.ok(await exists(`${out}/${from}`), from);
          assert.equal(to, "./esm/unavailable.js");
        }
        for (const adapter of ["node_transport.js", "node.js", "deno.js"]) {
          assert.ok(
            swapped.some(([from]) => from.endsWith(`/runtime/${adapter}`)),
            `${adapter} is not swapped: ${JSON.stringify(pkg.browser)}`,
          );
        }
        // What a user installs: the packed tarball, unpacked into node_modules/telepot.
        const packed = await run("npm", [
          "pack",
          out,
          "--pack-destination",
          work,
          "--json",
        ], {
          cwd: work,
        });
        expectPassed("npm pack", packed);
        const [{ filename }] = JSON.parse(
          packed.output.slice(packed.output.indexOf("[")),
        );
        const mods = `${app}/node_modules`;
        await Deno.mkdir(`${mods}/telepot`, { recursive: true });
        await Deno.mkdir(`${mods}/@grammyjs`, { recursive: true });
        const untar = await run("tar", [
          "xzf",
          `${work}/${filename}`,
          "-C",
          `${mods}/telepot`,
          "--strip-components=1",
        ], { cwd: work });
        expectPassed("tar", untar);
        await Deno.symlink(
          `${TOOLS}/@grammyjs/types`,
          `${mods}/@grammyjs/types`,
        );
        for (const tool of ["miniflare", "playwright-core"]) {
          await needTool(`${TOOLS}/${tool}/package.json`, tool);
          await Deno.symlink(`${TOOLS}/${tool}`, `${mods}/${tool}`);
        }
        await Deno.writeTextFile(
          `${app}/package.json`,
          '{ "private": true, "type": "module" }\n',
        );
        for (const dir of ["node", "worker", "browser"]) {
          await Deno.mkdir(`${app}/${dir}`);
          await Deno.copyFile(
            `${ROOT}/tests/${dir}/suite.mjs`,
            `${app}/${dir}/suite.mjs`,
          );
        }
        await Deno.copyFile(`${ROOT}/tests/node/bun_suite.mjs`, `${app}/node/bun_suite.mjs`);
        built = out;
        console.log(
          `[runtimes] npm build: ${result.jsFiles} files, ${result.mainModules.length} loaded by ` +
            `import("telepot"), in ${(result.ms / 1000).toFixed(1)} s`,
        );
      },
    );

    await t.step(
      "Node: node --test tests/node/suite.mjs against the npm build",
      async () => {
        needBuild();
        const version = await run("node", ["--version"], { cwd: app });
        expectPassed("node --version", version);
        const major = Number(/^v(\d+)/.exec(version.output)?.[1]);
        assert.ok(
          major >= 20,
          `the package promises Node >= 20; this is ${version.output.trim()}`,
        );
        const ran = await run("node", [
          "--test",
          "--test-reporter=tap",
          "node/suite.mjs",
        ], {
          cwd: app,
        });
        expectTests(`Node ${version.output.trim()} (node --test)`, ran, 5);
      },
    );

    await t.step(
      `Bun ${BUN_VERSION}: bun test tests/node/suite.mjs (+ Bun.serve) against the npm build`,
      async () => {
        needBuild();
        const bun = `${TOOLS}/.bin/bun`;
        await needTool(bun, `Bun ${BUN_VERSION} (npm package bun)`);
        const version = await run(bun, ["--version"], { cwd: app });
        expectPassed("bun --version", version);
        assert.equal(
          version.output.trim(),
          BUN_VERSION,
          "the pinned Bun version",
        );
        const suites = ["./node/suite.mjs", "./node/bun_suite.mjs"];
        const ran = await run(bun, ["test", ...suites], { cwd: app });
        expectTests(`Bun ${BUN_VERSION} (bun test)`, ran, 6);
      },
    );

    await t.step(
      "Cloudflare Workers: the npm build bundled by esbuild, in workerd",
      async () => {
        needBuild();
        // As wrangler does it: plain esbuild, platform browser, Workers' export conditions.
        await Deno.copyFile(
          `${ROOT}/tests/worker/worker.mjs`,
          `${app}/worker/worker.mjs`,
        );
        await esbuild.build({
          entryPoints: [`${app}/worker/worker.mjs`],
          outfile: `${app}/worker/worker.js`,
          bundle: true,
          format: "esm",
          platform: "browser",
          conditions: ["workerd", "worker", "browser"],
          logLevel: "silent",
        });
        const ran = await run("node", [
          "--test",
          "--test-reporter=tap",
          "worker/suite.mjs",
        ], {
          cwd: app,
          env: { WORKER_BUNDLE: `${app}/worker/worker.js` },
        });
        expectTests("workerd via miniflare", ran, 2);
      },
    );

    await t.step(
      "Chromium: a polling bot in headless Chromium against the emulator",
      async () => {
        needBuild();
        if (!(await exists(CHROMIUM))) {
          throw new Error(
            `Chromium is missing (${CHROMIUM}): install Debian's package with ` +
              "`apt-get install -y chromium` (.ci/run does this), or set CHROMIUM to a browser.",
          );
        }
        const core = await bundle(`${ROOT}/mod.ts`);
        assert.deepEqual(
          core.violations,
          [],
          "the core bundle is runtime-neutral",
        );
        await Deno.writeFile(`${app}/browser/telepot.js`, core.code);
        await Deno.copyFile(
          `${ROOT}/tests/browser/index.html`,
          `${app}/browser/index.html`,
        );
        const ran = await run("node", [
          "--test",
          "--test-reporter=tap",
          "browser/suite.mjs",
        ], {
          cwd: app,
          env: { BROWSER_DIR: `${app}/browser`, CHROMIUM },
        });
        expectTests("Chromium via playwright-core", ran, 1);
      },
    );

    await t.step(
      "Deno: mod.ts and testing.ts imported by URL, no config, no import map",
      async () => {
        // The project served over HTTP, as a user's `import ... from "https://.../mod.ts"` sees it.
        const server = Deno.serve({
          hostname: "127.0.0.1",
          port: 0,
          onListen() {},
        }, async (req) => {
          const path = decodeURIComponent(new URL(req.url).pathname);
          if (
            !path.endsWith(".ts") || path.includes("..") ||
            path.includes("node_modules")
          ) {
            return new Response("not found", { status: 404 });
          }
          try {
            const body = await Deno.readFile(`${ROOT}${path}`);
            return new Response(body, {
              headers: { "content-type": "application/typescript" },
            });
          } catch {
            return new Response("not found", { status: 404 });
          }
        });
        try {
          const base = `http://127.0.0.1:${server.addr.port}`;
          const dir = `${work}/by_url`;
          await Deno.mkdir(dir);
          await Deno.writeTextFile(
            `${dir}/echo.ts`,
            `import { Bot } from "${base}/mod.ts";
import { Emulator } from "${base}/testing.ts";
const emu = new Emulator();
class Echo extends Bot {
  override async handle(msg: { chat: { id: number }; text?: string }) {
    if (msg.text) await this.sendMessage(msg.chat.id, "deno: " + msg.text);
  }
}
const bot = new Echo(emu.token, { fetch: emu.fetch, apiRoot: emu.apiRoot });
const loop = bot.messageLoop(undefined, { timeout: 1 });
const alice = emu.user("Alice");
await alice.send("by url");
console.log("answer:", (await alice.nextMessage()).text);
await bot.stop();
await loop;
await emu.close();
`,
          );
          const ran = await run(Deno.execPath(), [
            "run",
            "--no-config",
            "--no-lock",
            `--allow-import=127.0.0.1:${server.addr.port}`,
            "echo.ts",
          ], {
            cwd: dir,
            env: { DENO_DIR: `${work}/deno_dir`, DENO_NO_UPDATE_CHECK: "1" },
          });
          expectPassed("deno run echo.ts (imports by URL)", ran);
          assert.match(ran.output, /answer: deno: by url/);
          summary("Deno by URL", ran, "echo answered");
        } finally {
          await server.shutdown();
        }
      },
    );
  } finally {
    await stopBundler();
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
});
