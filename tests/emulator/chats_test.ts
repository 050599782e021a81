// deno-lint-ignore-file no-explicit-any
// Groups, supergroups and channels: membership, joining, getChat/getChatMember, admin
// actions with their rights checks, pins, invite links, forum topics, bot settings.
import assert from "node:assert/strict";
import type { EmulatorOptions } from "../../testing.ts";
import { reachEmulator } from "../_harness.ts";

async function setup(options?: EmulatorOptions) {
  const rig = await reachEmulator("fetch", options);
  const call = async (method: string, params: Record<string, unknown> = {}) => {
    const { status, body } = await rig.post(method, params);
    return { status, ...body };
  };
  const { emu } = rig;
  return Object.assign(rig, {
    call,
    alice: emu.user("Alice"),
    bob: emu.user("Bob"),
    carol: emu.user("Carol"),
  });
}

Deno.test("group(): members talk to the bot, non-members cannot, ids are per chat", async () => {
  const { emu, call, alice, bob, carol } = await setup();
  try {
    const group = emu.group("Friends", [alice, bob]);
    assert.equal(group.type, "group");
    assert.ok(group.id < 0);
    const m1 = await alice.send("hi all", { chat: group });
    const m2 = await bob.send("hey", { chat: group });
    assert.deepEqual([m1.message_id, m2.message_id], [1, 2]);
    assert.equal(m1.chat.id, group.id);
    await assert.rejects(
      carol.send("let me in", { chat: group }),
      /not a member/,
    );
    const updates = (await call("getUpdates")).result;
    assert.deepEqual(updates.map((u: any) => u.message.from.first_name), [
      "Alice",
      "Bob",
    ]);
    const reply = await call("sendMessage", {
      chat_id: group.id,
      text: "hello group",
    });
    assert.equal(reply.result.message_id, 3);
    assert.equal(
      (await alice.nextMessage({ chat: group })).text,
      "hello group",
    );
    assert.equal((await bob.nextMessage({ chat: group })).text, "hello group");
  } finally {
    await emu.close();
  }
});

Deno.test("join() posts new_chat_members and chat_member reaches admins that asked for it", async () => {
  const { emu, call, alice, carol } = await setup();
  try {
    const sg = emu.supergroup("Club", [alice], { botStatus: "administrator" });
    await call("getUpdates", { allowed_updates: ["message", "chat_member"] });
    const service = await carol.join(sg);
    assert.deepEqual(service?.new_chat_members, [carol.user]);
    const updates = (await call("getUpdates")).result;
    assert.deepEqual(updates.map((u: any) => Object.keys(u)[1]), [
      "message",
      "chat_member",
    ]);
    const cm = updates[1].chat_member;
    assert.equal(cm.old_chat_member.status, "left");
    assert.equal(cm.new_chat_member.status, "member");
    assert.equal(cm.new_chat_member.user.id, carol.id);
    assert.equal(
      (await call("getChatMemberCount", { chat_id: sg.id })).result,
      3,
    );
    await carol.leave(sg);
    assert.equal(
      (await call("getChatMember", { chat_id: sg.id, user_id: carol.id }))
        .result.status,
      "left",
    );
  } finally {
    await emu.close();
  }
});

Deno.test("sending to a chat the bot is not in answers 403, unknown chats 400", async () => {
  const { emu, call, alice } = await setup();
  try {
    const without = emu.group("No bot", [alice], { botStatus: "left" });
    const res = await call("sendMessage", { chat_id: without.id, text: "x" });
    assert.equal(res.status, 403);
    assert.equal(
      res.description,
      "Forbidden: bot is not a member of the group chat",
    );
    const sgNoBot = emu.supergroup("SG", [alice], { botStatus: "left" });
    assert.equal(
      (await call("sendMessage", { chat_id: sgNoBot.id, text: "x" }))
        .description,
      "Forbidden: bot is not a member of the supergroup chat",
    );
    assert.equal(
      (await call("getChat", { chat_id: -1 })).description,
      "Bad Request: chat not found",
    );
  } finally {
    await emu.close();
  }
});

Deno.test("channel(): the bot posts as the channel; @username addresses it", async () => {
  const { emu, call, alice } = await setup();
  try {
    const ch = emu.channel("News", { username: "newsroom", members: [alice] });
    const post = (await call("sendMessage", { chat_id: "@newsroom", text: "breaking" }))
      .result;
    assert.equal(post.from, undefined);
    assert.deepEqual(post.sender_chat, ch);
    assert.equal(post.chat.type, "channel");
    assert.equal((await alice.nextMessage({ chat: ch })).text, "breaking");
    const info = (await call("getChat", { chat_id: ch.id })).result;
    assert.equal(info.username, "newsroom");
    assert.equal(info.max_reaction_count, 11);
  } finally {
    await emu.close();
  }
});

