import assert from "node:assert/strict";
import * as delegate from "../../delegate.ts";
import {
  chain,
  perApplication,
  perCallbackQueryChatId,
  perCallbackQueryOrigin,
  perChatId,
  perChatIdExcept,
  perChatIdIn,
  perFromId,
  perFromIdExcept,
  perFromIdIn,
  perInlineFromId,
  perInlineFromIdExcept,
  perInlineFromIdIn,
  perMessage,
} from "../../delegate.ts";
import { kindOf } from "../../helper.ts";
import { payloadOf, rememberKind, routeName } from "../../src/updates/kind.ts";

const privateMsg = {
  message_id: 1,
  date: 0,
  chat: { id: 10, type: "private" },
  from: { id: 10, is_bot: false, first_name: "A" },
  text: "hi",
};
const groupMsg = { ...privateMsg, chat: { id: -5, type: "group" } };
const inlineQuery = { id: "q1", from: { id: 10 }, query: "cats", offset: "" };
const chosen = { result_id: "r", from: { id: 10 }, query: "cats" };
const chatButton = {
  id: "c1",
  from: { id: 10 },
  chat_instance: "ci",
  data: "x",
  message: { message_id: 7, date: 0, chat: { id: 10, type: "private" } },
};
const inlineButton = {
  id: "c2",
  from: { id: 10 },
  chat_instance: "ci",
  inline_message_id: "IM",
};

Deno.test("perChatId() seeds by chat id, optionally by chat type; no chat, no seed", () => {
  assert.equal(perChatId()(privateMsg), 10);
  assert.equal(perChatId()(groupMsg), -5);
  assert.equal(perChatId(["group"])(privateMsg), null);
  assert.equal(perChatId(["group", "supergroup"])(groupMsg), -5);
  assert.equal(perChatId()(inlineQuery), null);
  assert.equal(perChatId()(chatButton), null);
  assert.equal(perChatId()(undefined), null);
});

Deno.test("perChatIdIn() and perChatIdExcept() filter by a set of chats", () => {
  assert.equal(perChatIdIn([10])(privateMsg), 10);
  assert.equal(perChatIdIn(new Set([1]))(privateMsg), null);
  assert.equal(perChatIdIn([10], ["group"])(privateMsg), null);
  assert.equal(perChatIdExcept([10])(privateMsg), null);
  assert.equal(perChatIdExcept([1])(privateMsg), 10);
  assert.equal(perChatIdExcept([1])(inlineQuery), null);
});

Deno.test("perFromId() and friends seed by sender, optionally by kind", () => {
  assert.equal(perFromId()(groupMsg), 10);
  assert.equal(perFromId()(chatButton), 10);
  assert.equal(perFromId(["callback_query"])(groupMsg), null);
  assert.equal(perFromId(["callback_query"])(chatButton), 10);
  assert.equal(perFromIdIn([10])(inlineQuery), 10);
  assert.equal(perFromIdIn([11])(inlineQuery), null);
  assert.equal(perFromIdExcept([10])(inlineQuery), null);
  assert.equal(perFromId()({ chat: { id: 1 } }), null);
});

Deno.test("perInlineFromId() seeds only inline queries and chosen results", () => {
  assert.equal(perInlineFromId()(inlineQuery), 10);
  assert.equal(perInlineFromId()(chosen), 10);
  assert.equal(perInlineFromId()(privateMsg), null);
  assert.equal(perInlineFromId()(chatButton), null);
  assert.equal(perInlineFromIdIn([10])(inlineQuery), 10);
  assert.equal(perInlineFromIdExcept([10])(inlineQuery), null);
});

Deno.test("perCallbackQueryChatId() seeds a button press by its message's chat", () => {
  assert.equal(perCallbackQueryChatId()(chatButton), 10);
  assert.equal(perCallbackQueryChatId(["group"])(chatButton), null);
  assert.equal(perCallbackQueryChatId()(inlineButton), null);
  assert.equal(perCallbackQueryChatId()(privateMsg), null);
});

Deno.test("perCallbackQueryOrigin() seeds by origin tuple", () => {
  assert.deepEqual(perCallbackQueryOrigin()(chatButton), [10, 7]);
  assert.deepEqual(perCallbackQueryOrigin()(inlineButton), ["IM"]);
  assert.equal(perCallbackQueryOrigin(["chat"])(inlineButton), null);
  assert.equal(perCallbackQueryOrigin(["inline"])(chatButton), null);
  assert.equal(perCallbackQueryOrigin()(privateMsg), null);
});

Deno.test("perApplication() gives one seed; perMessage() a fresh object each time", () => {
  assert.equal(perApplication()(privateMsg), 1);
  const a = perMessage()(privateMsg);
  const b = perMessage()(privateMsg);
  assert.deepEqual(a, {});
  assert.notEqual(a, b);
  assert.equal(perMessage(["inline_query"])(privateMsg), null);
  assert.deepEqual(perMessage(["inline_query"])(inlineQuery), {});
});

Deno.test("chain() returns the first seed that is not null", () => {
  const seed = chain(perChatId(), perCallbackQueryChatId());
  assert.equal(seed(privateMsg), 10);
  assert.equal(seed(chatButton), 10);
  assert.equal(seed(inlineQuery), null);
});

Deno.test("kindOf() knows remembered kinds and infers the rest from fields", () => {
  assert.equal(kindOf(privateMsg), "message");
  assert.equal(kindOf({ ...privateMsg, edit_date: 1 }), "edited_message");
  assert.equal(
    kindOf({ ...privateMsg, chat: { id: -100, type: "channel" } }),
    "channel_post",
  );
  assert.equal(kindOf(chatButton), "callback_query");
  assert.equal(kindOf(inlineQuery), "inline_query");
  assert.equal(kindOf(chosen), "chosen_inline_result");
  assert.equal(
    kindOf({ id: "s", from: {}, invoice_payload: "p", shipping_address: {} }),
    "shipping_query",
  );
  assert.equal(kindOf({ poll_id: "p", option_ids: [] }), "poll_answer");
  assert.equal(kindOf({ strange: true }), undefined);
  assert.equal(kindOf(5), undefined);
  const odd = { strange: true };
  rememberKind(odd, "future_kind");
  assert.equal(kindOf(odd), "future_kind");
});

Deno.test("payloadOf() picks the one payload of any update kind; routeName() names handlers", () => {
  assert.deepEqual(payloadOf({ update_id: 1, message: privateMsg }), [
    "message",
    privateMsg,
  ]);
  assert.deepEqual(payloadOf({ update_id: 2, zzz_new: { a: 1 } }), ["zzz_new", {
    a: 1,
  }]);
  const bare = { update_id: 3 };
  assert.deepEqual(payloadOf(bare), ["unknown", bare]);
  assert.equal(routeName("message"), "onChatMessage");
  assert.equal(routeName("channel_post"), "onChatMessage");
  assert.equal(routeName("edited_business_message"), "onEditedChatMessage");
  assert.equal(routeName("callback_query"), "onCallbackQuery");
  assert.equal(routeName("chosen_inline_result"), "onChosenInlineResult");
});

Deno.test("delegate.ts exports telepot's names", () => {
  for (
    const name of [
      "perChatId",
      "perChatIdIn",
      "perChatIdExcept",
      "call",
      "createRun",
      "createOpen",
      "perFromId",
      "perInlineFromId",
      "perCallbackQueryChatId",
      "perCallbackQueryOrigin",
    ]
  ) {
    assert.equal(
      typeof (delegate as Record<string, unknown>)[name],
      "function",
      name,
    );
  }
});
