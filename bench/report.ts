/**
 * The bench's output: the text table, the targets as ratios, BENCHMARKS.md and an SVG
 * bar chart (drawn here, no dependency).
 * @module
 */
import type { BotSpec, Summary, Workload } from "./harness.ts";
import { faulty } from "./harness.ts";
import type { BundleSizes } from "./sizes.ts";
import {
  fmt,
  leanConsole,
  type LeanReport,
  leanSection,
  leanTargets,
  num,
  type Target,
} from "./report_lean.ts";

export { spliceLean, type Target } from "./report_lean.ts";

/** Everything one bench run measured. */
export interface BenchReport extends LeanReport {
  quick: boolean;
  date: string;
  machine: string;
  /** The 1-minute load average at the start and end (other processes skew the numbers). */
  load: string;
  pinned: boolean;
  runsPerCell: number;
  bots: BotSpec[];
  workloads: Workload[];
  results: Summary[];
  counter: Summary[];
  counterWorkload: Workload;
  sizes: BundleSizes | null;
  delegation: string | null;
  /** bench/api_bench.ts's Markdown tables (per-call cost; a streamed 50 MB upload). */
  api: string | null;
  /** bench/soak.ts --json. */
  soak: SoakReport | null;
}

/** What bench/soak.ts --json prints. */
export interface SoakReport {
  updates: number;
  chats: number;
  seconds: number;
  updatesPerSecond: number;
  rssMB: { start: number; peak: number; end: number };
  heapMB: { start: number; peak: number; end: number };
  samples: { updates: number; rssMB: number; heapMB: number; liveHeapMB?: number }[];
  missing: number;
  disorder: number;
  gc: boolean;
}

function cell(r: BenchReport, bot: string, workload: string): Summary | undefined {
  return r.results.find((s) => s.bot === bot && s.workload === workload);
}

/** The targets of issue 6, checked against this run. */
export function targets(r: BenchReport): Target[] {
  const out: Target[] = [];
  const rate = (bot: string, w: string) => cell(r, bot, w)?.perSecond ?? null;
  const ratio = (
    a: number | null,
    b: number | null,
  ) => (a !== null && b !== null && b > 0 ? a / b : null);
  const clean = (bot: string, w: string) => {
    const s = cell(r, bot, w);
    return s ? !faulty(s) : null;
  };
  const q = "queued";
  const loopRatio = ratio(rate("ours-node", q), rate("loop-http-node", q));
  out.push({
    what: "Node, loopback: ours / node:http loop",
    measured: loopRatio === null ? "–" : `${(loopRatio * 100).toFixed(0)}%`,
    goal: "≥ 80%",
    met: loopRatio === null ? null : loopRatio >= 0.8,
  });
  const tg = ratio(rate("ours-node", q), rate("telegraf", q));
  out.push({
    what: "Node, loopback: ours / Telegraf",
    measured: tg === null ? "–" : `${tg.toFixed(2)}×`,
    goal: "> 1",
    met: tg === null ? null : tg > 1,
  });
  const reorder = ["queued", "bursts", "delay20"].map((w) => cell(r, "ours-node", w));
  out.push({
    what: "Node: lost / duplicated / reordered replies of ours",
    measured: reorder.map((s) => s ? `${s.lost ?? "?"}/${s.duplicated}/${s.reordered}` : "–").join(
      ", ",
    ),
    goal: "0/0/0 in every workload",
    met: reorder.every((s) => s !== undefined) ? reorder.every((s) => !faulty(s!)) : null,
  });
  const d20 = ratio(rate("ours-node", "delay20"), rate("grammy-runner", "delay20"));
  out.push({
    what: "Node, 20 ms delay: ours / grammY + runner",
    measured: d20 === null ? "–" : `${d20.toFixed(2)}×`,
    goal: "> 1, zero reordering",
    met: d20 === null ? null : d20 > 1 && clean("ours-node", "delay20") === true,
  });
  const d20fast = ratio(rate("ours-node-settle0", "delay20"), rate("grammy-runner", "delay20"));
  if (d20fast !== null) {
    out.push({
      what: "Node, 20 ms delay: ours with settleTimeout 0 / grammY + runner",
      measured: `${d20fast.toFixed(2)}×`,
      goal: "> 1, zero reordering",
      met: d20fast > 1 && clean("ours-node-settle0", "delay20") === true,
    });
  }
  const deno = ratio(rate("ours-deno", q), rate("loop-fetch-deno", q));
  out.push({
    what: "Deno: ours / loop on Deno's fetch",
    measured: deno === null ? "–" : `${(deno * 100).toFixed(0)}%`,
    goal: "≥ 80%",
    met: deno === null ? null : deno >= 0.8,
  });
  out.push(...leanTargets(r));
  if (r.sizes) {
    const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
    out.push({
      what: "Echo bot for browsers, min+gzip, one file",
      measured: `${kb(r.sizes.oursGzip)} from the source, ${kb(r.sizes.npmGzip)} from the npm ` +
        `package (grammY ${kb(r.sizes.grammyGzip)})`,
      goal: "≤ 7.6 KB",
      met: Math.min(r.sizes.oursGzip, r.sizes.npmGzip) <= 7600,
    });
    out.push({
      what: "Echo bot for browsers, min+gzip, npm package with code splitting (what loads first)",
      measured: kb(r.sizes.npmSplitGzip),
      goal: "≤ 7.6 KB",
      met: r.sizes.npmSplitGzip <= 7600,
    });
  }
  return out;
}

