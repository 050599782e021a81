// deno-lint-ignore-file no-explicit-any
// The user side over HTTP (`/_emulator/...`) and the standalone `deno task emulator`.
import assert from "node:assert/strict";
import { Emulator } from "../../testing.ts";

async function post(url: string, body: unknown = {}) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, ...(await res.json() as any) };
}

async function get(url: string) {
  const res = await fetch(url);
  return { status: res.status, ...(await res.json() as any) };
}

Deno.test("serve({ control: true }) drives users, chats and reads over HTTP", async () => {
  const emu = new Emulator();
  const srv = await emu.serve({ control: true });
  const c = `${srv.apiRoot}/_emulator`;
  const api = `${srv.apiRoot}/bot${emu.token}`;
  try {
    const info = await get(c);
    assert.equal(info.result.token, emu.token);
    const alice = (await post(`${c}/users`, { first_name: "Alice", username: "alice" }))
      .result;
    const bob = (await post(`${c}/users`, { first_name: "Bob" })).result;
    assert.equal(alice.user.username, "alice");
    const group = (await post(`${c}/chats`, {
      type: "group",
      title: "G",
      members: [alice.id, bob.id],
    })).result;
    assert.equal(group.type, "group");

    const sent = await post(`${c}/users/${alice.id}/send`, { text: "/start" });
    assert.equal(sent.result.entities[0].type, "bot_command");
    await post(`${c}/users/${bob.id}/send`, {
      text: "in group",
      chat_id: group.id,
    });
    const updates = (await get(`${api}/getUpdates`)).result;
    assert.deepEqual(updates.map((u: any) => u.message.text), [
      "/start",
      "in group",
    ]);

    const waiting = get(`${c}/users/${alice.id}/next?timeout=3000`);
    const kb = { inline_keyboard: [[{ text: "Go", callback_data: "go" }]] };
    const botMsg = (await post(`${api}/sendMessage`, {
      chat_id: alice.id,
      text: "menu",
      reply_markup: kb,
    }))
      .result;
    assert.equal((await waiting).result.text, "menu");
    const timeout = await get(`${c}/users/${alice.id}/next?timeout=20`);
    assert.equal(timeout.status, 408);

    const query = (await post(`${c}/users/${alice.id}/press`, {
      message_id: botMsg.message_id,
      data: "go",
    }))
      .result;
    await post(`${api}/answerCallbackQuery`, {
      callback_query_id: query.id,
      text: "done",
    });
    assert.deepEqual((await get(`${c}/callback-answers/${query.id}`)).result, {
      text: "done",
    });

    const photo = await post(`${c}/users/${alice.id}/document`, {
      data_base64: btoa("hello file"),
      file_name: "h.txt",
    });
    assert.equal(photo.result.document.file_name, "h.txt");
    assert.equal(
      (await get(`${c}/users/${alice.id}/received`)).result.length,
      1,
    );
    assert.ok(
      (await get(`${c}/chats/${group.id}/messages`)).result.length >= 1,
    );
    assert.ok(
      (await get(`${c}/calls`)).result.some((x: any) => x.method === "answerCallbackQuery"),
    );

    await post(`${c}/faults`, {
      method: "getMe",
      fault: { kind: "429", retryAfter: 7 },
    });
    assert.equal((await get(`${api}/getMe`)).parameters.retry_after, 7);
    await post(`${c}/users/${bob.id}/block`);
    assert.equal(
      (await post(`${api}/sendMessage`, { chat_id: bob.id, text: "x" })).status,
      403,
    );

    const iq = (await post(`${c}/users/${alice.id}/inline`, { query: "q" })).result;
    await post(`${api}/answerInlineQuery`, {
      inline_query_id: iq.id,
      results: [{
        type: "article",
        id: "r1",
        title: "R",
        input_message_content: { message_text: "r" },
      }],
    });
    const chosen = await post(`${c}/users/${alice.id}/choose`, {
      inline_query_id: iq.id,
      result_id: "r1",
    });
    assert.deepEqual(chosen.result, {
      result_id: "r1",
      from: alice.user,
      query: "q",
    });

    assert.equal(
      (await post(`${c}/users/999/send`, { text: "x" })).status,
      404,
    );
    assert.equal((await post(`${c}/users/${alice.id}/send`, {})).status, 400);
  } finally {
    await emu.close();
  }
});

async function call(url: string, method: string) {
  const res = await fetch(url, {
    method,
    headers: { "content-type": "application/json" },
    body: method === "GET" || method === "HEAD" ? undefined : "{}",
  });
  return { status: res.status, ...(await res.json() as any) };
}

