// Files both ways: uploads from every kind of source (checked byte for byte by downloading
// them back), attach:// for nested files, and downloadFile to bytes, a path and a stream,
// with its size checks and cleanup.
import assert from "node:assert/strict";
import { Emulator, type EmulatorOptions, tinyPng } from "../../testing.ts";
import { BadHTTPResponse, Bot, InputFile, TelegramError, TelepotError } from "../../mod.ts";
import { nodeFileSystem } from "../../src/runtime/node.ts";
import { denoFileSystem } from "../../src/runtime/deno.ts";
import { emulatedBot, onEmulator } from "../_harness.ts";

const PNG = new Uint8Array(tinyPng());
const BYTES = new Uint8Array(3000).map((_, i) => (i * 7) % 256);

function docOf(msg: unknown): { file_id: string } {
  return (msg as { document: { file_id: string } }).document;
}

function setup(options: EmulatorOptions = {}) {
  const rig = emulatedBot({ timeout: 5000 }, options);
  return Object.assign(rig, { alice: rig.emu.user("Alice") });
}

function streamOf(bytes: Uint8Array, chunk = 1000): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= bytes.length) return c.close();
      c.enqueue(bytes.slice(off, off + chunk));
      off += chunk;
    },
  });
}

async function tempFile(bytes: Uint8Array): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".bin" });
  await Deno.writeFile(path, bytes);
  return path;
}

Deno.test("sendDocument() uploads every kind of source, and each downloads back byte for byte", async () => {
  await using rig = setup();
  const { emu, bot, alice } = rig;
  const path = await tempFile(BYTES);
  try {
    const sources: [string, unknown, string][] = [
      ["Uint8Array", BYTES.slice(), "document"],
      ["ArrayBuffer", BYTES.slice().buffer, "document"],
      ["DataView", new DataView(BYTES.slice().buffer), "document"],
      ["Blob", new Blob([BYTES]), "document"],
      ["File", new File([BYTES], "named.bin"), "named.bin"],
      ["ReadableStream", streamOf(BYTES), "document"],
      ["InputFile(bytes)", new InputFile(BYTES, "a.bin"), "a.bin"],
      ["InputFile(stream)", new InputFile(streamOf(BYTES), "s.bin"), "s.bin"],
      [
        "InputFile.fromPath(string)",
        InputFile.fromPath(path),
        path.split("/").pop()!,
      ],
      [
        "InputFile.fromPath(file: URL)",
        InputFile.fromPath(new URL(`file://${path}`), "u.bin"),
        "u.bin",
      ],
    ];
    for (const [label, source, name] of sources) {
      const msg = await bot.sendDocument(alice.id, source as InputFile, {
        caption: label,
      });
      const part = emu.calls.at(-1)!.params.document as File;
      assert.ok(part instanceof File, label);
      assert.equal(part.name, name, label);
      assert.equal(msg.document?.file_size, BYTES.length, label);
      assert.deepEqual(
        await bot.downloadFile(msg.document!.file_id),
        BYTES,
        label,
      );
    }
  } finally {
    await Deno.remove(path);
    await emu.close();
  }
});

Deno.test("a file_id string is sent as is and a URL is left for Telegram to fetch", async () => {
  const served: string[] = [];
  await using rig = setup({
    // The web server Telegram would fetch the URL from.
    fileUrlFetch: (input) => {
      served.push(String(input));
      return Promise.resolve(
        new Response(BYTES.slice(), {
          headers: { "content-type": "application/pdf" },
        }),
      );
    },
  });
  const { emu, bot, alice } = rig;
  try {
    const first = await bot.sendDocument(
      alice.id,
      new URL("https://files.example/report.pdf"),
    );
    assert.equal(
      emu.calls.at(-1)!.params.document,
      "https://files.example/report.pdf",
    );
    assert.deepEqual(served, ["https://files.example/report.pdf"]);
    assert.deepEqual(await bot.downloadFile(first.document!.file_id), BYTES);
    await bot.sendDocument(alice.id, "https://files.example/again.pdf");
    assert.equal(
      emu.calls.at(-1)!.params.document,
      "https://files.example/again.pdf",
    );

    // Beside an upload (a multipart body) a URL is still its plain href.
    await bot.sendDocument(
      alice.id,
      new URL("https://files.example/third.pdf"),
      {
        thumbnail: new InputFile(PNG, "t.png"),
      },
    );
    assert.equal(
      emu.calls.at(-1)!.params.document,
      "https://files.example/third.pdf",
    );
    assert.ok(emu.calls.at(-1)!.params.thumbnail instanceof File);

    const again = await bot.sendDocument(alice.id, first.document!.file_id);
    assert.equal(emu.calls.at(-1)!.params.document, first.document!.file_id);
    assert.equal(
      again.document?.file_unique_id,
      first.document!.file_unique_id,
    );
  } finally {
    await emu.close();
  }
});

