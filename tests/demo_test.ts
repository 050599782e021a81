import assert from "node:assert/strict";

/** Runs `scripts/demo.ts` as a person would, with lines piped into standard input. */
async function demo(input: string, ...args: string[]): Promise<{ code: number; out: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../scripts/demo.ts", import.meta.url).pathname, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", TELEGRAM_BOT_TOKEN: "" },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, `demo exited ${code}: ${err}`);
  return { code, out: new TextDecoder().decode(stdout) };
}

Deno.test("deno task demo answers piped lines with the guess game and exits at end of input", async () => {
  const { out } = await demo("hi\nnot a number\n");
  assert.deepEqual(out.trim().split("\n"), [
    "bot> Guess my number",
    "bot> Give me a number, please.",
  ]);
});

Deno.test("deno task demo counter counts each line of one chat", async () => {
  const { out } = await demo("a\nb\nc\n", "counter");
  assert.deepEqual(out.trim().split("\n"), ["bot> 1", "bot> 2", "bot> 3"]);
});
