// deno-lint-ignore-file no-explicit-any
// Messages after they are sent: forward/copy, edits, deletes, chat actions, callback and
// inline queries, parse modes and replies.
import assert from "node:assert/strict";
import { reachEmulator } from "../_harness.ts";

async function setup() {
  const rig = await reachEmulator();
  const call = async (method: string, params: Record<string, unknown> = {}) => {
    const { status, body } = await rig.post(method, params);
    return { status, ...body };
  };
  return Object.assign(rig, { call, alice: rig.emu.user("Alice"), bob: rig.emu.user("Bob") });
}

Deno.test("forwardMessage adds forward_origin; copyMessage copies without it", async () => {
  const { emu, call, alice, bob } = await setup();
  try {
    const original = await alice.send("share me");
    const fwd = await call("forwardMessage", {
      chat_id: bob.id,
      from_chat_id: alice.id,
      message_id: original.message_id,
    });
    assert.equal(fwd.result.text, "share me");
    assert.deepEqual(fwd.result.forward_origin, {
      type: "user",
      date: original.date,
      sender_user: alice.user,
    });
    assert.equal(fwd.result.chat.id, bob.id);
    const copy = await call("copyMessage", {
      chat_id: bob.id,
      from_chat_id: alice.id,
      message_id: original.message_id,
    });
    assert.deepEqual(Object.keys(copy.result), ["message_id"]);
    const copied = emu.message(bob.id, copy.result.message_id)!;
    assert.equal(copied.text, "share me");
    assert.equal(copied.forward_origin, undefined);
    const missing = await call("forwardMessage", {
      chat_id: bob.id,
      from_chat_id: alice.id,
      message_id: 99,
    });
    assert.equal(
      missing.description,
      "Bad Request: message to forward not found",
    );
    const many = await call("forwardMessages", {
      chat_id: bob.id,
      from_chat_id: alice.id,
      message_ids: [99, original.message_id],
    });
    assert.equal(many.result.length, 1);
    const copies = await call("copyMessages", {
      chat_id: bob.id,
      from_chat_id: alice.id,
      message_ids: [original.message_id],
    });
    assert.equal(copies.result.length, 1);
    assert.deepEqual(bob.received().map((m) => m.text), [
      "share me",
      "share me",
      "share me",
      "share me",
    ]);
  } finally {
    await emu.close();
  }
});

Deno.test("editMessageText edits the bot's message and refuses no-op and foreign edits", async () => {
  const { emu, call, alice } = await setup();
  try {
    const sent = (await call("sendMessage", { chat_id: alice.id, text: "draft" })).result;
    const edited = await call("editMessageText", {
      chat_id: alice.id,
      message_id: sent.message_id,
      text: "*final*",
      parse_mode: "MarkdownV2",
    });
    assert.equal(edited.result.text, "final");
    assert.deepEqual(edited.result.entities, [{
      type: "bold",
      offset: 0,
      length: 5,
    }]);
    assert.equal(typeof edited.result.edit_date, "number");
    assert.equal(alice.received()[0].text, "final");
    const same = await call("editMessageText", {
      chat_id: alice.id,
      message_id: sent.message_id,
      text: "*final*",
      parse_mode: "MarkdownV2",
    });
    assert.match(same.description, /^Bad Request: message is not modified/);
    const theirs = await alice.send("mine");
    const foreign = await call("editMessageText", {
      chat_id: alice.id,
      message_id: theirs.message_id,
      text: "x",
    });
    assert.equal(foreign.description, "Bad Request: message can't be edited");
    const gone = await call("editMessageText", {
      chat_id: alice.id,
      message_id: 999,
      text: "x",
    });
    assert.equal(gone.description, "Bad Request: message to edit not found");
  } finally {
    await emu.close();
  }
});

