// deno-lint-ignore-file no-explicit-any
// Files: multipart uploads stored and downloaded back byte for byte, file_id reuse,
// getFile paths, the /file/ endpoint's 404s, media groups with attach://, photo sizes.
import assert from "node:assert/strict";
import { Emulator, tinyPng } from "../../testing.ts";
import { reachEmulator } from "../_harness.ts";

type Transport = "fetch" | "http";
const TRANSPORTS: Transport[] = ["fetch", "http"];

async function setup(transport: Transport) {
  const rig = await reachEmulator(transport);
  const { emu, apiRoot, fetch: f } = rig;
  const form = async (
    method: string,
    fields: Record<string, string | Blob>,
  ) => {
    const body = new FormData();
    for (const [k, v] of Object.entries(fields)) {
      if (v instanceof File) body.append(k, v, v.name);
      else body.append(k, v);
    }
    const res = await f(`${apiRoot}/bot${emu.token}/${method}`, {
      method: "POST",
      body,
    });
    return { status: res.status, body: await res.json() as any };
  };
  const json = async (method: string, params: Record<string, unknown>) => {
    const { status, body } = await rig.post(method, params);
    return { status, body };
  };
  return Object.assign(rig, { form, json, alice: emu.user("Alice") });
}

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 65536) {
    crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  }
  return out;
}

/** A 3x2 PNG (header only matters for the size). */
function png(width: number, height: number): Uint8Array<ArrayBuffer> {
  const b = tinyPng();
  const dv = new DataView(b.buffer);
  dv.setUint32(16, width);
  dv.setUint32(20, height);
  return b;
}

