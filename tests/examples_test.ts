import assert from "node:assert/strict";
import type { EmulatedUser } from "../testing.ts";
import { onEmulator, openEmulator, waitUntil } from "./_harness.ts";
import * as skeleton from "../examples/skeleton.ts";
import * as counter from "../examples/counter.ts";
import * as guess from "../examples/guess.ts";
import * as chatbox from "../examples/chatbox.ts";
import * as alarm from "../examples/alarm.ts";
import type { Bot } from "../mod.ts";

/** Runs an example bot on a fresh emulator; `close()` stops both. */
function run<B extends Bot>(
  create: (token: string, opts: { fetch: typeof fetch; apiRoot: string }) => B,
) {
  const rig = openEmulator();
  const bot = create(rig.emu.token, onEmulator(rig.emu));
  const running = bot.messageLoop(undefined, { timeout: 5 });
  rig.defer(async () => {
    await bot.stop();
    await running;
  });
  return Object.assign(rig, { bot });
}

async function reply(
  user: EmulatedUser,
  text: string,
  chat?: { id: number },
): Promise<string> {
  await user.send(text, chat ? { chat } : {});
  return (await user.nextMessage(chat ? { chat } : {})).text ?? "";
}

Deno.test("examples/skeleton glances at messages of several chats and logs them", async () => {
  const lines: string[] = [];
  await using t = run((token, o) => skeleton.createBot(token, { ...o, log: (l) => lines.push(l) }));
  const alice = t.emu.user("Alice");
  const bob = t.emu.user("Bob");
  const group = t.emu.group("Friends", [alice, bob]);
  await Promise.all([
    alice.send("hi"),
    bob.sendLocation(1, 2),
    bob.send("yo", { chat: group }),
  ]);
  await alice.inlineQuery("cats");
  await waitUntil(() => lines.length === 4);
  assert.deepEqual(
    lines.slice(0, 3).sort(),
    [
      `message: location private ${bob.id}`,
      `message: text group ${group.id}`,
      `message: text private ${alice.id}`,
    ].sort(),
  );
  assert.match(lines[3], new RegExp(`^inline_query: \\S+ ${alice.id} cats$`));
  await t.close();
});

Deno.test("examples/counter counts per chat, several chats at once, and starts over when idle", async () => {
  await using t = run((token, o) => counter.createBot(token, { ...o, idle: 0.5 }));
  const users = ["Alice", "Bob", "Carol"].map((n) => t.emu.user(n));
  const answers = await Promise.all(users.map(async (u) => {
    const got: string[] = [];
    for (let i = 0; i < 4; i++) got.push(await reply(u, `message ${i}`));
    return got;
  }));
  for (const got of answers) assert.deepEqual(got, ["1", "2", "3", "4"]);
  await waitUntil(() => t.bot.liveDelegates === 0, 3000);
  assert.equal(
    await reply(users[0], "again"),
    "1",
    "idle timeout: the count starts over",
  );
  assert.equal(await reply(users[1], "again"), "1");
  await t.close();
});

/** Plays the guessing game as a user would: binary search on the hints. */
async function play(user: EmulatedUser): Promise<number> {
  assert.equal(await reply(user, "start"), "Guess my number");
  let lo = 0;
  let hi = 99;
  for (let tries = 1; tries <= 10; tries++) {
    const mid = Math.floor((lo + hi) / 2);
    const hint = await reply(user, String(mid));
    if (hint === "Correct!") return mid;
    if (hint === "larger") lo = mid + 1;
    else if (hint === "smaller") hi = mid - 1;
    else throw new Error(`unexpected answer ${hint}`);
  }
  throw new Error("binary search should need at most 7 tries");
}

Deno.test("examples/guess plays a full game in several chats at once", async () => {
  const numbers = [17, 83, 50];
  let next = 0;
  await using t = run((token, o) => guess.createBot(token, { ...o, pick: () => numbers[next++] }));
  const users = ["Alice", "Bob", "Carol"].map((n) => t.emu.user(n));
  const found: number[] = [];
  for (const u of users) {
    assert.equal(await reply(u, "hello"), "Guess my number");
  }
  await Promise.all(users.map(async (u, i) => {
    let lo = 0;
    let hi = 99;
    for (;;) {
      const mid = Math.floor((lo + hi) / 2);
      const hint = await reply(u, String(mid));
      if (hint === "Correct!") return void (found[i] = mid);
      if (hint === "larger") lo = mid + 1;
      else hi = mid - 1;
    }
  }));
  assert.deepEqual(found, numbers);
  // A finished game ends its delegate; the next message starts a new game.
  await waitUntil(() => t.bot.liveDelegates === 0);
  next = 0;
  assert.equal(await play(users[0]), 17);
  await t.close();
});

