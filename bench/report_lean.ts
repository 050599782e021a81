/**
 * The lean-server part of the bench's output (bench/report.ts has the rest): the table of
 * our npm build, the node:http loop, Telegraf and grammY + runner against
 * bench/lean_server.mjs, its targets, and the splice that replaces just this section of
 * BENCHMARKS.md (`deno task bench:lean`).
 * @module
 */
import type { BotSpec, Summary, Workload } from "./harness.ts";
import { faulty } from "./harness.ts";
import type { ColdImport } from "./sizes.ts";

/** What the lean-server section reads of a bench report. */
export interface LeanReport {
  date: string;
  /** The 1-minute load average at the start and end of the run. */
  load: string;
  pinned: boolean;
  bots: BotSpec[];
  /** The lean-server runs (summaries), ours first; empty when not run. */
  lean?: Summary[];
  leanWorkload?: Workload | null;
  cold: ColdImport | null;
}

/** One target: what, the measured value, the goal, met or not. */
export interface Target {
  what: string;
  measured: string;
  goal: string;
  met: boolean | null;
}

const HEADING = "## Lean server";

/** A number with `digits` decimals, "–" when missing. */
export function fmt(n: number | null | undefined, digits = 0): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "–" : n.toFixed(digits);
}

/** Thousands with a separator: 18,900 ("–" when missing). */
export function num(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n)
    ? "–"
    : Math.round(n).toLocaleString("en-US");
}

function leanCell(r: LeanReport, bot: string): Summary | undefined {
  return r.lean?.find((s) => s.bot === bot);
}

/** Ours ÷ `bot` in updates/s on the lean server (null when either is missing). */
export function leanRatio(r: LeanReport, bot: string): number | null {
  const ours = leanCell(r, "ours-node")?.perSecond ?? null;
  const other = leanCell(r, bot)?.perSecond ?? null;
  return ours !== null && other !== null && other > 0 ? ours / other : null;
}

/** The lean-server targets (and the cold import's), checked against this run. */
export function leanTargets(r: LeanReport): Target[] {
  const out: Target[] = [];
  if (r.lean?.length) {
    const ours = leanCell(r, "ours-node");
    const clean = ours ? !faulty(ours) : null;
    const loop = leanRatio(r, "loop-http-node");
    out.push({
      what: "Lean server, Node: ours / node:http loop",
      measured: loop === null ? "–" : `${(loop * 100).toFixed(0)}%`,
      goal: "≥ 80%",
      met: loop === null ? null : loop >= 0.8,
    });
    for (const [id, name] of [["telegraf", "Telegraf"], ["grammy-runner", "grammY + runner"]]) {
      const x = leanRatio(r, id);
      out.push({
        what: `Lean server, Node: ours / ${name}`,
        measured: x === null ? "–" : `${x.toFixed(2)}×`,
        goal: "> 1, zero reordering",
        met: x === null || clean === null ? null : x > 1 && clean,
      });
    }
  }
  if (r.cold) {
    const extra = r.cold.ours - r.cold.bare;
    out.push({
      what: "Cold import of the npm main entry under Node, over bare node",
      measured: `+${extra.toFixed(0)} ms (grammY +${(r.cold.grammy - r.cold.bare).toFixed(0)}, ` +
        `Telegraf +${(r.cold.telegraf - r.cold.bare).toFixed(0)})`,
      goal: "≤ +20 ms",
      met: extra <= 20,
    });
  }
  return out;
}