/**
 * What a workload's ratios compare with: the node:http loop on loopback; with delayed
 * answers, where one-at-a-time loops are cut off long before the end, grammY + runner.
 */
function reference(w: Workload): { id: string; label: string; short: string } {
  return w.delay
    ? { id: "grammy-runner", label: "vs grammY + runner", short: "vs runnr" }
    : { id: "loop-http-node", label: "vs node:http loop", short: "vs http" };
}

/** The per-workload table as Markdown. */
function workloadTable(r: BenchReport, w: Workload): string[] {
  const ref = reference(w);
  const base = cell(r, ref.id, w.id)?.perSecond ?? null;
  const lines = [
    `| bot | updates/s | ${ref.label} | p50 ms | p99 ms | bot CPU µs/update | server CPU µs/update | peak RSS MiB | lost / dup / reordered |`,
    `|---|--:|--:|--:|--:|--:|--:|--:|---|`,
  ];
  for (const b of r.bots) {
    const s = cell(r, b.id, w.id);
    if (!s) continue;
    const vs = base && s.perSecond ? `${(s.perSecond / base * 100).toFixed(0)}%` : "–";
    const errors = `${s.lost ?? "n/a"} / ${s.duplicated} / ${s.reordered}${
      s.unexpected ? ` (+${s.unexpected} unexpected)` : ""
    }${faulty(s) ? " **FAIL**" : ""}`;
    lines.push(
      `| ${b.label}${s.capped ? " (cut off)" : ""} | ${num(s.perSecond)} | ${vs} | ${
        fmt(s.p50)
      } | ${fmt(s.p99)} | ${fmt(s.cpuPerUpdate)} | ${fmt(s.serverCpuPerUpdate)} | ${
        fmt(s.peakRssMiB)
      } | ${errors} |`,
    );
  }
  return lines;
}

function describe(w: Workload): string {
  const how = w.mode === "queued"
    ? "all queued before the bot starts"
    : `arriving in bursts of ${w.burst} every ${w.every} ms`;
  return `${w.updates.toLocaleString("en-US")} text updates over ${
    w.chats.toLocaleString("en-US")
  } private chats, each to a random chat, ${how}${
    w.delay ? `; every API answer delayed ${w.delay} ms` : ""
  } (cut off after ${w.cap / 1000} s)`;
}