Deno.test("getChatMember and getChatAdministrators report statuses and rights", async () => {
  const { emu, call, alice, bob, carol } = await setup();
  try {
    const g = emu.supergroup("Team", [alice, bob], {
      botStatus: "administrator",
    });
    assert.equal(
      (await call("getChatMember", { chat_id: g.id, user_id: alice.id })).result
        .status,
      "creator",
    );
    assert.equal(
      (await call("getChatMember", { chat_id: g.id, user_id: bob.id })).result
        .status,
      "member",
    );
    assert.equal(
      (await call("getChatMember", { chat_id: g.id, user_id: carol.id })).result
        .status,
      "left",
    );
    assert.equal(
      (await call("getChatMember", { chat_id: g.id, user_id: 424242 }))
        .description,
      "Bad Request: user not found",
    );
    const admins = (await call("getChatAdministrators", { chat_id: g.id })).result;
    assert.deepEqual(admins.map((a: any) => a.status).sort(), [
      "administrator",
      "creator",
    ]);
    assert.equal(
      admins.find((a: any) => a.status === "administrator").user.id,
      emu.bot.id,
    );
    assert.equal(
      (await call("getChatMember", { chat_id: alice.id, user_id: alice.id }))
        .result.status,
      "member",
    );
  } finally {
    await emu.close();
  }
});

Deno.test("banChatMember needs rights, removes the member and blocks rejoining", async () => {
  const { emu, call, alice, bob } = await setup();
  try {
    const plain = emu.supergroup("Plain", [alice, bob]);
    const noRight = await call("banChatMember", {
      chat_id: plain.id,
      user_id: bob.id,
    });
    assert.equal(
      noRight.description,
      "Bad Request: not enough rights to restrict/unrestrict chat member",
    );
    const g = emu.supergroup("Modded", [alice, bob], {
      botStatus: "administrator",
    });
    assert.equal(
      (await call("banChatMember", { chat_id: g.id, user_id: alice.id }))
        .description,
      "Bad Request: can't remove chat owner",
    );
    assert.equal(
      (await call("banChatMember", { chat_id: g.id, user_id: bob.id })).result,
      true,
    );
    const member = (await call("getChatMember", { chat_id: g.id, user_id: bob.id })).result;
    assert.deepEqual([member.status, member.until_date], ["kicked", 0]);
    await assert.rejects(bob.join(g), /banned/);
    await assert.rejects(bob.send("still here?", { chat: g }), /not a member/);
    await call("unbanChatMember", {
      chat_id: g.id,
      user_id: bob.id,
      only_if_banned: true,
    });
    await bob.join(g);
    assert.equal(
      (await call("getChatMember", { chat_id: g.id, user_id: bob.id })).result
        .status,
      "member",
    );
  } finally {
    await emu.close();
  }
});

Deno.test("restrictChatMember and promoteChatMember change the member's status", async () => {
  const { emu, call, alice, bob } = await setup();
  try {
    const g = emu.supergroup("Team", [alice, bob], {
      botStatus: "administrator",
    });
    await call("restrictChatMember", {
      chat_id: g.id,
      user_id: bob.id,
      permissions: { can_send_messages: false },
    });
    const restricted = (await call("getChatMember", { chat_id: g.id, user_id: bob.id })).result;
    assert.equal(restricted.status, "restricted");
    assert.equal(restricted.can_send_messages, false);
    await assert.rejects(bob.send("muted?", { chat: g }), /restricted/);
    const basic = emu.group("Basic", [alice, bob], {
      botStatus: "administrator",
    });
    assert.equal(
      (await call("restrictChatMember", {
        chat_id: basic.id,
        user_id: bob.id,
        permissions: {},
      }))
        .description,
      "Bad Request: method is available only for supergroups",
    );
    await call("promoteChatMember", {
      chat_id: g.id,
      user_id: bob.id,
      can_pin_messages: true,
    });
    const promoted = (await call("getChatMember", { chat_id: g.id, user_id: bob.id })).result;
    assert.equal(promoted.status, "administrator");
    assert.equal(promoted.can_pin_messages, true);
    assert.equal(promoted.can_be_edited, true);
    assert.equal(
      (await call("setChatAdministratorCustomTitle", {
        chat_id: g.id,
        user_id: bob.id,
        custom_title: "Boss",
      })).result,
      true,
    );
    assert.equal(
      (await call("getChatMember", { chat_id: g.id, user_id: bob.id })).result
        .custom_title,
      "Boss",
    );
  } finally {
    await emu.close();
  }
});