Deno.test("editMessageReplyMarkup and editMessageCaption change what they should", async () => {
  const { emu, call, alice } = await setup();
  try {
    const kb = { inline_keyboard: [[{ text: "A", callback_data: "a" }]] };
    const sent = (await call("sendMessage", {
      chat_id: alice.id,
      text: "pick",
      reply_markup: kb,
    })).result;
    const cleared = await call("editMessageReplyMarkup", {
      chat_id: alice.id,
      message_id: sent.message_id,
    });
    assert.equal(cleared.result.reply_markup, undefined);
    const noCaption = await call("editMessageCaption", {
      chat_id: alice.id,
      message_id: sent.message_id,
      caption: "c",
    });
    assert.equal(
      noCaption.description,
      "Bad Request: there is no caption in the message to edit",
    );
    const loc = (await call("sendLocation", {
      chat_id: alice.id,
      latitude: 1,
      longitude: 2,
      live_period: 60,
    })).result;
    const moved = await call("editMessageLiveLocation", {
      chat_id: alice.id,
      message_id: loc.message_id,
      latitude: 3,
      longitude: 4,
    });
    assert.deepEqual([
      moved.result.location.latitude,
      moved.result.location.longitude,
    ], [3, 4]);
    const stopped = await call("stopMessageLiveLocation", {
      chat_id: alice.id,
      message_id: loc.message_id,
    });
    assert.equal(stopped.result.location.live_period, undefined);
  } finally {
    await emu.close();
  }
});

Deno.test("deleteMessage removes a message; deleting it again is an error", async () => {
  const { emu, call, alice } = await setup();
  try {
    const sent = (await call("sendMessage", { chat_id: alice.id, text: "oops" })).result;
    assert.equal(
      (await call("deleteMessage", {
        chat_id: alice.id,
        message_id: sent.message_id,
      })).result,
      true,
    );
    assert.equal(emu.message(alice.id, sent.message_id), undefined);
    assert.deepEqual(alice.received(), []);
    const again = await call("deleteMessage", {
      chat_id: alice.id,
      message_id: sent.message_id,
    });
    assert.equal(again.description, "Bad Request: message to delete not found");
    const a = (await call("sendMessage", { chat_id: alice.id, text: "a" })).result;
    const b = (await call("sendMessage", { chat_id: alice.id, text: "b" })).result;
    assert.equal(
      (await call("deleteMessages", {
        chat_id: alice.id,
        message_ids: [a.message_id, b.message_id, 77],
      })).result,
      true,
    );
    assert.deepEqual(emu.messages(alice.id), []);
  } finally {
    await emu.close();
  }
});

Deno.test("sendChatAction records actions and rejects unknown ones", async () => {
  const { emu, call, alice } = await setup();
  try {
    assert.equal(
      (await call("sendChatAction", { chat_id: alice.id, action: "typing" }))
        .result,
      true,
    );
    assert.deepEqual(emu.chatActions(alice.id), ["typing"]);
    const bad = await call("sendChatAction", {
      chat_id: alice.id,
      action: "dancing",
    });
    assert.equal(
      bad.description,
      "Bad Request: wrong parameter action in request",
    );
  } finally {
    await emu.close();
  }
});

Deno.test("pressButton() queues a callback_query that answerCallbackQuery answers once", async () => {
  const { emu, call, alice } = await setup();
  try {
    const sent = (await call("sendMessage", {
      chat_id: alice.id,
      text: "vote",
      reply_markup: {
        inline_keyboard: [[{ text: "Yes", callback_data: "yes" }, {
          text: "No",
          callback_data: "no",
        }]],
      },
    })).result;
    const query = await alice.pressButton(sent, "no");
    const [update] = (await call("getUpdates")).result;
    assert.equal(update.callback_query.id, query.id);
    assert.equal(update.callback_query.data, "no");
    assert.equal(update.callback_query.message.message_id, sent.message_id);
    assert.equal(update.callback_query.from.id, alice.id);
    assert.equal(typeof update.callback_query.chat_instance, "string");
    assert.equal(
      (await call("answerCallbackQuery", {
        callback_query_id: query.id,
        text: "noted",
      })).result,
      true,
    );
    assert.deepEqual(emu.callbackAnswer(query.id), { text: "noted" });
    const twice = await call("answerCallbackQuery", {
      callback_query_id: query.id,
    });
    assert.equal(
      twice.description,
      "Bad Request: query is too old and response timeout expired or query ID is invalid",
    );
    await assert.rejects(alice.pressButton(sent, "maybe"), /no inline button/);
  } finally {
    await emu.close();
  }
});

