/**
 * `deno task bench`: telepot side by side with grammY, grammY + runner, Telegraf and two
 * hand-written loops, on the emulator over loopback HTTP; then the per-chat counter with
 * 10,000 chats, cold import times, browser bundle sizes, and the DelegatorBot dispatch
 * benchmark (bench/delegation_bench.ts). Prints the tables and the targets as ratios, and
 * writes BENCHMARKS.md with an SVG chart (bench/chart.svg).
 *
 *     deno task bench            # the full run (3 runs per cell; about half an hour here)
 *     deno task bench --quick    # 1 run per cell on small numbers (about 2 minutes); writes
 *                                # nothing, skips the dispatch benchmark
 *
 *     deno task bench:lean       # only the lean-server table and the cold import (a few
 *                                # minutes); replaces that section of BENCHMARKS.md
 *
 * The lean-server table runs our npm build, the node:http loop, Telegraf and grammY +
 * runner against bench/lean_server.mjs (a minimal Bot API stand-in, a few µs of server CPU
 * per request), so the bots' own costs show, not the emulator's.
 *
 * Options: `--runs N`, `--only ours-node,telegraf` (bots), `--workloads queued,delay20`,
 * `--write` / `--no-write` (BENCHMARKS.md; default: write in full mode only), `--json`
 * (print the raw report), `--skip-extras` (no counter, cold import, sizes, delegation).
 *
 * Needs the npm tools (`npm ci --prefix tools`: TypeScript for the npm build, grammY,
 * @grammyjs/runner, Telegraf) and Node 20. Exits 1 when one of our bots or a baseline
 * lost, duplicated or reordered a reply (peers are marked FAIL in the table instead:
 * grammY + runner reorders by design), or when a run of ours failed.
 * @module
 */
import { buildNpm } from "../scripts/build_npm.ts";
import { formatTable, type Result as DelegationResult } from "./delegation_bench.ts";
import {
  type BotSpec,
  canPin,
  faulty,
  PATHS,
  runOnce,
  type RunResult,
  summarize,
  type Summary,
  type Workload,
} from "./harness.ts";
import { type BenchReport, chartSvg, consoleSummary, markdown, spliceLean } from "./report.ts";
import { bundleSizes, coldImports } from "./sizes.ts";

const args = Deno.args;
const quick = args.includes("--quick");
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
};
const runs = Number(flag("runs") ?? (quick ? 1 : 3));
const write = args.includes("--write") || (!quick && !args.includes("--no-write"));
const leanOnly = args.includes("--lean");
const extras = !args.includes("--skip-extras") && !leanOnly;

const npmEsm = `${PATHS.npm}/esm`;
/** Every bot, in table order. */
export const BOTS: BotSpec[] = [
  {
    id: "ours-node",
    label: "telepot, Node (npm build)",
    runtime: "node",
    script: "ours.mjs",
    group: "ours",
    env: { TELEPOT_ROOT: npmEsm, TELEPOT_EXT: ".js", BOT_KIND: "echo" },
  },
  {
    id: "ours-deno",
    label: "telepot, Deno (source)",
    runtime: "deno",
    script: "ours.mjs",
    group: "ours",
    env: { TELEPOT_ROOT: PATHS.root, TELEPOT_EXT: ".ts", BOT_KIND: "echo" },
  },
  {
    id: "ours-node-settle0",
    label: "telepot, Node, settleTimeout 0",
    runtime: "node",
    script: "ours.mjs",
    group: "ours",
    env: { TELEPOT_ROOT: npmEsm, TELEPOT_EXT: ".js", BOT_KIND: "echo", SETTLE: "0" },
  },
  {
    id: "ours-plain-node",
    label: "telepot Bot.handle, Node",
    runtime: "node",
    script: "ours.mjs",
    group: "ours",
    env: { TELEPOT_ROOT: npmEsm, TELEPOT_EXT: ".js", BOT_KIND: "echo-plain" },
  },
  {
    id: "grammy-runner",
    label: "grammY + runner",
    runtime: "node",
    script: "grammy.mjs",
    group: "peer",
    env: { BOT_KIND: "runner" },
  },
  {
    id: "grammy",
    label: "grammY bot.start()",
    runtime: "node",
    script: "grammy.mjs",
    group: "peer",
  },
  { id: "telegraf", label: "Telegraf", runtime: "node", script: "telegraf.mjs", group: "peer" },
  {
    id: "loop-http-node",
    label: "loop, node:http keep-alive",
    runtime: "node",
    script: "loop_http.mjs",
    group: "baseline",
  },
  {
    id: "loop-fetch-node",
    label: "loop, Node fetch",
    runtime: "node",
    script: "loop_fetch.mjs",
    group: "baseline",
  },
  {
    id: "loop-fetch-deno",
    label: "loop, Deno fetch",
    runtime: "deno",
    script: "loop_fetch.mjs",
    group: "baseline",
  },
];