/** A grouped horizontal bar chart of updates/s per workload and bot, as SVG. */
export function chartSvg(r: BenchReport): string {
  const colors: Record<string, string> = {
    ours: "#2a7ae2",
    peer: "#e07b39",
    baseline: "#8a8a8a",
  };
  const rowH = 18;
  const gap = 26;
  const labelW = 230;
  const barW = 520;
  const rows: { y: number; label: string; value: number | null; group: string; capped: boolean }[] =
    [];
  const heads: { y: number; text: string }[] = [];
  let y = 40;
  for (const w of r.workloads) {
    heads.push({ y, text: w.label });
    y += 8;
    for (const b of r.bots) {
      const s = cell(r, b.id, w.id);
      if (!s) continue;
      rows.push({ y, label: b.label, value: s.perSecond, group: b.group, capped: s.capped });
      y += rowH;
    }
    y += gap;
  }
  const width = labelW + barW + 110;
  const height = y;
  const esc = (t: string) => t.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">Echo bot, replies per second (median of ${r.runsPerCell}), higher is better</text>`,
  ];
  for (const h of heads) {
    parts.push(`<text x="10" y="${h.y + 4}" font-weight="bold">${esc(h.text)}</text>`);
  }
  // Each workload's bars are scaled to its own maximum (the workloads differ by 10-100x).
  let at = 0;
  for (const w of r.workloads) {
    const mine = rows.slice(at, at + r.bots.filter((b) => cell(r, b.id, w.id)).length);
    at += mine.length;
    const max = Math.max(1, ...mine.map((m) => m.value ?? 0));
    for (const m of mine) {
      const len = m.value ? Math.max(1, (m.value / max) * barW) : 0;
      parts.push(
        `<text x="${labelW - 6}" y="${m.y + 12}" text-anchor="end">${esc(m.label)}</text>`,
        `<rect x="${labelW}" y="${m.y + 2}" width="${len.toFixed(1)}" height="${rowH - 5}" fill="${
          colors[m.group]
        }"/>`,
        `<text x="${labelW + len + 4}" y="${m.y + 12}">${num(m.value)}${
          m.capped ? " (cut off)" : ""
        }</text>`,
      );
    }
  }
  parts.push(
    `<text x="10" y="${
      height - 8
    }" fill="#555">blue: telepot · orange: grammY, Telegraf · grey: hand-written loops</text>`,
    `</svg>`,
  );
  return parts.join("\n") + "\n";
}