Deno.test("pins, titles, descriptions, permissions and invite links are kept", async () => {
  const { emu, call, alice } = await setup();
  try {
    const g = emu.supergroup("Team", [alice], { botStatus: "administrator" });
    const msg = await alice.send("pin me", { chat: g });
    assert.equal(
      (await call("pinChatMessage", {
        chat_id: g.id,
        message_id: msg.message_id,
      })).result,
      true,
    );
    assert.equal(
      (await call("getChat", { chat_id: g.id })).result.pinned_message.text,
      "pin me",
    );
    await call("unpinAllChatMessages", { chat_id: g.id });
    assert.equal(
      (await call("getChat", { chat_id: g.id })).result.pinned_message,
      undefined,
    );
    await call("setChatTitle", { chat_id: g.id, title: "Renamed" });
    await call("setChatDescription", {
      chat_id: g.id,
      description: "About us",
    });
    await call("setChatPermissions", {
      chat_id: g.id,
      permissions: { can_send_messages: true },
    });
    const info = (await call("getChat", { chat_id: g.id })).result;
    assert.deepEqual([
      info.title,
      info.description,
      info.permissions.can_send_messages,
      info.permissions.can_send_polls,
    ], ["Renamed", "About us", true, false]);
    assert.ok(emu.messages(g.id).some((m) => m.new_chat_title === "Renamed"));
    const link = (await call("createChatInviteLink", {
      chat_id: g.id,
      name: "friends",
      member_limit: 5,
    }))
      .result;
    assert.match(link.invite_link, /^https:\/\/t\.me\/\+/);
    assert.deepEqual([
      link.name,
      link.member_limit,
      link.is_revoked,
      link.creator.id,
    ], [
      "friends",
      5,
      false,
      emu.bot.id,
    ]);
    const revoked = (await call("revokeChatInviteLink", {
      chat_id: g.id,
      invite_link: link.invite_link,
    })).result;
    assert.equal(revoked.is_revoked, true);
    const primary = (await call("exportChatInviteLink", { chat_id: g.id })).result;
    assert.equal(
      (await call("getChat", { chat_id: g.id })).result.invite_link,
      primary,
    );
  } finally {
    await emu.close();
  }
});

Deno.test("forum topics can be created and posted to", async () => {
  const { emu, call, alice } = await setup();
  try {
    const f = emu.supergroup("Forum", [alice], {
      botStatus: "administrator",
      forum: true,
    });
    const topic = (await call("createForumTopic", { chat_id: f.id, name: "Bugs" })).result;
    const post = (await call("sendMessage", {
      chat_id: f.id,
      message_thread_id: topic.message_thread_id,
      text: "in topic",
    })).result;
    assert.equal(post.message_thread_id, topic.message_thread_id);
    assert.equal(post.is_topic_message, true);
    const missing = await call("sendMessage", {
      chat_id: f.id,
      message_thread_id: 9999,
      text: "x",
    });
    assert.equal(missing.description, "Bad Request: message thread not found");
    const notForum = emu.supergroup("Plain", [alice], {
      botStatus: "administrator",
    });
    assert.equal(
      (await call("createForumTopic", { chat_id: notForum.id, name: "x" }))
        .description,
      "Bad Request: the chat is not a forum",
    );
  } finally {
    await emu.close();
  }
});

Deno.test("leaveChat removes the bot and queues my_chat_member", async () => {
  const { emu, call, alice } = await setup();
  try {
    const g = emu.group("Bye", [alice]);
    assert.equal((await call("leaveChat", { chat_id: g.id })).result, true);
    const [update] = (await call("getUpdates")).result;
    assert.equal(update.my_chat_member.new_chat_member.status, "left");
    assert.equal(
      (await call("sendMessage", { chat_id: g.id, text: "x" })).status,
      403,
    );
  } finally {
    await emu.close();
  }
});

Deno.test("set/get/deleteMyCommands keep commands per scope and language", async () => {
  const { emu, call, alice } = await setup();
  try {
    const commands = [{ command: "start", description: "Start" }, {
      command: "help",
      description: "Help",
    }];
    assert.equal((await call("setMyCommands", { commands })).result, true);
    assert.deepEqual((await call("getMyCommands")).result, commands);
    const scope = { type: "chat", chat_id: alice.id };
    await call("setMyCommands", {
      commands: [commands[0]],
      scope,
      language_code: "de",
    });
    assert.deepEqual(
      (await call("getMyCommands", { scope, language_code: "de" })).result,
      [
        commands[0],
      ],
    );
    assert.deepEqual((await call("getMyCommands", { scope })).result, []);
    await call("deleteMyCommands");
    assert.deepEqual((await call("getMyCommands")).result, []);
    const bad = await call("setMyCommands", {
      commands: [{ command: "Bad Command", description: "x" }],
    });
    assert.equal(bad.description, "Bad Request: BOT_COMMAND_INVALID");
    await call("setMyName", { name: "Renamed Bot" });
    assert.deepEqual((await call("getMyName")).result, { name: "Renamed Bot" });
    assert.equal((await call("getMe")).result.first_name, "Renamed Bot");
    await call("setMyDescription", {
      description: "Does things",
      language_code: "en",
    });
    assert.deepEqual(
      (await call("getMyDescription", { language_code: "en" })).result,
      {
        description: "Does things",
      },
    );
    assert.deepEqual((await call("getMyShortDescription")).result, {
      short_description: "",
    });
  } finally {
    await emu.close();
  }
});