Deno.test("sendMediaGroup() attaches nested files as attach://fileN parts, thumbnails too", async () => {
  await using rig = setup();
  const { emu, bot, alice } = rig;
  try {
    const existing = await bot.sendDocument(
      alice.id,
      new InputFile(PNG, "old.png"),
    );
    const group = await bot.sendMediaGroup(alice.id, [
      {
        type: "document",
        media: BYTES.slice(),
        thumbnail: new InputFile(PNG, "t.png"),
      },
      {
        type: "document",
        media: new InputFile(streamOf(BYTES), "streamed.bin"),
      },
      { type: "document", media: existing.document!.file_id },
    ]);
    const params = emu.calls.at(-1)!.params;
    assert.deepEqual(params.media, [
      {
        type: "document",
        media: "attach://file0",
        thumbnail: "attach://file1",
      },
      { type: "document", media: "attach://file2" },
      { type: "document", media: existing.document!.file_id },
    ]);
    assert.deepEqual(Object.keys(params).sort(), [
      "chat_id",
      "file0",
      "file1",
      "file2",
      "media",
    ]);
    assert.equal((params.file1 as File).name, "t.png");
    assert.equal((params.file2 as File).name, "streamed.bin");
    assert.equal(group.length, 3);
    assert.deepEqual(await bot.downloadFile(docOf(group[0]).file_id), BYTES);
    assert.deepEqual(await bot.downloadFile(docOf(group[1]).file_id), BYTES);
    assert.deepEqual(await bot.downloadFile(docOf(group[2]).file_id), PNG);
  } finally {
    await emu.close();
  }
});

Deno.test("a top-level thumbnail is its own part; editMessageMedia attaches its media", async () => {
  await using rig = setup();
  const { emu, bot, alice } = rig;
  try {
    const msg = await bot.sendDocument(alice.id, BYTES.slice(), {
      thumbnail: new InputFile(PNG, "th.png"),
    });
    const params = emu.calls.at(-1)!.params;
    assert.equal((params.thumbnail as File).name, "th.png");
    assert.deepEqual(
      new Uint8Array(await (params.thumbnail as File).arrayBuffer()),
      PNG,
    );

    await bot.editMessageMedia([alice.id, msg.message_id], {
      type: "document",
      media: new InputFile(PNG, "new.png"),
    }).catch((err) => assert.ok(err instanceof TelegramError, String(err)));
    const edit = emu.calls.at(-1)!;
    assert.equal(edit.method, "editMessageMedia");
    assert.deepEqual(edit.params.media, {
      type: "document",
      media: "attach://file0",
    });
    assert.deepEqual(
      new Uint8Array(await (edit.params.file0 as File).arrayBuffer()),
      PNG,
    );
  } finally {
    await emu.close();
  }
});

Deno.test("files nested in InputSticker lists are attached (createNewStickerSet)", async () => {
  await using rig = setup();
  const { emu, bot, alice } = rig;
  try {
    await bot.createNewStickerSet(alice.id, "set_by_emulated_bot", "Set", [
      {
        sticker: new InputFile(PNG, "s1.png"),
        format: "static",
        emoji_list: ["🙂"],
      },
      { sticker: "existing-file-id", format: "static", emoji_list: ["🙃"] },
    ]).catch(() => {});
    const { method, params } = emu.calls.at(-1)!;
    assert.equal(method, "createNewStickerSet");
    assert.deepEqual(params.stickers, [
      { sticker: "attach://file0", format: "static", emoji_list: ["🙂"] },
      { sticker: "existing-file-id", format: "static", emoji_list: ["🙃"] },
    ]);
    assert.equal((params.file0 as File).name, "s1.png");
  } finally {
    await emu.close();
  }
});