Deno.test("examples/guess hints at non-numbers and expires when the player is silent", async () => {
  await using t = run((token, o) => guess.createBot(token, { ...o, timeout: 0.5, pick: () => 42 }));
  const alice = t.emu.user("Alice");
  assert.equal(await reply(alice, "/start"), "Guess my number");
  assert.equal(await reply(alice, "forty-two?"), "Give me a number, please.");
  await alice.sendLocation(0, 0);
  assert.equal((await alice.nextMessage()).text, "Give me a number, please.");
  assert.equal(
    (await alice.nextMessage()).text,
    "Game expired. The answer is 42",
  );
  await t.close();
});

Deno.test("examples/chatbox records messages from anyone, welcomes newcomers, the owner reads them", async () => {
  await using rig = openEmulator();
  const emu = rig.emu;
  const owner = emu.user("Owner");
  const bot = chatbox.createBot(emu.token, onEmulator(emu, { ownerId: owner.id }));
  const running = bot.messageLoop(undefined, { timeout: 5 });
  rig.defer(() => bot.stop());
  const alice = emu.user("Alice");
  const bob = emu.user("Bob");
  assert.equal(await reply(owner, "/unread"), "No unread messages");
  await Promise.all([
    (async () => {
      assert.equal(await reply(alice, "hello, anyone?"), "Hello!");
      await alice.send("I need help");
    })(),
    (async () => {
      assert.equal(await reply(bob, "hi there"), "Hello!");
    })(),
  ]);
  await waitUntil(() => bot.store.unreadPerChat().reduce((n, [, c]) => n + c, 0) === 3);
  const unread = await reply(owner, "/unread");
  assert.match(unread, new RegExp(`ID: ${alice.id}\\n2 unread`));
  assert.match(unread, new RegExp(`ID: ${bob.id}\\n1 unread`));
  assert.equal(await reply(owner, "/next"), `From ID: ${alice.id}`);
  assert.equal((await owner.nextMessage()).text, "hello, anyone?");
  assert.equal((await owner.nextMessage()).text, "I need help");
  assert.equal(await reply(owner, "/next"), `From ID: ${bob.id}`);
  assert.equal((await owner.nextMessage()).text, "hi there");
  assert.equal(await reply(owner, "/next"), "No unread messages");
  assert.equal(await reply(owner, "what?"), "I don't understand");
  await alice.send("still there?");
  await waitUntil(() => bot.store.unreadPerChat().length === 1);
  assert.deepEqual(
    alice.received().map((m) => m.text),
    ["Hello!"],
    "one welcome per newcomer",
  );
  await bot.stop();
  await running;
  await emu.close();
});

Deno.test("examples/chatbox without an owner id: the first to send /owner owns it", async () => {
  await using t = run((token, o) => chatbox.createBot(token, o));
  const alice = t.emu.user("Alice");
  const bob = t.emu.user("Bob");
  assert.equal(await reply(alice, "/owner"), "You are the owner.");
  assert.equal(
    await reply(bob, "/owner"),
    "Hello!",
    "too late: Bob is a visitor",
  );
  assert.equal(t.bot.ownerId, alice.id);
  await waitUntil(() => t.bot.store.unreadPerChat().length === 1);
  assert.equal(await reply(alice, "/next"), `From ID: ${bob.id}`);
  assert.equal((await alice.nextMessage()).text, "/owner");
  await t.close();
});

Deno.test("examples/alarm rings after the delay, in several chats, and stop() cancels pending alarms", async () => {
  await using t = run((token, o) => alarm.createBot(token, { ...o, idle: 0.05 }));
  const alice = t.emu.user("Alice");
  const bob = t.emu.user("Bob");
  const carol = t.emu.user("Carol");
  assert.equal(
    await reply(alice, "0.1"),
    "Got it. Alarm is set at 0.1 seconds from now.",
  );
  assert.equal(
    await reply(bob, "0.05"),
    "Got it. Alarm is set at 0.1 seconds from now.",
  );
  assert.equal(await reply(carol, "wake me"), "Not a number. No alarm set.");
  // The alarms ring after the ChatHandlers idled out (0.05 s): they belong to the bot.
  assert.equal((await bob.nextMessage()).text, "Beep beep, time to wake up!");
  assert.equal((await alice.nextMessage()).text, "Beep beep, time to wake up!");
  assert.equal(
    await reply(carol, "3600"),
    "Got it. Alarm is set at 3600.0 seconds from now.",
  );
  assert.equal(t.bot.pendingAlarms, 1);
  await t.close(); // a leaked hour-long timer would fail this test's sanitizer
  assert.equal(t.bot.pendingAlarms, 0);
  assert.deepEqual(carol.received().map((m) => m.text), [
    "Not a number. No alarm set.",
    "Got it. Alarm is set at 3600.0 seconds from now.",
  ]);
});