Deno.test("privacyMode: group messages reach the bot only when addressed to it", async () => {
  const { emu, call, alice } = await setup({
    privacyMode: true,
    botUsername: "helper_bot",
  });
  try {
    const g = emu.group("Quiet", [alice]);
    await alice.send("just chatting", { chat: g });
    await alice.send("/help@helper_bot", { chat: g });
    await alice.send("hey @helper_bot", { chat: g });
    await alice.send("/other@another_bot", { chat: g });
    const texts = (await call("getUpdates")).result.map((u: any) => u.message.text);
    assert.deepEqual(texts, ["/help@helper_bot", "hey @helper_bot"]);
    assert.equal(
      (await call("getMe")).result.can_read_all_group_messages,
      false,
    );
  } finally {
    await emu.close();
  }
});

Deno.test("migrate() upgrades a group: sends to the old id answer migrate_to_chat_id", async () => {
  const { emu, call, alice } = await setup();
  try {
    const g = emu.group("Growing", [alice]);
    const sg = emu.migrate(g);
    assert.equal(sg.type, "supergroup");
    const res = await call("sendMessage", { chat_id: g.id, text: "hello?" });
    assert.equal(res.status, 400);
    assert.deepEqual(
      { description: res.description, parameters: res.parameters },
      {
        description: "Bad Request: group chat was upgraded to a supergroup chat",
        parameters: { migrate_to_chat_id: sg.id },
      },
    );
    const updates = (await call("getUpdates")).result;
    assert.equal(updates[0].message.migrate_to_chat_id, sg.id);
    assert.equal(updates[1].message.migrate_from_chat_id, g.id);
    assert.equal(
      (await call("sendMessage", { chat_id: sg.id, text: "here" })).ok,
      true,
    );
    await alice.send("still here", { chat: sg });
  } finally {
    await emu.close();
  }
});

Deno.test("setBotStatus() and deactivate() produce Telegram's 403s", async () => {
  const { emu, call, alice, bob } = await setup();
  try {
    const g = emu.supergroup("Kickers", [alice]);
    emu.setBotStatus(g, "kicked");
    const kicked = await call("sendMessage", { chat_id: g.id, text: "x" });
    assert.deepEqual([kicked.status, kicked.description], [
      403,
      "Forbidden: bot was kicked from the supergroup chat",
    ]);
    const [update] = (await call("getUpdates")).result;
    assert.deepEqual(
      [
        update.my_chat_member.old_chat_member.status,
        update.my_chat_member.new_chat_member.status,
      ],
      ["member", "kicked"],
    );
    emu.setBotStatus(g, "administrator");
    assert.equal(
      (await call("getChatMember", { chat_id: g.id, user_id: emu.bot.id }))
        .result
        .can_delete_messages,
      true,
    );
    emu.deactivate(bob);
    const gone = await call("sendMessage", { chat_id: bob.id, text: "x" });
    assert.deepEqual([gone.status, gone.description], [
      403,
      "Forbidden: user is deactivated",
    ]);
  } finally {
    await emu.close();
  }
});

Deno.test("a user who blocked the bot unblocks it by writing again", async () => {
  const { emu, call, alice } = await setup();
  try {
    emu.block(alice);
    await alice.send("/start");
    const updates = (await call("getUpdates")).result;
    assert.deepEqual(
      updates.map((u: any) => u.my_chat_member?.new_chat_member.status ?? u.message.text),
      [
        "kicked",
        "member",
        "/start",
      ],
    );
    assert.equal(
      (await call("sendMessage", { chat_id: alice.id, text: "welcome back" }))
        .ok,
      true,
    );
  } finally {
    await emu.close();
  }
});

Deno.test("getChat does not see private groups the bot is not in", async () => {
  const { emu, call, alice } = await setup();
  try {
    const hidden = emu.group("Hidden", [alice], { botStatus: "left" });
    assert.equal(
      (await call("getChat", { chat_id: hidden.id })).description,
      "Bad Request: chat not found",
    );
    const open = emu.channel("Open", {
      username: "open_channel",
      botStatus: "left",
    });
    assert.equal(
      (await call("getChat", { chat_id: "@open_channel" })).result.id,
      open.id,
    );
  } finally {
    await emu.close();
  }
});