/** BENCHMARKS.md. */
export function markdown(r: BenchReport, chartPath: string): string {
  const lines: string[] = [
    "# Benchmarks",
    "",
    "Written by `deno task bench` (bench/run.ts); do not edit by hand.",
    "",
    `Run: ${r.date}${
      r.quick ? " (quick mode)" : ""
    }. Machine: ${r.machine}; load average ${r.load}. ` +
    `${
      r.pinned ? "Emulator pinned to core 0, bot to core 1 (`taskset`)" : "Not pinned (no taskset)"
    }; a fresh emulator and bot process per run; median of ${r.runsPerCell} run(s).`,
    "",
    "Every bot is an echo bot against the emulator (testing.ts) served over loopback HTTP by",
    "bench/server.ts in its own Deno process. The emulator checks every reply: the n-th message",
    "of a chat says n, and a correct bot's n-th reply there says n; a reply seen twice is",
    "duplicated, one out of sequence reordered, one never seen lost (n/a when the run was cut",
    "off). Throughput counts from the bot's first getUpdates to its last reply; latency is",
    "from an update being available (queued: the start; bursts: its burst) to its reply.",
    "CPU is the bot process's user+system time in that window (from /proc), per update;",
    "the emulator's CPU shows when it, not the bot, is the limit.",
    "",
    `![updates per second](${chartPath})`,
    "",
    "## Targets",
    "",
    "| target | measured | goal | met |",
    "|---|---|---|---|",
  ];
  for (const t of targets(r)) {
    lines.push(
      `| ${t.what} | ${t.measured} | ${t.goal} | ${
        t.met === null ? "–" : t.met ? "yes" : "**no**"
      } |`,
    );
  }
  const lean = leanSection(r);
  if (lean.length) lines.push("", ...lean);
  lines.push("", "## Bots", "");
  for (const b of r.bots) lines.push(`- **${b.label}** (\`${b.id}\`): ${describeBot(b)}`);
  for (const w of r.workloads) {
    lines.push("", `## ${w.label}`, "", describe(w) + ".", "", ...workloadTable(r, w));
  }
  lines.push(
    "",
    "## Per-chat counter through DelegatorBot",
    "",
    `${describe(r.counterWorkload)}. A ChatHandler per chat counts its messages and answers`,
    "the count (the n-th reply must say n).",
    "",
    "| bot | updates/s | p50 ms | p99 ms | bot CPU µs/update | peak RSS MiB | lost / dup / reordered |",
    "|---|--:|--:|--:|--:|--:|---|",
  );
  for (const s of r.counter) {
    lines.push(
      `| ${r.bots.find((b) => b.id === s.bot)?.label ?? s.bot} | ${num(s.perSecond)} | ${
        fmt(s.p50)
      } | ${fmt(s.p99)} | ${fmt(s.cpuPerUpdate)} | ${fmt(s.peakRssMiB)} | ${
        s.lost ?? "n/a"
      } / ${s.duplicated} / ${s.reordered}${faulty(s) ? " **FAIL**" : ""} |`,
    );
  }
  if (r.cold) {
    lines.push(
      "",
      "## Cold import under Node",
      "",
      "`node --input-type=module -e 'await import(\"<package>\")'`, a fresh process each time:",
      "milliseconds from the process's start to the end of the import, as the process measures",
      "them (`performance.now()`); runs interleaved, median; `bare` imports nothing.",
      "",
      "| | ms | over bare node |",
      "|---|--:|--:|",
      `| bare node | ${fmt(r.cold.bare)} | |`,
      `| telepot (npm build) | ${fmt(r.cold.ours)} | +${fmt(r.cold.ours - r.cold.bare)} |`,
      `| grammY 1.46 | ${fmt(r.cold.grammy)} | +${fmt(r.cold.grammy - r.cold.bare)} |`,
      `| Telegraf 4.16 | ${fmt(r.cold.telegraf)} | +${fmt(r.cold.telegraf - r.cold.bare)} |`,
    );
  }
  if (r.sizes) {
    lines.push(
      "",
      "## Echo bot bundled for browsers",
      "",
      "esbuild, platform browser, ESM, minified; gzip level 9.",
      "",
      "| | minified | min+gzip |",
      "|---|--:|--:|",
      `| telepot (\`Bot\` + \`messageLoop\`), source (scripts/bundle.ts) | ${
        num(r.sizes.oursMin)
      } B | ${num(r.sizes.oursGzip)} B |`,
      `| telepot, npm package (\`sideEffects: false\`) | ${num(r.sizes.npmMin)} B | ${
        num(r.sizes.npmGzip)
      } B |`,
      `| telepot, npm package, code splitting: entry + static chunks | ${
        num(r.sizes.npmSplitMin)
      } B | ${num(r.sizes.npmSplitGzip)} B |`,
      `| grammY 1.46 web build (\`Bot\` + \`bot.start()\`) | ${num(r.sizes.grammyMin)} B | ${
        num(r.sizes.grammyGzip)
      } B |`,
      "",
      "The source bundle keeps modules the npm package lets a bundler drop (the delegation",
      "helpers re-exported by mod.ts, kept for their top-level code); both inline the lazily",
      "imported parts (downloads, uploads, token redaction) unless the bundler splits code.",
      "",
      "What the telepot echo bundle (source, one file) is made of (minified bytes per file):",
      "",
      "| file | bytes |",
      "|---|--:|",
      ...r.sizes.contributors.slice(0, 20).map((c) => `| ${c.file} | ${num(c.bytes)} |`),
    );
  }
  if (r.api) {
    lines.push(
      "",
      "## Per-call cost and a streamed upload (bench/api_bench.ts)",
      "",
      "Under Deno, side by side with grammY's `bot.api` in the same process.",
      r.api.trim(),
    );
  }
  if (r.soak) {
    const k = r.soak;
    lines.push(
      "",
      "## Soak (bench/soak.ts)",
      "",
      `${num(k.updates)} text updates over ${num(k.chats)} private chats through a DelegatorBot`,
      "(a ChatHandler per chat counting its messages), polling the in-process emulator; updates",
      "keep arriving while the bot runs. Memory is the whole process (bot and emulator).",
      `${num(k.updatesPerSecond)} updates/s; ${k.missing} unanswered, ${k.disorder} out of order.`,
      "",
      "| | RSS MiB | JS heap MiB |",
      "|---|--:|--:|",
      `| start (10,000 chats, no update yet) | ${k.rssMB.start} | ${k.heapMB.start} |`,
      `| peak | ${k.rssMB.peak} | ${k.heapMB.peak} |`,
      `| end${k.gc ? " (after a full GC)" : ""} | ${k.rssMB.end} | ${k.heapMB.end} |`,
      "",
      `| updates handled | RSS MiB | JS heap MiB |${k.gc ? " live heap after GC MiB |" : ""}`,
      `|--:|--:|--:|${k.gc ? "--:|" : ""}`,
      ...k.samples.map((x) =>
        `| ${num(x.updates)} | ${x.rssMB} | ${x.heapMB} |${k.gc ? ` ${x.liveHeapMB} |` : ""}`
      ),
    );
  }
  if (r.delegation) {
    lines.push(
      "",
      "## DelegatorBot dispatch (bench/delegation_bench.ts)",
      "",
      "```",
      r.delegation,
      "```",
    );
  }
  return lines.join("\n") + "\n";
}

