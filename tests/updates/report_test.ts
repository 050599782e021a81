import assert from "node:assert/strict";
import { logError } from "../../helper.ts";
import { describeError, formatReport, report } from "../../src/updates/report.ts";

Deno.test("describeError() gives one line: name, message, first frame", () => {
  const line = describeError(new TypeError("bad\nthing"));
  assert.match(line, /^TypeError: bad thing \(at .+\)$/);
  assert.equal(describeError("plain"), "plain");
  assert.equal(describeError({ code: 1 }), '{"code":1}');
  assert.match(
    describeError(new AggregateError([new Error("x"), new Error("y")], "both")),
    /\[Error: x.*; Error: y/,
  );
});

Deno.test("describeError() removes anything shaped like a bot token", () => {
  const line = describeError(
    new Error(
      "failed at /bot123456789:AAHfakefakefakefakefakefakefake12/sendMessage",
    ),
  );
  assert.ok(!line.includes("AAHfake"), line);
  assert.match(line, /\/bot<token>\/sendMessage/);
});

Deno.test("formatReport() names where the error happened", () => {
  const line = formatReport(new Error("boom"), {
    source: "delegate",
    seed: [1, "a"],
    retryIn: 1500,
  });
  assert.match(
    line,
    /^\[telepot\] delegate, seed \[1,"a"\]: Error: boom .*; retrying in 1\.5 s$/,
  );
  assert.match(
    formatReport("x", { source: "handler", updateId: 7 }),
    /^\[telepot\] handler, update 7: x$/,
  );
});

Deno.test("report() falls back to the default hook when a custom hook throws", () => {
  const lines: string[] = [];
  const original = console.error;
  console.error = (line: string) => lines.push(line);
  try {
    report(
      () => {
        throw new Error("hook broke");
      },
      new Error("original"),
      { source: "seed" },
    );
    logError(new Error("direct"), { source: "stop" });
  } finally {
    console.error = original;
  }
  assert.equal(lines.length, 2);
  assert.match(lines[0], /hook broke/);
  assert.match(lines[1], /stop: Error: direct/);
});