Deno.test("a ReadableStream upload is sent once; a second use fails before any request", async () => {
  await using rig = setup();
  const { emu, bot, alice } = rig;
  try {
    const once = new InputFile(streamOf(BYTES));
    await bot.sendDocument(alice.id, once);
    const calls = emu.calls.length;
    await assert.rejects(bot.sendDocument(alice.id, once), /only once/);
    const raw = streamOf(BYTES);
    raw.getReader(); // locked by someone else
    await assert.rejects(bot.sendDocument(alice.id, raw), TypeError);
    assert.equal(emu.calls.length, calls);
    // Bytes and paths can be sent again.
    const bytes = new InputFile(BYTES);
    await bot.sendDocument(alice.id, bytes);
    await bot.sendDocument(alice.id, bytes);
  } finally {
    await emu.close();
  }
});

Deno.test("a failed upload fails clearly and cancels (closes) every source it opened", async () => {
  await using rig = setup();
  const { emu, bot, alice } = rig;
  const path = await tempFile(BYTES);
  try {
    await assert.rejects(
      bot.sendDocument(alice.id, InputFile.fromPath(path + ".missing")),
      Deno.errors.NotFound,
    );
    assert.equal(emu.calls.length, 0);
    emu.inject("sendDocument", { kind: "reset" });
    await assert.rejects(
      bot.sendDocument(alice.id, InputFile.fromPath(path)),
      BadHTTPResponse,
    );
    emu.inject("sendMediaGroup", { kind: "html" });
    await assert.rejects(
      bot.sendMediaGroup(alice.id, [
        { type: "document", media: InputFile.fromPath(path) },
        { type: "document", media: InputFile.fromPath(path) },
      ]),
      BadHTTPResponse,
    );
    // A request that never reaches a server reads none of the file.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const closedPort = (listener.addr as Deno.NetAddr).port;
    listener.close();
    const nowhere = new Bot(emu.token, {
      apiRoot: `http://127.0.0.1:${closedPort}`,
    });
    await assert.rejects(
      nowhere.sendDocument(alice.id, InputFile.fromPath(path)),
      BadHTTPResponse,
    );
    // A fetch that fails without touching the body at all: the sources are cancelled
    // (which closes a file), the one being read and those not reached yet.
    const offline = new Bot(emu.token, {
      fetch: () => Promise.reject(new TypeError("offline")),
    });
    await assert.rejects(
      offline.sendDocument(alice.id, InputFile.fromPath(path)),
      BadHTTPResponse,
    );
    const cancelled: unknown[] = [];
    const watched = () =>
      new ReadableStream<Uint8Array>({
        pull: (c) => c.enqueue(new Uint8Array(10)),
        cancel: (reason) => void cancelled.push(reason),
      });
    await assert.rejects(
      offline.sendMediaGroup(alice.id, [
        { type: "document", media: watched() },
        { type: "document", media: watched() },
      ]),
      BadHTTPResponse,
    );
    assert.equal(cancelled.length, 2);
    const ctrl = new AbortController();
    emu.inject("sendDocument", { kind: "hang" });
    const pending = bot.sendDocument(alice.id, InputFile.fromPath(path), {
      signal: ctrl.signal,
    });
    setTimeout(() => ctrl.abort(new Error("cancelled")), 10);
    await assert.rejects(pending, /cancelled/);
  } finally {
    await Deno.remove(path);
    await emu.close();
  }
});

