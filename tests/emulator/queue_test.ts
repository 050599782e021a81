// Units behind the emulator: the update queue, the fault table, image sizes.
import assert from "node:assert/strict";
import { UpdateQueue } from "../../src/emulator/updates.ts";
import { FaultTable } from "../../src/emulator/faults.ts";
import { imageSize, tinyPng } from "../../src/emulator/files.ts";

Deno.test("UpdateQueue.push() numbers updates and honours the allowed_updates filter", () => {
  const q = new UpdateQueue(10);
  assert.equal(q.push({ message: { text: "a" } })?.update_id, 10);
  assert.equal(q.push({ chat_member: {} }), undefined, "chat_member is opt-in");
  q.setAllowed(["chat_member"]);
  assert.equal(q.push({ message: {} }), undefined);
  assert.equal(q.push({ chat_member: {} })?.update_id, 11);
  q.setAllowed(undefined);
  assert.deepEqual(
    q.allowedUpdates,
    ["chat_member"],
    "undefined keeps the setting",
  );
  q.setAllowed([]);
  assert.equal(q.allowedUpdates, null);
  assert.equal(
    q.push({ update_id: 999, x: 1 }, true)?.update_id,
    12,
    "update_id is always assigned",
  );
});

Deno.test("UpdateQueue.confirm() drops confirmed updates and compacts", () => {
  const q = new UpdateQueue();
  for (let i = 0; i < 3000; i++) q.push({ message: { i } });
  q.confirm(2001);
  assert.equal(q.size, 1000);
  assert.equal(q.first()?.update_id, 2001);
  assert.deepEqual(q.peek(2).map((u) => u.update_id), [2001, 2002]);
  q.confirm(-10);
  assert.equal(q.size, 10);
  assert.equal(q.first()?.update_id, 2991);
  q.confirm(1);
  assert.equal(q.size, 10, "an old offset confirms nothing more");
  q.shift();
  assert.equal(q.first()?.update_id, 2992);
  q.clear();
  assert.equal(q.size, 0);
});

Deno.test("UpdateQueue.wait() ends on update, timeout, abort, termination and close", async () => {
  const q = new UpdateQueue();
  const onUpdate = q.wait(10_000);
  q.push({ message: {} });
  assert.equal(await onUpdate, "update");
  assert.equal(await q.wait(5), "timeout");
  const ctrl = new AbortController();
  const aborted = q.wait(10_000, ctrl.signal);
  ctrl.abort();
  assert.equal(await aborted, "aborted");
  const first = q.wait(10_000);
  const second = q.wait(10_000);
  assert.equal(await first, "terminated");
  q.closeWaiter();
  assert.equal(await second, "closed");
});

Deno.test("FaultTable.take() consumes faults per method and for any method", () => {
  const t = new FaultTable();
  t.add("sendMessage", { kind: "reset" }, 2);
  t.add("*", { kind: "5xx" });
  assert.equal(t.take("getMe")?.kind, "5xx");
  assert.equal(t.take("getMe"), undefined);
  assert.equal(t.take("sendMessage")?.kind, "reset");
  assert.equal(t.take("sendMessage")?.kind, "reset");
  assert.equal(t.take("sendMessage"), undefined);
  t.add("getMe", { kind: "hang" }, Infinity);
  for (let i = 0; i < 5; i++) assert.equal(t.take("getMe")?.kind, "hang");
  t.clear();
  assert.equal(t.size, 0);
});

Deno.test("imageSize() reads PNG, GIF, JPEG and WebP dimensions", () => {
  assert.deepEqual(imageSize(tinyPng()), { width: 1, height: 1 });
  const gif = new Uint8Array([
    0x47,
    0x49,
    0x46,
    0x38,
    0x39,
    0x61,
    0x20,
    0x03,
    0x58,
    0x02,
    0,
    0,
  ]);
  assert.deepEqual(imageSize(gif), { width: 800, height: 600 });
  // SOI, APP0 (length 16), SOF0 with height 480 and width 640
  const jpeg = new Uint8Array([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0x00,
    0x10,
    ...new Array(14).fill(0),
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    0x01,
    0xe0,
    0x02,
    0x80,
    0x03,
    0,
    0,
    0,
  ]);
  assert.deepEqual(imageSize(jpeg), { width: 640, height: 480 });
  const webp = new Uint8Array(30);
  webp.set([
    0x52,
    0x49,
    0x46,
    0x46,
    0,
    0,
    0,
    0,
    0x57,
    0x45,
    0x42,
    0x50,
    0x56,
    0x50,
    0x38,
    0x58,
  ]);
  webp.set([99, 0, 0, 49, 0, 0], 24);
  assert.deepEqual(imageSize(webp), { width: 100, height: 50 });
  assert.equal(imageSize(new Uint8Array([1, 2, 3])), undefined);
});