Deno.test("the control API answers a known path with another method 405 naming the right one", async () => {
  const emu = new Emulator();
  const srv = await emu.serve({ control: true });
  const c = `${srv.apiRoot}/_emulator`;
  const api = `${srv.apiRoot}/bot${emu.token}`;
  try {
    const alice = (await post(`${c}/users`, { first_name: "Alice" })).result;
    assert.deepEqual(await call(c, "POST"), {
      status: 405,
      ok: false,
      error: "use GET for /_emulator/",
    });
    assert.deepEqual(await call(`${c}/users`, "GET"), {
      status: 405,
      ok: false,
      error: "use POST for /_emulator/users",
    });
    assert.deepEqual(await call(`${c}/users/${alice.id}/send`, "GET"), {
      status: 405,
      ok: false,
      error: `use POST for /_emulator/users/${alice.id}/send`,
    });
    // Two routes share the path: both methods are named, in table order.
    assert.deepEqual(await call(`${c}/calls`, "PUT"), {
      status: 405,
      ok: false,
      error: "use GET or DELETE for /_emulator/calls",
    });
    // A 405 runs nothing: the user is not blocked, no user was created.
    assert.equal((await call(`${c}/users/${alice.id}/block`, "PUT")).status, 405);
    const sent = await post(`${api}/sendMessage`, { chat_id: alice.id, text: "still here" });
    assert.equal(sent.status, 200);
    assert.equal(emu.userById(alice.id + 1), undefined);
  } finally {
    await emu.close();
  }
});

Deno.test("the control API answers unknown actions, unmatched and longer paths 404 no control route", async () => {
  const emu = new Emulator();
  const srv = await emu.serve({ control: true });
  const c = `${srv.apiRoot}/_emulator`;
  try {
    const alice = (await post(`${c}/users`, { first_name: "Alice" })).result;
    const notFound = (method: string, path: string) => ({
      status: 404,
      ok: false,
      error: `no control route ${method} /_emulator/${path}`,
    });
    assert.deepEqual(
      await call(`${c}/users/${alice.id}/dance`, "POST"),
      notFound("POST", `users/${alice.id}/dance`),
    );
    assert.deepEqual(await call(`${c}/nothing`, "GET"), notFound("GET", "nothing"));
    assert.deepEqual(
      await call(`${c}/users/${alice.id}`, "GET"),
      notFound("GET", `users/${alice.id}`),
    );
    // Extra segments after a known route do not match it, whatever the method.
    assert.deepEqual(
      await call(`${c}/users/${alice.id}/send/extra`, "POST"),
      notFound("POST", `users/${alice.id}/send/extra`),
    );
    assert.deepEqual(await call(`${c}/calls/1`, "GET"), notFound("GET", "calls/1"));
    assert.deepEqual(await call(`${c}/users/extra`, "GET"), notFound("GET", "users/extra"));
    // A known route with an unknown user is a 404 of its own kind.
    assert.deepEqual(await call(`${c}/users/999/send`, "POST"), {
      status: 404,
      ok: false,
      error: "no emulated user 999",
    });
  } finally {
    await emu.close();
  }
});

Deno.test("serve() without control leaves /_emulator unanswered", async () => {
  const emu = new Emulator();
  const srv = await emu.serve();
  try {
    const res = await fetch(`${srv.apiRoot}/_emulator/users`, {
      method: "POST",
      body: "{}",
    });
    assert.equal(res.status, 404);
    await res.body?.cancel();
  } finally {
    await emu.close();
  }
});

Deno.test("deno task emulator prints apiRoot and token and serves both sides", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("../../scripts/emulator.ts", import.meta.url).pathname,
      "--port",
      "0",
      "--token",
      "4242:test-token",
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  try {
    while (!/token:\s+\S+/.test(out)) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
    const apiRoot = /apiRoot: (\S+)/.exec(out)?.[1];
    const token = /token:\s+(\S+)/.exec(out)?.[1];
    assert.ok(apiRoot, out);
    assert.equal(token, "4242:test-token");
    const me = await get(`${apiRoot}/bot${token}/getMe`);
    assert.equal(me.result.id, 4242);
    const user = (await post(`${apiRoot}/_emulator/users`, { first_name: "Zed" })).result;
    await post(`${apiRoot}/_emulator/users/${user.id}/send`, { text: "hi" });
    assert.equal(
      (await get(`${apiRoot}/bot${token}/getUpdates`)).result[0].message.text,
      "hi",
    );
  } finally {
    child.kill("SIGTERM");
    await reader.cancel();
    await child.status;
  }
});
