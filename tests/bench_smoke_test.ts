// The side-by-side bench's harness end to end on tiny numbers: a real emulator process
// over loopback HTTP, our bot (the source under Deno) in another, the referee's counts,
// and the report. Not a measurement: no timing is asserted.
import assert from "node:assert/strict";
import { type BotSpec, canPin, runOnce, summarize, type Workload } from "../bench/harness.ts";
import { type BenchReport, chartSvg, markdown, spliceLean, targets } from "../bench/report.ts";
import { prng, Referee } from "../bench/server.ts";
import { BOTS, LEAN, LEAN_BOTS } from "../bench/run.ts";

const OURS_DENO: BotSpec = BOTS.find((b) => b.id === "ours-deno")!;

/** A report of a quick run that measured nothing yet. */
function emptyReport(workload: Workload): BenchReport {
  return {
    quick: true,
    date: "today",
    machine: "test",
    load: "0",
    pinned: false,
    runsPerCell: 1,
    bots: [],
    workloads: [],
    results: [],
    counter: [],
    counterWorkload: workload,
    cold: null,
    sizes: null,
    delegation: null,
    api: null,
    soak: null,
  };
}

Deno.test("bench harness: runOnce() runs our echo bot on 200 updates and finds every reply in order", async () => {
  const workload = {
    id: "queued",
    label: "tiny",
    chats: 20,
    updates: 200,
    mode: "queued" as const,
    cap: 60_000,
  };
  const result = await runOnce(OURS_DENO, workload, { pin: await canPin() });
  assert.equal(result.expected, 200);
  assert.equal(result.unique, 200);
  assert.equal(result.lost, 0);
  assert.equal(result.duplicated, 0);
  assert.equal(result.reordered, 0);
  assert.equal(result.capped, false);
  assert.ok(result.perSecond > 0);
  assert.ok(result.p50 !== null && result.p99! >= result.p50);

  const summary = summarize([result]);
  const report: BenchReport = {
    ...emptyReport(workload),
    bots: [OURS_DENO],
    workloads: [workload],
    results: [summary],
    api: "| path | telepot µs/call |\n| --- | ---: |\n| canned | 12.00 |",
    soak: {
      updates: 200_000,
      chats: 10_000,
      seconds: 20,
      updatesPerSecond: 10_000,
      rssMB: { start: 100, peak: 140, end: 120 },
      heapMB: { start: 40, peak: 70, end: 45 },
      samples: [{ updates: 100_000, rssMB: 130, heapMB: 60, liveHeapMB: 44 }],
      missing: 0,
      disorder: 0,
      gc: true,
    },
  };
  const md = markdown(report, "chart.svg");
  assert.match(md, /## Soak[\s\S]*\| peak \| 140 \| 70 \|[\s\S]*\| 100,000 \| 130 \| 60 \| 44 \|/);
  assert.match(md, /## Per-call cost[\s\S]*\| canned \| 12\.00 \|/);
  assert.match(md, /\| telepot, Deno \(source\) \| \d/);
  assert.match(md, /0 \/ 0 \/ 0/);
  assert.match(chartSvg(report), /^<svg [^>]+>[\s\S]*<rect [\s\S]*<\/svg>\n$/);
  assert.ok(targets(report).some((t) => t.what.startsWith("Deno") && t.met === null));
});

Deno.test("Referee counts duplicated, reordered and lost replies per chat", () => {
  const r = new Referee(2);
  for (const [c, n] of [[0, 1], [0, 2], [0, 3], [1, 1], [1, 2]]) r.offered(c, n, 0);
  r.reply(0, "1", 1);
  r.reply(0, "3", 2);
  r.reply(0, "2", 3); // reordered
  r.reply(0, "2", 4); // duplicated
  r.reply(1, "1", 5);
  r.reply(1, "oops", 6); // unexpected
  const s = r.stats(0, false);
  assert.deepEqual(
    [s.unique, s.reordered, s.duplicated, s.lost, s.unexpected],
    [4, 1, 1, 1, 1],
  );
  const again = prng(7);
  const first = [again(), again()];
  const fresh = prng(7);
  assert.deepEqual([fresh(), fresh()], first, "the same workload for every bot");
});

Deno.test("bench harness: the lean server serves our echo bot 300 updates and checks every reply", async () => {
  const workload = { ...LEAN, updates: 300, chats: 30, cap: 60_000 };
  const result = await runOnce(OURS_DENO, workload, { pin: await canPin() });
  assert.deepEqual(
    [result.expected, result.unique, result.lost, result.duplicated, result.reordered],
    [300, 300, 0, 0, 0],
  );
  assert.equal(result.unexpected, 0);
  assert.ok(result.requests! >= 300, "every sendMessage counted as a request");
  assert.ok(result.perSecond > 0);

  // The lean table: a row per bot with the ratio ours ÷ this, the lean targets, the splice.
  const ours = summarize([{ ...result, bot: "ours-node" }]);
  const rows = LEAN_BOTS.map((bot, i) => ({
    ...ours,
    bot,
    perSecond: ours.perSecond! / (i + 1),
    reordered: bot === "grammy-runner" ? 3 : 0,
  }));
  const report: BenchReport = {
    ...emptyReport(workload),
    bots: BOTS,
    lean: rows,
    leanWorkload: workload,
    cold: { bare: 50, ours: 65, grammy: 180, telegraf: 130 },
  };
  const md = markdown(report, "chart.svg");
  assert.match(
    md,
    /## Lean server\n[\s\S]*\| bot \| updates\/s \| ours ÷ this \| bot CPU µs\/update \| server CPU µs\/update \| server CPU µs\/request \|/,
  );
  assert.match(md, /\| telepot, Node \(npm build\) \| [\d,]+ \| {2}\| \d+ \|/);
  assert.match(md, /\| loop, node:http keep-alive \| [\d,]+ \| 2\.00× \|/);
  assert.match(md, /\| Telegraf \| [\d,]+ \| 3\.00× \|/);
  assert.match(md, /\| grammY \+ runner \| [\d,]+ \| 4\.00× \|[^\n]*0 \/ 0 \/ 3 \*\*FAIL\*\* \|/);
  const lean = targets(report).filter((t) => t.what.startsWith("Lean server"));
  assert.deepEqual(lean.map((t) => [t.measured, t.met]), [
    ["200%", true],
    ["3.00×", true],
    ["4.00×", true],
  ]);
  assert.ok(targets(report).some((t) => t.what.startsWith("Cold import") && t.met === true));

  // bench:lean replaces only its own section of an existing BENCHMARKS.md.
  const before = "# Benchmarks\n\n## Targets\n\nold\n\n## Bots\n\n- a bot\n";
  const once = spliceLean(before, report);
  assert.match(once, /## Targets\n\nold\n\n## Lean server\n[\s\S]*\n\n## Bots\n\n- a bot\n$/);
  const slower = { ...report, lean: rows.map((s) => ({ ...s, perSecond: 1 })) };
  const twice = spliceLean(once, slower);
  assert.equal(twice.match(/## Lean server/g)?.length, 1);
  assert.match(twice, /\| loop, node:http keep-alive \| 1 \| 1\.00× \|/);
  assert.ok(twice.endsWith("## Bots\n\n- a bot\n"));
});
