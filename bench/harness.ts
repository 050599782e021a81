/**
 * The side-by-side bench's machinery: one run = a fresh emulator process (bench/server.ts)
 * and a fresh bot process, pinned to different cores with `taskset` when it exists; the
 * bot's CPU time and peak RSS are read from /proc around the measured window (from its
 * first getUpdates to the last reply). Used by bench/run.ts and the smoke test.
 * @module
 */
import type { RefereeStats } from "./referee.mjs";

const ROOT = decodeURIComponent(new URL("../", import.meta.url).pathname).replace(/\/$/, "");

/** Where the bench's inputs live. */
export const PATHS = {
  root: ROOT,
  server: `${ROOT}/bench/server.ts`,
  lean: `${ROOT}/bench/lean_server.mjs`,
  bots: `${ROOT}/bench/bots`,
  tools: `${ROOT}/tools`,
  npm: `${ROOT}/npm`,
};

/** A bot under test: how to start it. */
export interface BotSpec {
  /** Short id, e.g. "ours-node". */
  id: string;
  /** What the table calls it. */
  label: string;
  /** "node" or "deno". */
  runtime: "node" | "deno";
  /** Script in bench/bots. */
  script: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Ours (a failure of ours fails the bench), a peer, or a baseline. */
  group: "ours" | "peer" | "baseline";
}

/** A workload: what the server prepares and how. */
export interface Workload {
  id: string;
  label: string;
  chats: number;
  updates: number;
  mode: "queued" | "bursts";
  burst?: number;
  every?: number;
  delay?: number;
  /** Milliseconds after the first getUpdates before the run is cut off. */
  cap: number;
  /**
   * Which Bot API serves it: the emulator (bench/server.ts, default) or the lean stand-in
   * (bench/lean_server.mjs under Node, a few µs of CPU per request).
   */
  server?: "emulator" | "lean";
}

/** One run's measurements. */
export interface RunResult extends RefereeStats {
  bot: string;
  workload: string;
  /** Bot process CPU (user + system) in the measured window, per answered update, µs. */
  cpuPerUpdate: number | null;
  /** Bot process peak resident set, MiB. */
  peakRssMiB: number | null;
  /** The emulator server's CPU in the window, per answered update, µs (is it the limit?). */
  serverCpuPerUpdate: number | null;
  /** HTTP requests the server answered in the window (the lean server counts them). */
  requests?: number;
  /** The server's CPU in the window per request, µs (when it counts requests). */
  serverCpuPerRequest: number | null;
  /** The bot's stderr, last lines (errors it logged). */
  stderr: string;
}

/** Whether `taskset` can pin processes here (and there are at least 2 cores). */
export async function canPin(): Promise<boolean> {
  if (navigator.hardwareConcurrency < 2) return false;
  try {
    const out = await new Deno.Command("taskset", { args: ["-c", "0", "true"] }).output();
    return out.success;
  } catch {
    return false;
  }
}

const CLK_TCK = 100;

/** User + system CPU of a process so far, in µs (Linux /proc). */
export async function cpuMicros(pid: number): Promise<number | null> {
  try {
    const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK * 1e6;
  } catch {
    return null;
  }
}

/** Peak resident set of a process, in MiB (Linux /proc VmHWM). */
export async function peakRss(pid: number): Promise<number | null> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : null;
  } catch {
    return null;
  }
}

/** Reads a child's stdout as JSON lines. */
async function* jsonLines(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<Record<string, unknown>> {
  let buf = "";
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    buf += decoder.decode(bytes, { stream: true });
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line.startsWith("{")) yield JSON.parse(line);
    }
  }
}

async function collect(stream: ReadableStream<Uint8Array>, keep: string[]): Promise<void> {
  const decoder = new TextDecoder();
  for await (const bytes of stream) {
    keep.push(decoder.decode(bytes, { stream: true }));
    if (keep.length > 200) keep.splice(0, keep.length - 200);
  }
}

function kill(child: Deno.ChildProcess): void {
  try {
    child.kill("SIGKILL");
  } catch {
    // already gone
  }
}

/** The command line that runs `bot`. */
function botCommand(bot: BotSpec): { cmd: string; args: string[] } {
  const script = `${PATHS.bots}/${bot.script}`;
  return bot.runtime === "node"
    ? { cmd: "node", args: [script] }
    : { cmd: Deno.execPath(), args: ["run", "-A", script] };
}

function pinned(pin: boolean, core: number, cmd: string, args: string[]) {
  return pin ? { cmd: "taskset", args: ["-c", String(core), cmd, ...args] } : { cmd, args };
}

/**
 * One run: a fresh server with `workload`, a fresh `bot`, measured until every update was
 * answered (or the cap). Throws if a process fails to start or the run hangs.
 */
