// The error tree: the mapping table, every error kind against the emulator's real answers,
// and the token kept out of every message, stack and cause.
import assert from "node:assert/strict";
import { Emulator } from "../../testing.ts";
import {
  BadHTTPResponse,
  Bot,
  BotWasBlockedError,
  BotWasKickedError,
  ChatNotFoundError,
  ConflictError,
  MigratedToSupergroupChatError,
  NotEnoughRightsError,
  RequestTimeoutError,
  TelegramError,
  TelepotError,
  TooManyRequestsError,
  UnauthorizedError,
} from "../../mod.ts";
import { telegramError } from "../../src/core/errors/telegram.ts";
import { emulatedBot, onEmulator } from "../_harness.ts";

Deno.test("telegramError() picks the class by error_code, description and parameters", () => {
  const cases: [
    number,
    string,
    Record<string, number>,
    new (...a: never[]) => TelegramError,
  ][] = [
    [401, "Unauthorized", {}, UnauthorizedError],
    [403, "Forbidden: bot was blocked by the user", {}, BotWasBlockedError],
    [
      403,
      "Forbidden: bot was kicked from the group chat",
      {},
      BotWasKickedError,
    ],
    [400, "Bad Request: chat not found", {}, ChatNotFoundError],
    [
      400,
      "Bad Request: not enough rights to send text messages to the chat",
      {},
      NotEnoughRightsError,
    ],
    [
      403,
      "Forbidden: not enough rights to restrict/unrestrict chat member",
      {},
      NotEnoughRightsError,
    ],
    [
      400,
      "Bad Request: need administrator rights in the channel chat",
      {},
      NotEnoughRightsError,
    ],
    [
      429,
      "Too Many Requests: retry after 7",
      { retry_after: 7 },
      TooManyRequestsError,
    ],
    [
      409,
      "Conflict: terminated by other getUpdates request",
      {},
      ConflictError,
    ],
    [
      400,
      "Bad Request: group chat was upgraded to a supergroup chat",
      { migrate_to_chat_id: -1001234 },
      MigratedToSupergroupChatError,
    ],
    [400, "Bad Request: message text is empty", {}, TelegramError],
    [
      403,
      "Forbidden: bot is not a member of the group chat",
      {},
      TelegramError,
    ],
  ];
  for (const [code, description, parameters, cls] of cases) {
    const err = telegramError("sendMessage", code, description, parameters);
    assert.equal(err.constructor, cls, description);
    assert.ok(
      err instanceof TelegramError && err instanceof TelepotError &&
        err instanceof Error,
    );
    assert.equal(err.errorCode, code);
    assert.equal(err.description, description);
    assert.deepEqual(err.parameters, parameters);
    assert.equal(err.method, "sendMessage");
    assert.equal(err.message, `sendMessage: ${description} (${code})`);
    assert.equal(err.name, cls.name);
  }
  const flood = telegramError("getMe", 429, "Too Many Requests", {
    retry_after: 3,
  });
  assert.equal((flood as TooManyRequestsError).retryAfter, 3);
  const moved = telegramError("getChat", 400, "upgraded", {
    migrate_to_chat_id: -100,
  });
  assert.equal((moved as MigratedToSupergroupChatError).migrateToChatId, -100);
});

function setup(token?: string) {
  return emulatedBot({ timeout: 2000 }, { token });
}

Deno.test("Bot methods throw UnauthorizedError for a wrong token (emulator's 401)", async () => {
  await using rig = setup();
  const { emu } = rig;
  try {
    const bot = new Bot("111:wrong", onEmulator(emu));
    await assert.rejects(bot.getMe(), (err) => {
      assert.ok(err instanceof UnauthorizedError);
      assert.equal(err.errorCode, 401);
      assert.equal(err.message, "getMe: Unauthorized (401)");
      return true;
    });
  } finally {
    await emu.close();
  }
});

Deno.test("sendMessage() throws BotWasBlockedError when the user blocked the bot", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    const alice = emu.user("Alice");
    emu.block(alice);
    await assert.rejects(bot.sendMessage(alice.id, "hi"), (err) => {
      assert.ok(err instanceof BotWasBlockedError);
      assert.equal(err.errorCode, 403);
      assert.match(err.description, /bot was blocked by the user/);
      return true;
    });
  } finally {
    await emu.close();
  }
});

