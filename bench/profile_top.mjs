// Sums self time per function in a V8 .cpuprofile (`node --cpu-prof`) and prints the top
// frames: `node bench/profile_top.mjs FILE.cpuprofile [N] [--by-file]`. Self time of a
// node = its hit count × the mean sample interval.
import { readFileSync } from "node:fs";
import process from "node:process";

const [file, count = "30"] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const byFile = process.argv.includes("--by-file");
const callersOf = process.argv.find((a) => a.startsWith("--callers="))?.slice(10);
const profile = JSON.parse(readFileSync(file, "utf8"));
const total = profile.endTime - profile.startTime; // µs
const samples = profile.samples.length;
const interval = total / Math.max(1, samples);
const self = new Map();
const hits = new Map();
for (const id of profile.samples) hits.set(id, (hits.get(id) ?? 0) + 1);
for (const node of profile.nodes) {
  const f = node.callFrame;
  const where = `${f.url.replace(/^.*\/(npm\/esm|node_modules)\//, "$1/")}`;
  const key = byFile
    ? where || "(native)"
    : `${f.functionName || "(anonymous)"} ${where}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) ?? 0) + (hits.get(node.id) ?? 0) * interval);
}
const idle = [...self].filter(([k]) => k.startsWith("(idle)")).reduce((n, [, v]) => n + v, 0);
const busy = total - idle;
console.log(
  `${file}: ${(total / 1000).toFixed(0)} ms, busy ${
    (busy / 1000).toFixed(0)
  } ms, ${samples} samples`,
);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(count))) {
  console.log(
    `${(us / 1000).toFixed(1).padStart(8)} ms ${(us / busy * 100).toFixed(1).padStart(5)}%  ${key}`,
  );
}

if (callersOf) {
  // Self time of the frames named `callersOf`, by their call chain (3 callers up).
  const parent = new Map();
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node);
  const chains = new Map();
  for (const node of profile.nodes) {
    if (node.callFrame.functionName !== callersOf) continue;
    const chain = [];
    for (let p = parent.get(node.id), i = 0; p && i < 4; p = parent.get(p.id), i++) {
      const f = p.callFrame;
      chain.push(`${f.functionName || "(anon)"}:${f.url.split("/").pop()}:${f.lineNumber + 1}`);
    }
    const key = chain.join(" < ");
    chains.set(key, (chains.get(key) ?? 0) + (hits.get(node.id) ?? 0) * interval);
  }
  console.log(`\ncallers of ${callersOf}:`);
  for (const [key, us] of [...chains].sort((a, b) => b[1] - a[1]).slice(0, 12)) {
    console.log(`${(us / 1000).toFixed(1).padStart(8)} ms  ${key}`);
  }
}
