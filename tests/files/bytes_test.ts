// The bounded body reader and chunk joiner behind the webhook, the emulator and downloads.
import assert from "node:assert/strict";
import { concatBytes, readBounded, readChunks } from "../../src/files/bytes.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

/** A stream of the given chunks that records whether (and why) it was cancelled. */
function source(chunks: Uint8Array[], failAfter?: unknown) {
  const state = { cancelled: false, pulls: 0 };
  let i = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.pulls++;
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else if (failAfter !== undefined) controller.error(failAfter);
      else controller.close();
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  return { stream, state };
}

Deno.test("concatBytes() joins chunks in order into a new array of exactly their length", () => {
  const a = bytes(1, 2);
  const b = bytes(3);
  const c = bytes(4, 5, 6);
  const all = concatBytes([a, b, c]);
  assert.deepEqual(all, bytes(1, 2, 3, 4, 5, 6));
  assert.equal(all.buffer.byteLength, 6);
  assert.deepEqual(concatBytes([a, b, c], 6), bytes(1, 2, 3, 4, 5, 6), "a given total is used");
  assert.deepEqual(concatBytes([]), new Uint8Array(0));
});

Deno.test("concatBytes() copies a single chunk (a view of a larger buffer included)", () => {
  const big = bytes(9, 1, 2, 3, 9);
  const view = big.subarray(1, 4);
  const out = concatBytes([view]);
  assert.notEqual(out, view);
  assert.deepEqual(out, bytes(1, 2, 3));
  assert.equal(out.buffer.byteLength, 3, "its own buffer, not the larger one");
  out[0] = 7;
  assert.equal(big[1], 1, "the chunk is left alone");
});

Deno.test("readChunks() hands every chunk to take, in order, and counts the bytes", async () => {
  const { stream, state } = source([bytes(1, 2), bytes(3), bytes(4, 5)]);
  const seen: number[][] = [];
  const n = await readChunks(stream, 5, async (chunk) => {
    await Promise.resolve();
    seen.push([...chunk]);
  });
  assert.equal(n, 5, "exactly maxBytes is accepted");
  assert.deepEqual(seen, [[1, 2], [3], [4, 5]]);
  assert.equal(state.cancelled, false);
  assert.equal(stream.locked, false, "the reader's lock is released");
});

Deno.test("readChunks() past maxBytes: the crossing chunk is not taken, the stream is cancelled", async () => {
  const { stream, state } = source([bytes(1, 2), bytes(3, 4), bytes(5)]);
  const seen: number[] = [];
  const n = await readChunks(stream, 3, (chunk) => {
    seen.push(chunk.byteLength);
  });
  assert.equal(n, undefined);
  assert.deepEqual(seen, [2], "the chunk that crosses the limit is not taken");
  assert.equal(state.cancelled, true);
  assert.equal(state.pulls, 2, "nothing is read after the limit");
  assert.equal(stream.locked, false);
});

Deno.test("readChunks() turns a failed read into readFailed(error, bytes so far)", async () => {
  const boom = new Error("connection reset");
  const { stream } = source([bytes(1, 2, 3)], boom);
  const wrapped = await readChunks(stream, Infinity, () => {}, async (err, received) => {
    await Promise.resolve();
    return new Error(`failed after ${received} bytes`, { cause: err });
  }).catch((e) => e);
  assert.ok(wrapped instanceof Error);
  assert.equal(wrapped.message, "failed after 3 bytes");
  assert.equal(wrapped.cause, boom);
  // Without readFailed the read's own error passes.
  const again = source([], boom);
  await assert.rejects(readChunks(again.stream, Infinity, () => {}), (e) => e === boom);
  assert.equal(again.stream.locked, false);
});

Deno.test("readChunks() passes what take throws as it is and cancels the stream", async () => {
  const { stream, state } = source([bytes(1), bytes(2), bytes(3)]);
  const full = new TypeError("disk full");
  let readFailedCalled = false;
  await assert.rejects(
    readChunks(stream, Infinity, (chunk) => {
      if (chunk[0] === 2) throw full;
    }, () => {
      readFailedCalled = true;
      return new Error("not this");
    }),
    (e) => e === full,
  );
  assert.equal(readFailedCalled, false, "a failing take is not a failed read");
  assert.equal(state.cancelled, true);
  assert.equal(stream.locked, false);
});

Deno.test("readBounded() returns a single chunk as it is and joins several", async () => {
  const only = bytes(1, 2, 3);
  assert.equal(await readBounded(source([only]).stream, 10), only, "no copy of one chunk");
  const joined = await readBounded(source([bytes(1), bytes(2, 3)]).stream, 3);
  assert.deepEqual(joined, bytes(1, 2, 3));
  assert.deepEqual(await readBounded(source([]).stream, 0), new Uint8Array(0));
});

Deno.test("readBounded() refuses more than maxBytes (undefined, stream cancelled)", async () => {
  const { stream, state } = source([bytes(1, 2), bytes(3, 4)]);
  assert.equal(await readBounded(stream, 3), undefined);
  assert.equal(state.cancelled, true);
});

Deno.test("readBounded() rejects with a failed read's error and cancels the stream", async () => {
  const boom = new Error("cut off");
  const { stream } = source([bytes(1)], boom);
  await assert.rejects(readBounded(stream, 100), (e) => e === boom);
  assert.equal(stream.locked, false);
});