Deno.test("sendMessage() throws ChatNotFoundError for an unknown chat", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    await assert.rejects(bot.sendMessage(987654321, "hi"), (err) => {
      assert.ok(err instanceof ChatNotFoundError);
      assert.equal(err.errorCode, 400);
      return true;
    });
  } finally {
    await emu.close();
  }
});

Deno.test("sendMessage() throws NotEnoughRightsError in a channel where the bot may not post", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    const channel = emu.channel("News", { botStatus: "member" });
    await assert.rejects(bot.sendMessage(channel.id, "hi"), (err) => {
      assert.ok(err instanceof NotEnoughRightsError, String(err));
      return true;
    });
  } finally {
    await emu.close();
  }
});

Deno.test("sendMessage() throws TooManyRequestsError with retryAfter on a 429", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    const alice = emu.user("Alice");
    emu.inject("sendMessage", { kind: "429", retryAfter: 3 });
    await assert.rejects(bot.sendMessage(alice.id, "hi"), (err) => {
      assert.ok(err instanceof TooManyRequestsError);
      assert.equal(err.retryAfter, 3);
      assert.deepEqual(err.parameters, { retry_after: 3 });
      return true;
    });
  } finally {
    await emu.close();
  }
});

Deno.test("getUpdates() throws ConflictError when another getUpdates takes over", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    // As Telegram does, a newer getUpdates terminates the pending one with a 409.
    const first = bot.getUpdates({ timeout: 5 }).catch((err) => err);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await bot.getUpdates(), []);
    const err = await first;
    assert.ok(err instanceof ConflictError, String(err));
    assert.equal(err.errorCode, 409);
  } finally {
    await emu.close();
  }
});

Deno.test("a 403 'bot was kicked' answer throws BotWasKickedError", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    const alice = emu.user("Alice");
    // Kind "5xx" is the emulator's JSON {ok:false} answer; its status can be any error code.
    emu.inject("sendMessage", {
      kind: "5xx",
      status: 403,
      description: "Forbidden: bot was kicked from the group chat",
    });
    await assert.rejects(bot.sendMessage(alice.id, "hi"), BotWasKickedError);
  } finally {
    await emu.close();
  }
});

Deno.test("a JSON 5xx answer throws a TelegramError with its code", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    emu.inject("getMe", { kind: "5xx", status: 502 });
    await assert.rejects(bot.getMe(), (err) => {
      assert.equal((err as Error).constructor, TelegramError);
      assert.equal((err as TelegramError).errorCode, 502);
      return true;
    });
  } finally {
    await emu.close();
  }
});

Deno.test("an HTML 502 page throws BadHTTPResponse with the status and the start of the body", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    emu.inject("getUpdates", { kind: "html", status: 502 });
    await assert.rejects(bot.getUpdates(), (err) => {
      assert.ok(err instanceof BadHTTPResponse);
      assert.equal(err.status, 502);
      assert.equal(err.method, "getUpdates");
      assert.match(
        err.message,
        /^getUpdates: HTTP 502, not a Bot API answer \(text\/html\)$/,
      );
      assert.match(err.body ?? "", /<html/i);
      return true;
    });
  } finally {
    await emu.close();
  }
});

Deno.test("a connection reset throws BadHTTPResponse (network failure) with the cause kept", async () => {
  await using rig = setup();
  const { emu, bot } = rig;
  try {
    emu.inject("getMe", { kind: "reset" });
    await assert.rejects(bot.getMe(), (err) => {
      assert.ok(err instanceof BadHTTPResponse);
      assert.equal(err.status, undefined);
      assert.equal(err.message, "getMe: network failure (no answer)");
      assert.ok(err.cause instanceof Error);
      return true;
    });
  } finally {
    await emu.close();
  }
});