const N = quick ? 1_500 : 20_000;
/** The echo workloads. */
export const WORKLOADS: Workload[] = [
  {
    id: "queued",
    label: "Loopback, all queued",
    chats: 1000,
    updates: N,
    mode: "queued",
    cap: quick ? 30_000 : 120_000,
  },
  {
    id: "bursts",
    label: "Loopback, in bursts",
    chats: 1000,
    updates: N,
    mode: "bursts",
    burst: quick ? 150 : 500,
    every: 250,
    cap: quick ? 30_000 : 120_000,
  },
  {
    id: "delay20",
    label: "Every API answer delayed 20 ms",
    chats: 1000,
    updates: N,
    mode: "queued",
    delay: 20,
    cap: quick ? 3_000 : 45_000,
  },
];

/** The lean-server workload (bench/lean_server.mjs) and the bots it compares. */
export const LEAN: Workload = {
  id: "lean",
  label: "Lean server, all queued",
  chats: 1000,
  updates: quick ? 3_000 : 30_000,
  mode: "queued",
  cap: quick ? 30_000 : 120_000,
  server: "lean",
};
/** The bots of the lean-server table, in table order (ours first). */
export const LEAN_BOTS = ["ours-node", "loop-http-node", "telegraf", "grammy-runner"];

const COUNTER: Workload = {
  id: "counter",
  label: "Per-chat counter, 10,000 chats",
  chats: 10_000,
  updates: quick ? 3_000 : 30_000,
  mode: "queued",
  cap: quick ? 30_000 : 120_000,
};

async function toolsInstalled(): Promise<void> {
  for (const pkg of ["grammy", "@grammyjs/runner", "telegraf", "typescript"]) {
    try {
      await Deno.stat(`${PATHS.tools}/node_modules/${pkg}/package.json`);
    } catch {
      throw new Error(`${pkg} is missing from tools/node_modules: run \`npm ci --prefix tools\``);
    }
  }
}

async function machine(): Promise<string> {
  let cpu = "unknown CPU";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = /model name\s*:\s*(.+)/.exec(info)?.[1] ?? cpu;
  } catch { /* not Linux */ }
  const node = new TextDecoder().decode(
    (await new Deno.Command("node", { args: ["--version"] }).output()).stdout,
  ).trim();
  return `${navigator.hardwareConcurrency} × ${cpu}, Node ${node}, Deno ${Deno.version.deno}`;
}

async function delegation(sizes: number[]): Promise<string> {
  const bench = `${PATHS.root}/bench/delegation_bench.ts`;
  // A process's rate swings by a third from one process to the next here (heap layout,
  // GC timing), so each size runs in three fresh processes, interleaved, best kept.
  const best = new Map<number, DelegationResult>();
  for (let round = 0; round < 3; round++) {
    for (const size of sizes) {
      const { code, stdout } = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--v8-flags=--expose-gc", bench, `--sizes=${size}`, "--json"],
        stdout: "piped",
        stderr: "inherit",
      }).output();
      if (code !== 0) throw new Error(`delegation_bench.ts --sizes=${size} failed (exit ${code})`);
      for (const r of JSON.parse(new TextDecoder().decode(stdout)) as DelegationResult[]) {
        const had = best.get(r.handlers);
        if (had === undefined) best.set(r.handlers, r);
        else {
          if (r.tenBusy.cpu > had.tenBusy.cpu) had.tenBusy = r.tenBusy;
          if (r.allBusy.cpu > had.allBusy.cpu) had.allBusy = r.allBusy;
        }
      }
    }
  }
  return formatTable(sizes.map((size) => best.get(size)!).filter(Boolean));
}

/** Runs a bench script under Deno and returns its standard output; fails if it fails. */
async function script(file: string, args: string[], exposeGc = false): Promise<string> {
  const { code, stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...(exposeGc ? ["--v8-flags=--expose-gc"] : []), file, ...args],
    cwd: PATHS.root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`${file} failed (exit ${code})`);
  return new TextDecoder().decode(stdout);
}

/** The 1-minute load average (other work on the machine skews every number). */
async function loadAverage(): Promise<string> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).split(" ")[0];
  } catch {
    return "?";
  }
}

function log(text: string): void {
  console.error(text);
}