for (const t of TRANSPORTS) {
  Deno.test(`[${t}] a multipart upload downloads back byte for byte`, async () => {
    const { emu, apiRoot, fetch: f, form, json, alice } = await setup(t);
    try {
      const bytes = randomBytes(300_000);
      const sent = await form("sendDocument", {
        chat_id: String(alice.id),
        document: new File([bytes], "report.bin", {
          type: "application/octet-stream",
        }),
        caption: "the report",
        reply_markup: JSON.stringify({
          inline_keyboard: [[{ text: "ok", callback_data: "ok" }]],
        }),
      });
      assert.equal(sent.status, 200, JSON.stringify(sent.body));
      const doc = sent.body.result.document;
      assert.equal(doc.file_name, "report.bin");
      assert.equal(doc.file_size, bytes.length);
      assert.match(doc.file_id, /^[A-Za-z0-9_-]{40,}$/);
      assert.match(doc.file_unique_id, /^[A-Za-z0-9_-]{8,}$/);
      assert.equal(sent.body.result.caption, "the report");
      assert.deepEqual(
        sent.body.result.reply_markup.inline_keyboard[0][0].callback_data,
        "ok",
      );

      const file = (await json("getFile", { file_id: doc.file_id })).body.result;
      assert.equal(file.file_id, doc.file_id);
      assert.equal(file.file_unique_id, doc.file_unique_id);
      assert.equal(file.file_size, bytes.length);
      assert.match(file.file_path, /^documents\/file_\d+\.bin$/);

      const res = await f(`${apiRoot}/file/bot${emu.token}/${file.file_path}`);
      assert.equal(res.status, 200);
      const back = new Uint8Array(await res.arrayBuffer());
      assert.equal(back.length, bytes.length);
      assert.deepEqual(back, bytes);
      assert.deepEqual(emu.file(doc.file_id)?.bytes, bytes);
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] /file/ answers 404 for unknown paths and never escapes with ../`, async () => {
    const { emu, apiRoot, fetch: f, form, alice } = await setup(t);
    try {
      await form("sendDocument", {
        chat_id: String(alice.id),
        document: new File(["secret"], "a.txt", { type: "text/plain" }),
      });
      for (
        const path of [
          "documents/nope.txt",
          "../documents/file_0.txt",
          "documents%2f..%2fdocuments%2ffile_0.txt",
          "%2e%2e/etc/passwd",
          "/etc/passwd",
        ]
      ) {
        const res = await f(`${apiRoot}/file/bot${emu.token}/${path}`);
        const body = await res.text();
        assert.equal(res.status, 404, path);
        assert.ok(!body.includes("secret"), path);
      }
      const wrongToken = await f(`${apiRoot}/file/bot1:x/documents/file_0.txt`);
      assert.equal(wrongToken.status, 401);
      await wrongToken.body?.cancel();
      const ok = await f(
        `${apiRoot}/file/bot${emu.token}/documents/file_0.txt`,
      );
      assert.equal(await ok.text(), "secret");
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] sendPhoto answers PhotoSize arrays and reuses file_ids`, async () => {
    const { emu, form, json, alice } = await setup(t);
    try {
      const first = await form("sendPhoto", {
        chat_id: String(alice.id),
        photo: new File([png(3, 2)], "p.png", { type: "image/png" }),
        caption: "<b>look</b>",
        parse_mode: "HTML",
      });
      assert.equal(first.status, 200, JSON.stringify(first.body));
      const [size] = first.body.result.photo;
      assert.equal(size.width, 3);
      assert.equal(size.height, 2);
      assert.equal(first.body.result.caption, "look");
      assert.deepEqual(first.body.result.caption_entities, [{
        type: "bold",
        offset: 0,
        length: 4,
      }]);
      const again = await json("sendPhoto", {
        chat_id: alice.id,
        photo: size.file_id,
      });
      assert.equal(
        again.body.result.photo[0].file_unique_id,
        size.file_unique_id,
      );
      const mismatch = await json("sendVoice", {
        chat_id: alice.id,
        voice: size.file_id,
      });
      assert.equal(
        mismatch.body.description,
        "Bad Request: type of file mismatch",
      );
      const unknown = await json("sendPhoto", {
        chat_id: alice.id,
        photo: "no-such-file",
      });
      assert.equal(
        unknown.body.description,
        "Bad Request: wrong file identifier/HTTP URL specified",
      );
      const garbage = await form("sendPhoto", {
        chat_id: String(alice.id),
        photo: new File([new Uint8Array([1, 2, 3])], "x.jpg"),
      });
      assert.equal(
        garbage.body.description,
        "Bad Request: IMAGE_PROCESS_FAILED",
      );
      const empty = await form("sendDocument", {
        chat_id: String(alice.id),
        document: new File([], "empty.txt"),
      });
      assert.equal(
        empty.body.description,
        "Bad Request: file must be non-empty",
      );
    } finally {
      await emu.close();
    }
  });

  Deno.test(`[${t}] sendMediaGroup uploads attach:// parts into one media group`, async () => {
    const { emu, form, alice } = await setup(t);
    try {
      const a = randomBytes(1000);
      const res = await form("sendMediaGroup", {
        chat_id: String(alice.id),
        media: JSON.stringify([
          { type: "photo", media: "attach://p1", caption: "first" },
          {
            type: "video",
            media: "attach://v1",
            width: 640,
            height: 480,
            duration: 3,
          },
        ]),
        p1: new File([png(10, 20)], "p1.png", { type: "image/png" }),
        v1: new File([a], "v1.mp4", { type: "video/mp4" }),
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      const [m1, m2] = res.body.result;
      assert.equal(m1.media_group_id, m2.media_group_id);
      assert.equal(m2.message_id, m1.message_id + 1);
      assert.equal(m1.photo[0].width, 10);
      assert.equal(m1.caption, "first");
      assert.deepEqual(
        [
          m2.video.width,
          m2.video.height,
          m2.video.duration,
          m2.video.mime_type,
        ],
        [640, 480, 3, "video/mp4"],
      );
      assert.deepEqual(emu.file(m2.video.file_id)?.bytes, a);
      const mixed = await form("sendMediaGroup", {
        chat_id: String(alice.id),
        media: JSON.stringify([
          { type: "document", media: "attach://d" },
          { type: "photo", media: "attach://p" },
        ]),
        d: new File(["x"], "d.txt"),
        p: new File([png(1, 1)], "p.png"),
      });
      assert.equal(
        mixed.body.description,
        "Bad Request: document can't be mixed with other media types",
      );
      const single = await form("sendMediaGroup", {
        chat_id: String(alice.id),
        media: JSON.stringify([{ type: "photo", media: "attach://p" }]),
        p: new File([png(1, 1)], "p.png"),
      });
      assert.equal(single.status, 400);
    } finally {
      await emu.close();
    }
  });
}

Deno.test("sendAudio, sendVoice, sendVideo, sendAnimation, sendVideoNote and sendSticker build their objects", async () => {
  const { emu, form, alice } = await setup("fetch");
  try {
    const blob = (name: string, type = "") => new File([randomBytes(64)], name, { type });
    const audio = (await form("sendAudio", {
      chat_id: String(alice.id),
      audio: blob("song.mp3", "audio/mpeg"),
      duration: "125",
      performer: "Band",
      title: "Song",
    })).body.result.audio;
    assert.deepEqual([
      audio.duration,
      audio.performer,
      audio.title,
      audio.mime_type,
    ], [
      125,
      "Band",
      "Song",
      "audio/mpeg",
    ]);
    const voice = (await form("sendVoice", {
      chat_id: String(alice.id),
      voice: blob("v.ogg"),
    })).body.result
      .voice;
    assert.equal(voice.mime_type, "audio/ogg");
    const anim = (await form("sendAnimation", {
      chat_id: String(alice.id),
      animation: blob("a.mp4", "video/mp4"),
    }))
      .body.result;
    assert.ok(
      anim.animation && anim.document,
      "animations carry a document too",
    );
    const note = (await form("sendVideoNote", {
      chat_id: String(alice.id),
      video_note: blob("n.mp4"),
      length: "240",
    }))
      .body.result.video_note;
    assert.equal(note.length, 240);
    const sticker = (await form("sendSticker", {
      chat_id: String(alice.id),
      sticker: blob("s.webp", "image/webp"),
      emoji: "😀",
    }))
      .body.result.sticker;
    assert.deepEqual([
      sticker.type,
      sticker.is_animated,
      sticker.is_video,
      sticker.emoji,
    ], [
      "regular",
      false,
      false,
      "😀",
    ]);
    const doc = (await form("sendDocument", {
      chat_id: String(alice.id),
      document: blob("d.pdf", "application/pdf"),
      thumbnail: new File([png(32, 32)], "t.png", { type: "image/png" }),
    })).body.result.document;
    assert.equal(doc.thumbnail.width, 32);
  } finally {
    await emu.close();
  }
});

Deno.test("EmulatedUser.sendPhoto() and sendDocument() store files the bot can download", async () => {
  const { emu, json, apiRoot, fetch: f, alice } = await setup("fetch");
  try {
    const bytes = new TextEncoder().encode("user's notes");
    await alice.sendDocument(bytes, { fileName: "notes.txt", caption: "here" });
    await alice.sendPhoto();
    const updates = (await json("getUpdates", {})).body.result;
    const doc = updates[0].message.document;
    assert.equal(doc.file_name, "notes.txt");
    assert.equal(doc.mime_type, "text/plain");
    assert.equal(updates[0].message.caption, "here");
    const photo = updates[1].message.photo;
    assert.equal(photo[0].width, 1);
    const path = (await json("getFile", { file_id: doc.file_id })).body.result.file_path;
    assert.equal(
      await (await f(`${apiRoot}/file/bot${emu.token}/${path}`)).text(),
      "user's notes",
    );
    assert.equal(
      (await json("getFile", { file_id: "nope" })).body.description,
      "Bad Request: invalid file_id",
    );
  } finally {
    await emu.close();
  }
});

Deno.test("sendPhoto by URL fetches the file with fileUrlFetch", async () => {
  const image = png(5, 5);
  const emu = new Emulator({
    fileUrlFetch: (input) =>
      Promise.resolve(
        String(input).endsWith("/cat.png")
          ? new Response(image)
          : new Response("no", { status: 404 }),
      ),
  });
  try {
    const alice = emu.user("Alice");
    const call = (photo: string) =>
      emu.fetch(`${emu.apiRoot}/bot${emu.token}/sendPhoto`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ chat_id: alice.id, photo }),
      }).then((r) => r.json());
    const ok = await call("https://img.example/cat.png");
    assert.equal(ok.result.photo[0].width, 5);
    const missing = await call("https://img.example/dog.png");
    assert.equal(
      missing.description,
      "Bad Request: failed to get HTTP URL content",
    );
  } finally {
    await emu.close();
  }
});