Deno.test("a request with no answer throws RequestTimeoutError after BotOptions.timeout", async () => {
  await using rig = emulatedBot({ timeout: 50 });
  const { emu, bot } = rig;
  emu.inject("getMe", { kind: "hang" });
  await assert.rejects(bot.getMe(), (err) => {
    assert.ok(err instanceof RequestTimeoutError);
    assert.ok(err instanceof BadHTTPResponse);
    assert.match(err.message, /^getMe: no answer within 50 ms/);
    return true;
  });
});

// ---- the token never leaks ------------------------------------------------------------

/** A token with every character URLs treat specially (the emulator refuses it: 401). */
const NASTY = "123456789:AAh/x?y#z%25&w=v+u t@s;r,q'p(o)n*m!l~k$j[i]h{g}f|e\\d^c`b\"a<>_SECRETPART";
/** A token shaped as Telegram's, which the emulator accepts. */
const PLAIN = "123456789:AAE-SECRETPART_x1y2z3";

function spellings(token: string): string[] {
  const secret = token.slice(token.indexOf(":") + 1);
  const all = [token, secret];
  for (const s of [token, secret]) {
    all.push(
      encodeURIComponent(s),
      encodeURI(s),
      encodeURIComponent(s).replaceAll("%3A", ":"),
    );
  }
  return [...new Set(all)];
}

function assertNoToken(err: unknown, token: string, where = "err"): void {
  const forms = spellings(token);
  const check = (text: unknown, what: string) => {
    if (typeof text !== "string") return;
    for (const f of forms) {
      assert.ok(!text.includes(f), `${what} contains the token: ${text}`);
    }
    assert.ok(
      !text.includes("SECRETPART"),
      `${what} contains the token's secret: ${text}`,
    );
  };
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 20; depth++) {
    const label = `${where}${".cause".repeat(depth)}`;
    check(String(current), `String(${label})`);
    if (current instanceof Error) {
      check(current.message, `${label}.message`);
      check(current.stack, `${label}.stack`);
      for (const [k, v] of Object.entries(current)) check(v, `${label}.${k}`);
      const errors = (current as { errors?: unknown[] }).errors;
      errors?.forEach((e, i) => assertNoToken(e, token, `${label}.errors[${i}]`));
      current = current.cause;
    } else {
      check(JSON.stringify(current), label);
      current = undefined;
    }
  }
}

/** fetch failures that put the URL everywhere: message, stack, causes, errors, properties. */
const leaky: typeof fetch = (input) => {
  const url = String(input);
  const inner = new Error(`connect ECONNREFUSED ${url}`);
  Object.assign(inner, { url, code: "ECONNREFUSED" });
  const agg = new AggregateError(
    [new Error(`first try ${url}`), inner],
    `all failed ${url}`,
  );
  return Promise.reject(
    new TypeError(`fetch failed for ${url}`, { cause: agg }),
  );
};
const rejectsString: typeof fetch = (input) => Promise.reject(`boom ${String(input)}`);
const rejectsDecoded: typeof fetch = (input) =>
  Promise.reject(new Error(`bad url ${decodeURIComponent(String(input))}`));
/** A network that never answers; aborting rejects with the URL in the reason. */
const hanging: typeof fetch = (input, init) =>
  new Promise((_, reject) => {
    init?.signal?.addEventListener("abort", () => {
      reject(
        new DOMException(`request to ${String(input)} aborted`, "AbortError"),
      );
    });
  });