Deno.test("inlineQuery() queues an inline_query that answerInlineQuery answers", async () => {
  const { emu, call, alice } = await setup();
  try {
    const q = await alice.inlineQuery("cats", { offset: "" });
    const [update] = (await call("getUpdates")).result;
    assert.deepEqual(update.inline_query, {
      id: q.id,
      from: alice.user,
      query: "cats",
      offset: "",
      chat_type: "sender",
    });
    const results = [{
      type: "article",
      id: "1",
      title: "Cat",
      input_message_content: { message_text: "meow" },
    }];
    assert.equal(
      (await call("answerInlineQuery", {
        inline_query_id: q.id,
        results,
        cache_time: 0,
      })).result,
      true,
    );
    assert.deepEqual(emu.inlineAnswer(q.id), { results, cache_time: 0 });
    const q2 = await alice.inlineQuery("dogs");
    const dup = await call("answerInlineQuery", {
      inline_query_id: q2.id,
      results: [...results, ...results],
    });
    assert.equal(dup.description, "Bad Request: RESULT_ID_DUPLICATE");
  } finally {
    await emu.close();
  }
});

Deno.test("parse modes turn markup into entities and report Telegram's parse errors", async () => {
  const { emu, call, alice } = await setup();
  try {
    const html = await call("sendMessage", {
      chat_id: alice.id,
      text: '<b>bold <i>both</i></b> <a href="https://t.me">link</a> <code>x</code> &lt;3',
      parse_mode: "HTML",
    });
    assert.equal(html.result.text, "bold both link x <3");
    assert.deepEqual(html.result.entities, [
      { type: "bold", offset: 0, length: 9 },
      { type: "italic", offset: 5, length: 4 },
      { type: "text_link", offset: 10, length: 4, url: "https://t.me" },
      { type: "code", offset: 15, length: 1 },
    ]);
    const unclosed = await call("sendMessage", {
      chat_id: alice.id,
      text: "<b>oops",
      parse_mode: "HTML",
    });
    assert.equal(
      unclosed.description,
      "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    );
    const unknown = await call("sendMessage", {
      chat_id: alice.id,
      text: "<blink>x</blink>",
      parse_mode: "HTML",
    });
    assert.equal(
      unknown.description,
      'Bad Request: can\'t parse entities: Unsupported start tag "blink" at byte offset 0',
    );
    const v2 = await call("sendMessage", {
      chat_id: alice.id,
      text: "Hello.",
      parse_mode: "MarkdownV2",
    });
    assert.equal(
      v2.description,
      "Bad Request: can't parse entities: Character '.' is reserved and must be escaped with the preceding '\\'",
    );
    const ok = await call("sendMessage", {
      chat_id: alice.id,
      text: "_it_ ~s~ ||sp|| `c` Hello\\.",
      parse_mode: "MarkdownV2",
    });
    assert.equal(ok.result.text, "it s sp c Hello.");
    assert.deepEqual(ok.result.entities.map((e: any) => e.type), [
      "italic",
      "strikethrough",
      "spoiler",
      "code",
    ]);
    const legacy = await call("sendMessage", {
      chat_id: alice.id,
      text: "*b* _i_ [t](https://x.y)",
      parse_mode: "Markdown",
    });
    assert.deepEqual(legacy.result.entities.map((e: any) => e.type), [
      "bold",
      "italic",
      "text_link",
    ]);
    const bad = await call("sendMessage", {
      chat_id: alice.id,
      text: "x",
      parse_mode: "BBCode",
    });
    assert.equal(bad.description, "Bad Request: unsupported parse_mode");
  } finally {
    await emu.close();
  }
});

Deno.test("reply_parameters nests reply_to_message and checks the target", async () => {
  const { emu, call, alice } = await setup();
  try {
    const asked = await alice.send("question?");
    const reply = await call("sendMessage", {
      chat_id: alice.id,
      text: "answer",
      reply_parameters: { message_id: asked.message_id },
    });
    assert.equal(reply.result.reply_to_message.text, "question?");
    const missing = await call("sendMessage", {
      chat_id: alice.id,
      text: "x",
      reply_parameters: { message_id: 999 },
    });
    assert.equal(
      missing.description,
      "Bad Request: message to be replied not found",
    );
    const lenient = await call("sendMessage", {
      chat_id: alice.id,
      text: "x",
      reply_parameters: { message_id: 999, allow_sending_without_reply: true },
    });
    assert.equal(lenient.ok, true);
    const userReply = await alice.send("thanks", { replyTo: reply.result });
    assert.equal(
      userReply.reply_to_message?.message_id,
      reply.result.message_id,
    );
  } finally {
    await emu.close();
  }
});

Deno.test("EmulatedUser.edit() queues an edited_message update", async () => {
  const { emu, call, alice } = await setup();
  try {
    const msg = await alice.send("tpyo");
    await alice.edit(msg, "typo");
    const updates = (await call("getUpdates")).result;
    assert.equal(updates[1].edited_message.text, "typo");
    assert.equal(typeof updates[1].edited_message.edit_date, "number");
    assert.equal(updates[1].edited_message.message_id, msg.message_id);
  } finally {
    await emu.close();
  }
});

Deno.test("sendPoll, stopPoll, sendDice, sendContact and sendInvoice produce their contents", async () => {
  const { emu, call, alice } = await setup();
  try {
    const poll = (await call("sendPoll", {
      chat_id: alice.id,
      question: "Tea?",
      options: [{ text: "yes" }, { text: "no" }],
      type: "quiz",
      correct_option_ids: [0],
    })).result;
    assert.deepEqual(poll.poll.options.map((o: any) => o.text), ["yes", "no"]);
    assert.deepEqual(poll.poll.correct_option_ids, [0]);
    const stopped = await call("stopPoll", {
      chat_id: alice.id,
      message_id: poll.message_id,
    });
    assert.equal(stopped.result.is_closed, true);
    assert.equal(
      (await call("stopPoll", {
        chat_id: alice.id,
        message_id: poll.message_id,
      })).description,
      "Bad Request: poll has already been closed",
    );
    const dice = (await call("sendDice", { chat_id: alice.id, emoji: "🎯" })).result.dice;
    assert.ok(dice.value >= 1 && dice.value <= 6);
    const contact = (await call("sendContact", {
      chat_id: alice.id,
      phone_number: "+100",
      first_name: "Z",
    }))
      .result.contact;
    assert.deepEqual(contact, { phone_number: "+100", first_name: "Z" });
  } finally {
    await emu.close();
  }
});

Deno.test("chooseInlineResult() queues chosen_inline_result and makes an editable inline message", async () => {
  const { emu, call, alice, bob } = await setup();
  try {
    const q = await alice.inlineQuery("greet");
    const kb = { inline_keyboard: [[{ text: "Like", callback_data: "like" }]] };
    await call("answerInlineQuery", {
      inline_query_id: q.id,
      results: [{
        type: "article",
        id: "hi",
        title: "Hi",
        input_message_content: {
          message_text: "<b>Hi</b>",
          parse_mode: "HTML",
        },
        reply_markup: kb,
      }],
    });
    const group = emu.group("G", [alice, bob]);
    const chosen = await alice.chooseInlineResult(q, "hi", { chat: group });
    assert.equal(typeof chosen.inline_message_id, "string");
    const updates = (await call("getUpdates")).result;
    const kinds = updates.map((u: any) => Object.keys(u)[1]);
    assert.deepEqual(kinds, [
      "inline_query",
      "message",
      "chosen_inline_result",
    ]);
    assert.equal(updates[1].message.via_bot.id, emu.bot.id);
    assert.equal(updates[1].message.text, "Hi");
    const edited = await call("editMessageText", {
      inline_message_id: chosen.inline_message_id,
      text: "Hello!",
    });
    assert.equal(edited.result, true);
    const press = await bob.pressButton(chosen.inline_message_id!, "like");
    assert.equal(press.inline_message_id, chosen.inline_message_id);
    assert.equal(
      (await call("editMessageText", { inline_message_id: "nope", text: "x" }))
        .description,
      "Bad Request: MESSAGE_ID_INVALID",
    );
  } finally {
    await emu.close();
  }
});

Deno.test("pay() runs pre-checkout and posts successful_payment; refunds update the balance", async () => {
  const { emu, call, alice } = await setup();
  try {
    const invoice = (await call("sendInvoice", {
      chat_id: alice.id,
      title: "Coffee",
      description: "A cup",
      payload: "order-1",
      currency: "XTR",
      prices: [{ label: "cup", amount: 50 }],
    })).result;
    assert.deepEqual(invoice.invoice, {
      title: "Coffee",
      description: "A cup",
      start_parameter: "",
      currency: "XTR",
      total_amount: 50,
    });
    const paying = alice.pay(invoice, { timeout: 3000 });
    let query: any;
    while (!query) {
      const updates = (await call("getUpdates", { timeout: 1 })).result;
      query = updates.find((u: any) => u.pre_checkout_query)
        ?.pre_checkout_query;
      if (updates.length) {
        await call("getUpdates", { offset: updates.at(-1).update_id + 1 });
      }
    }
    assert.deepEqual([
      query.currency,
      query.total_amount,
      query.invoice_payload,
    ], [
      "XTR",
      50,
      "order-1",
    ]);
    assert.equal(
      (await call("answerPreCheckoutQuery", {
        pre_checkout_query_id: query.id,
        ok: true,
      })).result,
      true,
    );
    const paid = await paying;
    const payment = paid.successful_payment!;
    assert.equal(payment.total_amount, 50);
    assert.deepEqual((await call("getMyStarBalance")).result, { amount: 50 });
    assert.equal(
      (await call("getStarTransactions")).result.transactions.length,
      1,
    );
    assert.equal(
      (await call("refundStarPayment", {
        user_id: alice.id,
        telegram_payment_charge_id: payment.telegram_payment_charge_id,
      })).result,
      true,
    );
    assert.deepEqual((await call("getMyStarBalance")).result, { amount: 0 });
    const again = await call("refundStarPayment", {
      user_id: alice.id,
      telegram_payment_charge_id: payment.telegram_payment_charge_id,
    });
    assert.equal(again.description, "Bad Request: CHARGE_ALREADY_REFUNDED");

    const declined = alice.pay(invoice, { timeout: 3000 });
    let q2: any;
    while (!q2) {
      const updates = (await call("getUpdates", { timeout: 1 })).result;
      q2 = updates.find((u: any) => u.pre_checkout_query)?.pre_checkout_query;
      if (updates.length) {
        await call("getUpdates", { offset: updates.at(-1).update_id + 1 });
      }
    }
    await call("answerPreCheckoutQuery", {
      pre_checkout_query_id: q2.id,
      ok: false,
      error_message: "sold out",
    });
    await assert.rejects(declined, /sold out/);
  } finally {
    await emu.close();
  }
});