/** The lean-server section of BENCHMARKS.md (empty when the lean server did not run). */
export function leanSection(r: LeanReport): string[] {
  const w = r.leanWorkload;
  if (!r.lean?.length || !w) return [];
  const lines = [
    HEADING,
    "",
    `${w.updates.toLocaleString("en-US")} text updates over ${
      w.chats.toLocaleString("en-US")
    } private chats, each to a random chat, all queued before the bot starts, served by`,
    "bench/lean_server.mjs: a minimal Bot API stand-in under Node (HTTP/1.1 keep-alive parsed",
    "by hand on node:net, pre-serialised answers, no validation) that checks every reply like",
    "the emulator does. Its CPU per request is a small part of each bot's, so the ratios show",
    "the bots' own costs. Runs interleaved (ours, loop, Telegraf, runner, then again), median.",
    "",
    `Run: ${r.date}; load average ${r.load}; ${
      r.pinned ? "server pinned to core 0, bot to core 1" : "not pinned"
    }. Updates/s swing with other work on the machine; CPU per update is the steadier figure.`,
    "",
    "| bot | updates/s | ours ÷ this | bot CPU µs/update | server CPU µs/update | server CPU µs/request | p50 ms | p99 ms | peak RSS MiB | lost / dup / reordered |",
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
  ];
  for (const s of r.lean) {
    const label = r.bots.find((b) => b.id === s.bot)?.label ?? s.bot;
    const ratio = s.bot === "ours-node" ? null : leanRatio(r, s.bot);
    lines.push(
      `| ${label}${s.capped ? " (cut off)" : ""} | ${num(s.perSecond)} | ${
        ratio === null ? "" : `${ratio.toFixed(2)}×`
      } | ${fmt(s.cpuPerUpdate)} | ${fmt(s.serverCpuPerUpdate)} | ${fmt(s.serverCpuPerRequest)} | ${
        fmt(s.p50)
      } | ${fmt(s.p99)} | ${fmt(s.peakRssMiB)} | ${
        s.lost ?? "n/a"
      } / ${s.duplicated} / ${s.reordered}${faulty(s) ? " **FAIL**" : ""} |`,
    );
  }
  lines.push("", "| target | measured | goal | met |", "|---|---|---|---|");
  for (const t of leanTargets(r)) {
    lines.push(
      `| ${t.what} | ${t.measured} | ${t.goal} | ${
        t.met === null ? "–" : t.met ? "yes" : "**no**"
      } |`,
    );
  }
  return lines;
}

/** The lean-server table for the console. */
export function leanConsole(r: LeanReport): string[] {
  const w = r.leanWorkload;
  if (!r.lean?.length || !w) return [];
  const lines = [
    `\nLean server: ${w.updates} updates over ${w.chats} chats, all queued`,
    `${"bot".padEnd(26)} ${"upd/s".padStart(8)} ${"ours÷".padStart(6)} ${"cpu µs".padStart(7)} ${
      "srv µs".padStart(7)
    } ${"srv/req".padStart(7)} ${"p99".padStart(7)}  lost/dup/reord`,
  ];
  for (const s of r.lean) {
    const label = r.bots.find((b) => b.id === s.bot)?.label ?? s.bot;
    const ratio = s.bot === "ours-node" ? null : leanRatio(r, s.bot);
    lines.push(
      `${label.padEnd(26)} ${num(s.perSecond).padStart(8)} ${
        (ratio === null ? "" : ratio.toFixed(2)).padStart(6)
      } ${fmt(s.cpuPerUpdate).padStart(7)} ${fmt(s.serverCpuPerUpdate).padStart(7)} ${
        fmt(s.serverCpuPerRequest).padStart(7)
      } ${fmt(s.p99).padStart(7)}  ${s.lost ?? "n/a"}/${s.duplicated}/${s.reordered}${
        faulty(s) ? "  FAIL" : ""
      }`,
    );
  }
  return lines;
}

/**
 * BENCHMARKS.md with its lean-server section replaced by this run's (or inserted before
 * "## Bots" when there is none yet); the rest of the file is kept as it is.
 */
export function spliceLean(md: string, r: LeanReport): string {
  const section = leanSection(r);
  if (section.length === 0) return md;
  const text = section.join("\n") + "\n";
  const at = md.indexOf(`\n${HEADING}\n`);
  if (at >= 0) {
    const next = md.indexOf("\n## ", at + 1);
    return md.slice(0, at + 1) + text + (next >= 0 ? md.slice(next) : "");
  }
  const bots = md.indexOf("\n## Bots\n");
  if (bots >= 0) return md.slice(0, bots + 1) + text + "\n" + md.slice(bots + 1);
  return md.trimEnd() + "\n\n" + text;
}