Deno.test("the Node/Bun file adapter reads a file as a Blob and writes one chunk by chunk", async () => {
  const path = await tempFile(BYTES);
  try {
    const opened = await nodeFileSystem.openRead(path);
    const blob = "blob" in opened ? opened.blob : await new Response(opened.stream).blob();
    assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), BYTES);
    const out = path + ".out";
    const { writable, remove } = await nodeFileSystem.openWrite(out);
    await streamOf(BYTES, 700).pipeTo(writable);
    assert.deepEqual(await Deno.readFile(out), BYTES);
    await remove();
    await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
    await remove(); // already gone: no error
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("the Deno file adapter streams a file with its size", async () => {
  const path = await tempFile(BYTES);
  try {
    const opened = await denoFileSystem.openRead(path);
    assert.ok("stream" in opened);
    assert.equal(opened.size, BYTES.length);
    assert.deepEqual(
      new Uint8Array(await new Response(opened.stream).arrayBuffer()),
      BYTES,
    );
  } finally {
    await Deno.remove(path);
  }
});

// ---- downloads --------------------------------------------------------------------------

Deno.test("downloadFile() returns bytes, writes a path or a file: URL, and fills a WritableStream", async () => {
  await using rig = setup();
  const { emu, bot, alice } = rig;
  const dir = await Deno.makeTempDir();
  try {
    const doc = (await bot.sendDocument(alice.id, BYTES.slice())).document!;
    assert.deepEqual(await bot.downloadFile(doc.file_id), BYTES);

    const path = `${dir}/a.bin`;
    assert.equal(await bot.downloadFile(doc.file_id, path), undefined);
    assert.deepEqual(await Deno.readFile(path), BYTES);
    await bot.downloadFile(doc.file_id, new URL(`file://${dir}/b.bin`));
    assert.deepEqual(await Deno.readFile(`${dir}/b.bin`), BYTES);

    const chunks: Uint8Array[] = [];
    let closed = false;
    const sink = new WritableStream<Uint8Array>({
      write: (c) => void chunks.push(c),
      close: () => void (closed = true),
    });
    await bot.downloadFile(doc.file_id, sink);
    assert.ok(closed);
    assert.deepEqual(
      new Uint8Array(
        await new Blob(chunks as Uint8Array<ArrayBuffer>[]).arrayBuffer(),
      ),
      BYTES,
    );

    // A File object with a file_path skips getFile.
    const file = await bot.getFile(doc.file_id);
    emu.clearCalls();
    assert.deepEqual(await bot.downloadFile(file), BYTES);
    assert.equal(emu.calls.length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await emu.close();
  }
});

Deno.test("downloadFile() works over real HTTP", async () => {
  const emu = new Emulator();
  const srv = await emu.serve();
  try {
    const bot = new Bot(emu.token, { apiRoot: srv.apiRoot });
    const alice = emu.user("Alice");
    const photo = await alice.sendPhoto(PNG);
    const sizes = photo.photo!;
    assert.deepEqual(
      await bot.downloadFile(sizes[sizes.length - 1].file_id),
      PNG,
    );
  } finally {
    await srv.close();
    await emu.close();
  }
});

/** emu.fetch, with file downloads altered the way a broken network or proxy would. */
function alteredDownloads(
  emu: Emulator,
  alter: (res: Response) => Response,
): typeof fetch {
  return async (input, init) => {
    const res = await emu.fetch(input, init);
    return String(input).includes("/file/bot") ? alter(res) : res;
  };
}

Deno.test("downloadFile() refuses a size that disagrees with getFile before writing anything", async () => {
  await using rig = setup();
  const { emu, bot, alice } = rig;
  const dir = await Deno.makeTempDir();
  try {
    const doc = (await bot.sendDocument(alice.id, BYTES.slice())).document!;
    const file = await bot.getFile(doc.file_id);
    const lying = { ...file, file_size: BYTES.length + 1 };
    await assert.rejects(
      bot.downloadFile(lying, `${dir}/x.bin`),
      (err: Error) => {
        assert.ok(err instanceof BadHTTPResponse);
        assert.equal(
          err.message,
          `downloadFile: the server announced ${BYTES.length} bytes but getFile said ${
            BYTES.length + 1
          }`,
        );
        return true;
      },
    );
    assert.deepEqual([...Deno.readDirSync(dir)], []);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await emu.close();
  }
});

Deno.test("downloadFile() removes a partial file when fewer bytes arrive than expected", async () => {
  const emu = new Emulator();
  const dir = await Deno.makeTempDir();
  try {
    // A proxy that drops Content-Length and cuts the body short.
    const fetch = alteredDownloads(emu, (res) => {
      const cut = res.body!.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform: (chunk, c) => c.enqueue(chunk.subarray(0, chunk.length - 10)),
        }),
      );
      return new Response(cut, { status: 200 });
    });
    const bot = new Bot(emu.token, onEmulator(emu, { fetch }));
    const alice = emu.user("Alice");
    const doc = (await bot.sendDocument(alice.id, BYTES.slice())).document!;
    const path = `${dir}/partial.bin`;
    await assert.rejects(bot.downloadFile(doc.file_id, path), (err: Error) => {
      assert.ok(err instanceof BadHTTPResponse);
      assert.equal(
        err.message,
        `downloadFile: got ${BYTES.length - 10} bytes, expected ${BYTES.length}`,
      );
      return true;
    });
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);
    await assert.rejects(
      bot.downloadFile(doc.file_id),
      /got 2990 bytes, expected 3000/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await emu.close();
  }
});

