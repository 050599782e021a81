// Browsers: headless Chromium (Debian's, driven by playwright-core) opens tests/browser/index.html,
// which imports the core bundle (telepot.js, built by esbuild) and runs a polling bot in the page
// against the emulator served over HTTP on another origin of 127.0.0.1 (so CORS is exercised).
// Run with `node --test` by tests/runtimes_test.ts, which sets BROWSER_DIR to a folder holding
// index.html and telepot.js, and CHROMIUM to the browser's path.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { Emulator } from "telepot/testing";

const DIR = process.env.BROWSER_DIR;
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

/** Serves the page and the bundle (and nothing else) on 127.0.0.1. */
async function servePage() {
  const server = createServer(async (req, res) => {
    const name = new URL(req.url ?? "/", "http://x").pathname.slice(1) ||
      "index.html";
    if (name === "favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    if (!["index.html", "telepot.js"].includes(name)) {
      res.writeHead(404).end();
      return;
    }
    const body = await readFile(join(DIR, name));
    res.writeHead(200, {
      "content-type": TYPES[name.slice(name.lastIndexOf("."))],
    });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}

test(
  "a polling bot runs in headless Chromium against the emulator (echo, upload, download)",
  { timeout: 90_000 },
  async () => {
    assert.ok(
      DIR,
      "BROWSER_DIR must name the folder with index.html and telepot.js",
    );
    const emu = new Emulator();
    const api = await emu.serve();
    const page = await servePage();
    const profile = await mkdtemp(join(tmpdir(), "telepot-chromium-"));
    const problems = [];
    let browser;
    try {
      // A fresh profile each run (launchPersistentContext passes it as --user-data-dir).
      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      const tab = await browser.newPage();
      tab.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
      tab.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${m.text()}`);
      });
      const query = new URLSearchParams({ token: emu.token, api: api.apiRoot });
      await tab.goto(`${page.origin}/index.html?${query}`);
      await tab.waitForFunction(() =>
        document.getElementById("log").textContent.includes("polling")
      );
      const why = () => (problems.length ? `\n${problems.join("\n")}` : "");

      const alice = emu.user("Alice");
      await alice.send("hello from node");
      const echo = await alice.nextMessage({ timeout: 15_000 }).catch((e) =>
        assert.fail(e.message + why())
      );
      assert.equal(echo.text, "browser: hello from node");

      await alice.send("/file");
      const doc = await alice.nextMessage({ timeout: 15_000 }).catch((e) =>
        assert.fail(e.message + why())
      );
      assert.equal(doc.document?.file_name, "browser.txt");
      assert.equal(doc.caption, "from a Blob");
      const upload = emu.calls.find((c) => c.method === "sendDocument");
      assert.equal(
        await upload.params.document.text(),
        "made in the browser\n",
      );

      const bytes = new Uint8Array(50_000).map((_, i) => (i * 31) % 256);
      let sum = 0;
      for (const b of bytes) sum = (sum + b) % 65521;
      await alice.sendDocument(bytes, { fileName: "for-the-page.bin" });
      const got = await alice.nextMessage({ timeout: 15_000 }).catch((e) =>
        assert.fail(e.message + why())
      );
      assert.equal(got.text, `got ${bytes.length} bytes, sum ${sum}`);

      // The page's requests were cross-origin: the bot's calls all went through.
      const methods = new Set(emu.calls.map((c) => c.method));
      for (
        const m of ["getUpdates", "sendMessage", "sendDocument", "getFile"]
      ) assert.ok(methods.has(m), m);

      const end = await tab.evaluate(async () => {
        await globalThis.telepotBot.stop();
        return await globalThis.telepotDone;
      });
      assert.equal(end, "stopped");
      assert.deepEqual(problems, []);
    } finally {
      await browser?.close();
      await page.close();
      await emu.close();
      await rm(profile, { recursive: true, force: true });
    }
  },
);