/** A local port nobody listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Triggers every kind of error with `token` and returns them by label. */
async function everyError(token: string): Promise<[string, unknown][]> {
  const emu = new Emulator({ token: token === PLAIN ? PLAIN : undefined });
  const srv = await emu.serve();
  const errors: [string, unknown][] = [];
  const catchIt = async (label: string, p: () => Promise<unknown>) => {
    try {
      await p();
      errors.push([label, new Error(`${label} did not fail`)]);
    } catch (err) {
      errors.push([label, err]);
    }
  };
  try {
    const bot = new Bot(token, onEmulator(emu, { timeout: 100 }));
    const http = new Bot(token, { apiRoot: srv.apiRoot, timeout: 2000 });
    if (token === PLAIN) {
      const alice = emu.user("Alice");
      assert.equal((await bot.getMe()).is_bot, true);
      await catchIt(
        "401",
        () =>
          new Bot(token + "x", onEmulator(emu))
            .getMe(),
      );
      await catchIt("400 chat not found", () => bot.sendMessage(5, "x"));
      emu.block(alice);
      await catchIt("403 blocked", () => bot.sendMessage(alice.id, "x"));
      emu.inject("getMe", { kind: "429", retryAfter: 1 });
      await catchIt("429", () => bot.getMe());
      emu.inject("getMe", { kind: "5xx", status: 500 });
      await catchIt("5xx", () => bot.getMe());
      emu.inject("getMe", { kind: "html", status: 502 });
      await catchIt("html 502", () => bot.getMe());
      emu.inject("getMe", { kind: "reset" });
      await catchIt("reset in-process", () => bot.getMe());
      emu.inject("getMe", { kind: "hang" });
      await catchIt("timeout", () => bot.getMe());
      emu.inject("getMe", { kind: "reset" });
      await catchIt("reset over HTTP", () => http.getMe());
      await catchIt(
        "download 404",
        () =>
          bot.downloadFile({
            file_id: "x",
            file_unique_id: "y",
            file_path: "no/such.jpg",
          }),
      );
    } else {
      await catchIt("401 in-process", () => bot.getMe());
      await catchIt("401 over HTTP", () => http.getMe());
      await catchIt(
        "timeout",
        () => new Bot(token, { fetch: hanging, timeout: 20 }).getMe(),
      );
    }
    await catchIt(
      "bad file path",
      () => Promise.resolve().then(() => bot.getFileUrl("a/../b")),
    );
    const refused = new Bot(token, {
      apiRoot: `http://127.0.0.1:${closedPort()}`,
      timeout: 2000,
    });
    await catchIt("connection refused", () => refused.getMe());
    await catchIt(
      "leaky fetch",
      () => new Bot(token, { fetch: leaky }).getMe(),
    );
    await catchIt(
      "fetch rejecting a string",
      () => new Bot(token, { fetch: rejectsString }).getMe(),
    );
    await catchIt(
      "fetch with the decoded URL",
      () => new Bot(token, { fetch: rejectsDecoded }).getMe(),
    );
    await catchIt(
      "download, leaky fetch",
      () =>
        new Bot(token, { fetch: leaky }).downloadFile({
          file_id: "x",
          file_unique_id: "y",
          file_path: "a.jpg",
        }),
    );
  } finally {
    await srv.close();
    await emu.close();
  }
  return errors;
}

for (
  const [label, token] of [["a Telegram-shaped token", PLAIN], [
    "a token with URL-special characters",
    NASTY,
  ]]
) {
  Deno.test(`no error message, stack, cause or String(err) contains ${label}`, async (t) => {
    const errors = await everyError(token);
    assert.equal(errors.length, token === PLAIN ? 16 : 9);
    for (const [what, err] of errors) {
      await t.step(what, () => {
        assert.ok(err instanceof TelepotError, `${what}: ${String(err)}`);
        assertNoToken(err, token);
      });
    }
    // The leaky fetch's details survive, redacted, for debugging.
    const leakyErr = errors.find(([l]) => l === "leaky fetch")![1] as BadHTTPResponse;
    const cause = leakyErr.cause as TypeError;
    assert.ok(cause instanceof TypeError);
    assert.equal(
      cause.message,
      "fetch failed for https://api.telegram.org/bot<token>/getMe",
    );
    const agg = cause.cause as Error & { errors: Error[] };
    assert.equal(agg.errors.length, 2);
    assert.equal(
      (agg.errors[1] as Error & { code: string }).code,
      "ECONNREFUSED",
    );
  });
}

Deno.test("errors say which method failed and never show the URL", async () => {
  await using rig = emulatedBot();
  const { emu, bot } = rig;
  emu.inject("sendChatAction", { kind: "reset" });
  const err = await bot.sendChatAction(1, "typing").catch((e) => e);
  assert.match(err.message, /^sendChatAction: /);
  assert.ok(!err.message.includes(emu.apiRoot));
  assert.ok(!err.message.includes("http"));
});