Deno.test("downloadFile() removes a partial file and aborts a stream when the connection drops", async () => {
  const emu = new Emulator();
  const dir = await Deno.makeTempDir();
  try {
    const fetch = alteredDownloads(emu, (res) => {
      const reader = res.body!.getReader();
      let sent = false;
      const dropping = new ReadableStream<Uint8Array>({
        async pull(c) {
          if (sent) {
            await reader.cancel();
            return c.error(new TypeError("connection reset by peer"));
          }
          const { value } = await reader.read();
          c.enqueue(value!.subarray(0, 100));
          sent = true;
        },
      });
      return new Response(dropping, { status: 200, headers: res.headers });
    });
    const bot = new Bot(emu.token, onEmulator(emu, { fetch }));
    const alice = emu.user("Alice");
    const doc = (await bot.sendDocument(alice.id, BYTES.slice())).document!;
    const path = `${dir}/dropped.bin`;
    await assert.rejects(bot.downloadFile(doc.file_id, path), (err: Error) => {
      assert.ok(err instanceof BadHTTPResponse);
      assert.equal(
        err.message,
        "downloadFile: network failure after 100 bytes",
      );
      assert.match(String(err.cause), /connection reset by peer/);
      return true;
    });
    await assert.rejects(Deno.stat(path), Deno.errors.NotFound);

    let aborted: unknown;
    const sink = new WritableStream<Uint8Array>({
      abort: (reason) => void (aborted = reason),
    });
    await assert.rejects(bot.downloadFile(doc.file_id, sink), BadHTTPResponse);
    assert.ok(aborted instanceof BadHTTPResponse);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await emu.close();
  }
});

Deno.test("downloadFile() refuses a file_path with '..' segments; getFileUrl() encodes segments", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    for (const file_path of ["../secret", "a/../../b", "a/./b", ".."]) {
      await assert.rejects(
        bot.downloadFile({ file_id: "x", file_unique_id: "y", file_path }),
        (err: Error) =>
          err instanceof TelepotError &&
          /^downloadFile: refusing a file_path/.test(err.message),
      );
      assert.throws(
        () => bot.getFileUrl(file_path),
        /^TelepotError: getFileUrl: refusing/,
      );
    }
    assert.equal(emu.calls.length, 0);
    assert.equal(
      bot.getFileUrl("documents/my file#1.pdf"),
      `${emu.apiRoot}/file/bot${emu.token}/documents/my%20file%231.pdf`,
    );
  } finally {
    await emu.close();
  }
});

Deno.test("downloadFile() reports Telegram's errors: unknown file_id, missing file", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    await assert.rejects(bot.downloadFile("no-such-file-id"), (err: Error) => {
      assert.ok(err instanceof TelegramError);
      assert.equal(err.method, "getFile");
      return true;
    });
    await assert.rejects(
      bot.downloadFile({
        file_id: "x",
        file_unique_id: "y",
        file_path: "photos/none.jpg",
      }),
      (err: Error) =>
        err instanceof TelegramError && err.errorCode === 404 &&
        err.method === "downloadFile",
    );
  } finally {
    await emu.close();
  }
});
