// The floor plan, checked: every file under src/ imports only its own folder and the layers
// below it, and no files import each other in a circle. A new import that points up (core
// reaching into updates/, the emulator into the Bot, ...) fails here with the line to move.
import assert from "node:assert/strict";

const SRC = new URL("../src/", import.meta.url);

/**
 * The layers from the ground up: a file may import its own layer and any layer listed
 * before it. `bot.ts` (the lifecycle hub) sits between the update intake and delegation;
 * the emulator is built on the low layers only, never on the Bot it serves.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["time"],
  ["gen"],
  ["runtime"],
  ["files"],
  ["core"],
  ["flood"],
  ["emulator"],
  ["updates"],
  ["bot.ts"],
  ["delegation"],
];

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)"(\.{1,2}\/[^"]+)"/gm;

/** Every .ts file under src/, as paths relative to src/. */
async function sources(dir = SRC, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory) found.push(...await sources(new URL(`${e.name}/`, dir), `${rel}/`));
    else if (e.name.endsWith(".ts")) found.push(rel);
  }
  return found.sort();
}

/** The src/-relative files `file` imports (static, dynamic and type-only alike). */
async function importsOf(file: string): Promise<string[]> {
  const text = await Deno.readTextFile(new URL(file, SRC));
  // Doc-comment examples import entry files by relative path too: leave comments out.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  for (const [, spec] of code.matchAll(RELATIVE_IMPORT)) {
    const target = new URL(spec, new URL(file, SRC)).href;
    assert.ok(target.startsWith(SRC.href), `src/${file} imports ${spec}, outside src/`);
    out.push(target.slice(SRC.href.length));
  }
  return out;
}

function layerOf(file: string): number {
  const top = file.split("/")[0];
  const i = LAYERS.findIndex((names) => names.includes(top));
  assert.ok(i >= 0, `src/${file}: its folder is in no layer of tests/layout_test.ts`);
  return i;
}

Deno.test("src/ imports point down: each file imports its own folder or lower layers", async () => {
  const upward: string[] = [];
  for (const file of await sources()) {
    for (const target of await importsOf(file)) {
      if (layerOf(target) > layerOf(file)) upward.push(`src/${file} -> src/${target}`);
    }
  }
  assert.deepEqual(upward, [], "imports that run back up a layer");
});

Deno.test("src/ has no import circles", async () => {
  const graph = new Map<string, string[]>();
  for (const file of await sources()) graph.set(file, await importsOf(file));
  const state = new Map<string, "open" | "done">();
  const circles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "open") {
      circles.push([...path.slice(path.indexOf(file)), file].join(" -> "));
      return;
    }
    state.set(file, "open");
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, "done");
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(circles, []);
});

Deno.test("layout_test's import reader sees static, dynamic and type-only imports", async () => {
  // The checks above are only as good as the reader: bot.ts loads downloads lazily and
  // imports types; both must count as imports.
  const seen = await importsOf("bot.ts");
  assert.ok(seen.includes("core/download.ts"), seen.join());
  assert.ok(seen.some((f) => f.startsWith("updates/")), seen.join());
  assert.ok(seen.includes("core/types.ts"), seen.join());
});