async function main(): Promise<number> {
  await toolsInstalled();
  const only = flag("only")?.split(",");
  const which = flag("workloads")?.split(",");
  const bots = only ? BOTS.filter((b) => only.includes(b.id)) : BOTS;
  const workloads = leanOnly
    ? []
    : which
    ? WORKLOADS.filter((w) => which.includes(w.id))
    : WORKLOADS;
  const leanBots = LEAN_BOTS.map((id) => BOTS.find((b) => b.id === id)!).filter((b) =>
    !only || only.includes(b.id)
  );
  const withLean = leanOnly || !which || which.includes(LEAN.id);
  const pin = await canPin();
  const load0 = await loadAverage();
  log(`building the npm package into ${PATHS.npm} ...`);
  await buildNpm(PATHS.npm);
  log(`${pin ? "pinning emulator to core 0 and bots to core 1" : "no taskset: not pinning"}`);

  let failed = false;
  const results: Summary[] = [];
  const runsOf = new Map<string, RunResult[]>();
  const one = async (bot: BotSpec, w: Workload, env?: Record<string, string>) => {
    const key = `${bot.id}/${w.id}`;
    try {
      const r = await runOnce(bot, w, { pin, env });
      log(
        `  ${key.padEnd(28)} ${Math.round(r.perSecond).toString().padStart(6)} upd/s` +
          `  lost ${r.lost ?? "n/a"} dup ${r.duplicated} reordered ${r.reordered}` +
          `${r.capped ? "  (cut off)" : ""}`,
      );
      runsOf.set(key, [...(runsOf.get(key) ?? []), r]);
    } catch (err) {
      log(`  ${key}: FAILED: ${(err as Error).message}`);
      if (bot.group !== "peer") failed = true;
    }
  };
  for (const w of workloads) {
    log(`${w.label} (${w.updates} updates, ${runs} run(s) each)`);
    for (let i = 0; i < runs; i++) for (const bot of bots) await one(bot, w);
    for (const bot of bots) {
      const rs = runsOf.get(`${bot.id}/${w.id}`);
      if (rs?.length) results.push(summarize(rs));
    }
  }
  const lean: Summary[] = [];
  if (withLean) {
    log(`${LEAN.label}, lean server (${LEAN.updates} updates, ${runs} run(s) each, interleaved)`);
    for (let i = 0; i < runs; i++) for (const bot of leanBots) await one(bot, LEAN);
    for (const bot of leanBots) {
      const rs = runsOf.get(`${bot.id}/${LEAN.id}`);
      if (rs?.length) lean.push(summarize(rs));
    }
  }
  const counter: Summary[] = [];
  if (extras) {
    log(`${COUNTER.label} (${COUNTER.updates} updates)`);
    const counterBots = BOTS.filter((b) => b.id === "ours-node" || b.id === "ours-deno");
    for (let i = 0; i < runs; i++) {
      for (const bot of counterBots) await one(bot, COUNTER, { BOT_KIND: "counter" });
    }
    for (const bot of counterBots) {
      const rs = runsOf.get(`${bot.id}/${COUNTER.id}`);
      if (rs?.length) counter.push(summarize(rs));
    }
  }
  for (const s of [...results, ...lean, ...counter]) {
    const group = BOTS.find((b) => b.id === s.bot)?.group;
    if (group !== "peer" && faulty(s)) failed = true;
  }
  const report: BenchReport = {
    quick,
    date: new Date().toISOString().slice(0, 16).replace("T", " ") + " UTC",
    machine: await machine(),
    load: load0,
    pinned: pin,
    runsPerCell: runs,
    bots,
    workloads,
    results,
    lean,
    leanWorkload: LEAN,
    counter,
    counterWorkload: COUNTER,
    cold: null,
    sizes: null,
    delegation: null,
    api: null,
    soak: null,
  };
  if (extras || leanOnly) {
    log("cold import times ...");
    report.cold = await coldImports(quick ? 7 : 25, pin);
  }
  if (extras) {
    log("bundle sizes ...");
    report.sizes = await bundleSizes();
    if (!quick) {
      log("DelegatorBot dispatch (bench/delegation_bench.ts) ...");
      report.delegation = await delegation([10, 1_000, 100_000]);
      log("per-call cost (bench/api_bench.ts) ...");
      report.api = await script("bench/api_bench.ts", []);
      log("soak, 1,000,000 updates (bench/soak.ts) ...");
      report.soak = JSON.parse(await script("bench/soak.ts", ["--json"], true));
    }
  }
  report.load += ` at the start, ${await loadAverage()} at the end`;
  console.log(consoleSummary(report));
  if (report.delegation) console.log(`\n${report.delegation}`);
  if (args.includes("--json")) console.log(JSON.stringify(report));
  if (write && leanOnly) {
    const file = `${PATHS.root}/BENCHMARKS.md`;
    await Deno.writeTextFile(file, spliceLean(await Deno.readTextFile(file), report));
    log("wrote the lean-server section of BENCHMARKS.md");
  } else if (write) {
    await Deno.writeTextFile(`${PATHS.root}/bench/chart.svg`, chartSvg(report));
    await Deno.writeTextFile(`${PATHS.root}/BENCHMARKS.md`, markdown(report, "bench/chart.svg"));
    log("wrote BENCHMARKS.md and bench/chart.svg");
  }
  if (failed) {
    log("FAILED: a run of ours or of a baseline failed, or lost/duplicated/reordered replies");
  }
  return failed ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main());