export async function runOnce(
  bot: BotSpec,
  workload: Workload,
  options: { pin: boolean; env?: Record<string, string> },
): Promise<RunResult> {
  const lean = workload.server === "lean";
  const serverArgs = [
    ...(lean ? [PATHS.lean] : ["run", "-A", "--unstable-no-legacy-abort", PATHS.server]),
    "--chats",
    String(workload.chats),
    "--updates",
    String(workload.updates),
    "--mode",
    workload.mode,
    "--burst",
    String(workload.burst ?? 1000),
    "--every",
    String(workload.every ?? 50),
    "--delay",
    String(workload.delay ?? 0),
    "--cap",
    String(workload.cap),
  ];
  const s = pinned(options.pin, 0, lean ? "node" : Deno.execPath(), serverArgs);
  const server = new Deno.Command(s.cmd, {
    args: s.args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).spawn();
  const serverErr: string[] = [];
  const serverErrDone = collect(server.stderr, serverErr);
  const events = jsonLines(server.stdout);
  let child: Deno.ChildProcess | undefined;
  const botErr: string[] = [];
  let botErrDone: Promise<void> = Promise.resolve();
  const watchdog = setTimeout(() => {
    kill(server);
    if (child) kill(child);
  }, workload.cap + 120_000);
  try {
    const ready = (await events.next()).value;
    if (!ready || ready.event !== "ready") {
      throw new Error(`bench server did not start: ${serverErr.join("").slice(-2000)}`);
    }
    const b = botCommand(bot);
    const c = pinned(options.pin, 1, b.cmd, b.args);
    child = new Deno.Command(c.cmd, {
      args: c.args,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: {
        NO_COLOR: "1",
        API_ROOT: String(ready.apiRoot),
        BOT_TOKEN: String(ready.token),
        TOOLS: PATHS.tools,
        ...bot.env,
        ...options.env,
      },
    }).spawn();
    botErrDone = collect(child.stderr, botErr);
    const started = (await events.next()).value;
    if (!started || started.event !== "start") {
      throw new Error(`${bot.id}: never polled. stderr: ${botErr.join("").slice(-2000)}`);
    }
    const cpu0 = await cpuMicros(child.pid);
    const serverCpu0 = await cpuMicros(server.pid);
    const done = (await events.next()).value as (RefereeStats & { event: string }) | undefined;
    if (!done || done.event !== "done") {
      throw new Error(`${bot.id}: the run did not finish. ${serverErr.join("").slice(-2000)}`);
    }
    const cpu1 = await cpuMicros(child.pid);
    const serverCpu1 = await cpuMicros(server.pid);
    const rss = await peakRss(child.pid);
    kill(child);
    const { event: _, ...stats } = done as typeof done & { requests?: number };
    return {
      bot: bot.id,
      workload: workload.id,
      ...stats,
      cpuPerUpdate: cpu0 !== null && cpu1 !== null && stats.unique > 0
        ? (cpu1 - cpu0) / stats.unique
        : null,
      peakRssMiB: rss,
      serverCpuPerUpdate: serverCpu0 !== null && serverCpu1 !== null && stats.unique > 0
        ? (serverCpu1 - serverCpu0) / stats.unique
        : null,
      serverCpuPerRequest: serverCpu0 !== null && serverCpu1 !== null && stats.requests
        ? (serverCpu1 - serverCpu0) / stats.requests
        : null,
      stderr: botErr.join("").split("\n").slice(-(Number(Deno.env.get("BENCH_STDERR_LINES")) || 5))
        .join("\n"),
    };
  } finally {
    clearTimeout(watchdog);
    if (child) {
      kill(child);
      await child.status;
      await botErrDone.catch(() => {});
    }
    const quit = setTimeout(() => kill(server), 5000);
    for await (const _ of events) { /* drain */ }
    await server.status;
    clearTimeout(quit);
    await serverErrDone.catch(() => {});
  }
}

/** The median of numbers (null when none). */
export function median(values: readonly (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) =>
    a - b
  );
  if (v.length === 0) return null;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Several runs of one bot on one workload, summarized (median; errors summed). */
export interface Summary {
  bot: string;
  workload: string;
  runs: number;
  perSecond: number | null;
  p50: number | null;
  p99: number | null;
  cpuPerUpdate: number | null;
  peakRssMiB: number | null;
  serverCpuPerUpdate: number | null;
  serverCpuPerRequest: number | null;
  lost: number | null;
  duplicated: number;
  reordered: number;
  unexpected: number;
  capped: boolean;
  stderr: string;
}

/** Summarizes runs: medians of the measures, sums of the errors. */
export function summarize(runs: readonly RunResult[]): Summary {
  const lost = runs.some((r) => r.lost === null)
    ? null
    : runs.reduce((n, r) => n + (r.lost ?? 0), 0);
  return {
    bot: runs[0].bot,
    workload: runs[0].workload,
    runs: runs.length,
    perSecond: median(runs.map((r) => r.perSecond)),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
    cpuPerUpdate: median(runs.map((r) => r.cpuPerUpdate)),
    peakRssMiB: median(runs.map((r) => r.peakRssMiB)),
    serverCpuPerUpdate: median(runs.map((r) => r.serverCpuPerUpdate)),
    serverCpuPerRequest: median(runs.map((r) => r.serverCpuPerRequest)),
    lost,
    duplicated: runs.reduce((n, r) => n + r.duplicated, 0),
    reordered: runs.reduce((n, r) => n + r.reordered, 0),
    unexpected: runs.reduce((n, r) => n + r.unexpected, 0),
    capped: runs.some((r) => r.capped),
    stderr: runs.map((r) => r.stderr).filter(Boolean).join("\n"),
  };
}

/** Whether a summary shows any lost, duplicated, reordered or unexpected reply. */
export function faulty(s: Summary): boolean {
  return (s.lost ?? 0) > 0 || s.duplicated > 0 || s.reordered > 0 || s.unexpected > 0;
}