function describeBot(b: BotSpec): string {
  switch (b.id) {
    case "ours-node":
      return "the npm build under Node: `DelegatorBot` with `[perChatId(), call(echo)]` (one delegate per chat: replies in order per chat, chats concurrently); the node:http keep-alive transport is picked automatically.";
    case "ours-deno":
      return "the same bot from the source under Deno (fetch).";
    case "ours-node-settle0":
      return "the same, with the update loop's `settleTimeout: 0`: a batch is confirmed once handed over, and the next getUpdates goes out at once, without waiting for the batch's delegates (what grammY and Telegraf do; a crash then loses the replies in progress).";
    case "ours-plain-node":
      return "the npm build under Node: a `Bot` whose `handle()` awaits each reply (one update at a time, as the update loop hands them over).";
    case "grammy":
      return "grammY 1.46, `bot.on('message:text', ctx => ctx.reply(...))`, `bot.start()`.";
    case "grammy-runner":
      return "the same grammY bot with @grammyjs/runner 2.0.3 `run(bot)` (concurrent, no per-chat sequencing).";
    case "telegraf":
      return "Telegraf 4.16.3, `bot.on('text', ctx => ctx.reply(...))`, `bot.launch()`, keep-alive http agent.";
    case "loop-fetch-node":
      return "hand-written: getUpdates, then each sendMessage awaited in turn, on Node's global fetch.";
    case "loop-http-node":
      return "hand-written: the same loop on node:http with a keep-alive agent.";
    case "loop-fetch-deno":
      return "hand-written: the same fetch loop under Deno.";
    default:
      return b.script;
  }
}

/** The console summary. */
export function consoleSummary(r: BenchReport): string {
  const lines: string[] = [];
  for (const w of r.workloads) {
    lines.push(`\n${w.label}: ${describe(w)}`);
    const ref = reference(w);
    const base = cell(r, ref.id, w.id)?.perSecond ?? null;
    lines.push(
      `${"bot".padEnd(26)} ${"upd/s".padStart(8)} ${ref.short.padStart(8)} ${"p50".padStart(7)} ${
        "p99".padStart(7)
      } ${"cpu µs".padStart(7)} ${"srv µs".padStart(7)} ${"RSS MiB".padStart(8)}  lost/dup/reord`,
    );
    for (const b of r.bots) {
      const s = cell(r, b.id, w.id);
      if (!s) continue;
      const vs = base && s.perSecond ? `${(s.perSecond / base * 100).toFixed(0)}%` : "–";
      lines.push(
        `${(b.label + (s.capped ? " (cut)" : "")).padEnd(26)} ${num(s.perSecond).padStart(8)} ${
          vs.padStart(8)
        } ${fmt(s.p50).padStart(7)} ${fmt(s.p99).padStart(7)} ${fmt(s.cpuPerUpdate).padStart(7)} ${
          fmt(s.serverCpuPerUpdate).padStart(7)
        } ${fmt(s.peakRssMiB).padStart(8)}  ${s.lost ?? "n/a"}/${s.duplicated}/${s.reordered}${
          faulty(s) ? "  FAIL" : ""
        }`,
      );
    }
  }
  lines.push(...leanConsole(r));
  if (r.counter.length) lines.push(`\nper-chat counter, ${describe(r.counterWorkload)}`);
  for (const s of r.counter) {
    lines.push(
      `${s.bot.padEnd(26)} ${num(s.perSecond).padStart(8)} upd/s  p99 ${fmt(s.p99)} ms  RSS ${
        fmt(s.peakRssMiB)
      } MiB  ${s.lost ?? "n/a"}/${s.duplicated}/${s.reordered}${faulty(s) ? "  FAIL" : ""}`,
    );
  }
  if (r.cold) {
    lines.push(
      `\ncold import (ms, median): bare ${fmt(r.cold.bare)}, telepot ${fmt(r.cold.ours)}, grammY ${
        fmt(r.cold.grammy)
      }, Telegraf ${fmt(r.cold.telegraf)}`,
    );
  }
  if (r.sizes) {
    lines.push(
      `echo bot min+gzip: telepot ${num(r.sizes.oursGzip)} B (npm ${num(r.sizes.npmGzip)} B, ` +
        `split, loaded first ${num(r.sizes.npmSplitGzip)} B), grammY ${num(r.sizes.grammyGzip)} B`,
    );
  }
  lines.push("\ntargets (the ones this run measured):");
  for (const t of targets(r).filter((t) => t.met !== null)) {
    lines.push(
      `  [${
        t.met === null ? "?" : t.met ? "met" : "NOT met"
      }] ${t.what}: ${t.measured} (goal ${t.goal})`,
    );
  }
  return lines.join("\n");
}
