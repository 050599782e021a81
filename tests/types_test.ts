// Type-level tests: they fail to compile when the Bot's typing drifts from @grammyjs/types'
// ApiMethods (a key without a Bot method, a required parameter neither positional nor in
// the options, a positional name that is no parameter). `deno test` type-checks this file.
import assert from "node:assert/strict";
import type { ApiMethods, Message } from "@grammyjs/types";
import {
  Bot,
  type CallbackQuery,
  type Glance,
  glance,
  InputFile,
  type InputFileLike,
  type LongGlance,
  type MethodName,
  type MethodParams,
  type Transformer,
} from "../mod.ts";
// Type machinery behind MethodOptions, not exported by mod.ts.
import type { Consumed, PositionalTable } from "../src/core/methods.ts";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
function assertType<T extends true>(_: T): void {}

type Api = ApiMethods<InputFileLike>;
type RequiredKeys<T> = {
  [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? never : K;
}[
  keyof T
];

// Every key of ApiMethods has a Bot method.
assertType<Equals<Exclude<keyof Api, keyof Bot>, never>>(true);
// No parameter @grammyjs/types requires is left out of the positional table, except
// transferGift's star_count, which Bot API 10.1 documents as optional (src/gen/spec.ts).
type LeftRequired = {
  [M in MethodName]: [RequiredKeys<Omit<MethodParams<M>, Consumed<PositionalTable[M]>>>] extends
    [never] ? never
    : `${M}.${
      & RequiredKeys<Omit<MethodParams<M>, Consumed<PositionalTable[M]>>>
      & string}`;
}[MethodName];
assertType<Equals<LeftRequired, "transferGift.star_count">>(true);
// Every positional name is a parameter of its method (or the message identifier).
type BadPositional = {
  [M in MethodName]: PositionalTable[M][number] extends "#" | keyof MethodParams<M> ? never : M;
}[MethodName];
assertType<Equals<BadPositional, never>>(true);

/** One entry per key of ApiMethods: a missing or an unknown key fails to compile. */
const EVERY_METHOD: Record<keyof Api, 1> = {
  getUpdates: 1,
  setWebhook: 1,
  deleteWebhook: 1,
  getWebhookInfo: 1,
  getMe: 1,
  logOut: 1,
  close: 1,
  sendMessage: 1,
  forwardMessage: 1,
  forwardMessages: 1,
  copyMessage: 1,
  copyMessages: 1,
  sendPhoto: 1,
  sendLivePhoto: 1,
  sendAudio: 1,
  sendDocument: 1,
  sendVideo: 1,
  sendAnimation: 1,
  sendVoice: 1,
  sendVideoNote: 1,
  sendPaidMedia: 1,
  sendMediaGroup: 1,
  sendLocation: 1,
  sendVenue: 1,
  sendContact: 1,
  sendPoll: 1,
  sendChecklist: 1,
  sendDice: 1,
  sendMessageDraft: 1,
  sendChatAction: 1,
  setMessageReaction: 1,
  getUserProfilePhotos: 1,
  getUserProfileAudios: 1,
  setUserEmojiStatus: 1,
  getFile: 1,
  banChatMember: 1,
  unbanChatMember: 1,
  restrictChatMember: 1,
  promoteChatMember: 1,
  setChatAdministratorCustomTitle: 1,
  setChatMemberTag: 1,
  banChatSenderChat: 1,
  unbanChatSenderChat: 1,
  setChatPermissions: 1,
  exportChatInviteLink: 1,
  createChatInviteLink: 1,
  editChatInviteLink: 1,
  createChatSubscriptionInviteLink: 1,
  editChatSubscriptionInviteLink: 1,
  revokeChatInviteLink: 1,
  approveChatJoinRequest: 1,
  declineChatJoinRequest: 1,
  answerChatJoinRequestQuery: 1,
  sendChatJoinRequestWebApp: 1,
  setChatPhoto: 1,
  deleteChatPhoto: 1,
  setChatTitle: 1,
  setChatDescription: 1,
  pinChatMessage: 1,
  unpinChatMessage: 1,
  unpinAllChatMessages: 1,
  leaveChat: 1,
  getChat: 1,
  getChatAdministrators: 1,
  getChatMemberCount: 1,
  getChatMember: 1,
  getUserPersonalChatMessages: 1,
  setChatStickerSet: 1,
  deleteChatStickerSet: 1,
  getForumTopicIconStickers: 1,
  createForumTopic: 1,
  editForumTopic: 1,
  closeForumTopic: 1,
  reopenForumTopic: 1,
  deleteForumTopic: 1,
  unpinAllForumTopicMessages: 1,
  editGeneralForumTopic: 1,
  closeGeneralForumTopic: 1,
  reopenGeneralForumTopic: 1,
  hideGeneralForumTopic: 1,
  unhideGeneralForumTopic: 1,
  unpinAllGeneralForumTopicMessages: 1,
  answerCallbackQuery: 1,
  answerGuestQuery: 1,
  getUserChatBoosts: 1,
  getBusinessConnection: 1,
  getManagedBotToken: 1,
  replaceManagedBotToken: 1,
  getManagedBotAccessSettings: 1,
  setManagedBotAccessSettings: 1,
  setMyCommands: 1,
  deleteMyCommands: 1,
  getMyCommands: 1,
  setMyName: 1,
  getMyName: 1,
  setMyDescription: 1,
  getMyDescription: 1,
  setMyShortDescription: 1,
  getMyShortDescription: 1,
  setMyProfilePhoto: 1,
  removeMyProfilePhoto: 1,
  setChatMenuButton: 1,
  getChatMenuButton: 1,
  setMyDefaultAdministratorRights: 1,
  getMyDefaultAdministratorRights: 1,
  getAvailableGifts: 1,
  sendGift: 1,
  giftPremiumSubscription: 1,
  verifyUser: 1,
  verifyChat: 1,
  removeUserVerification: 1,
  removeChatVerification: 1,
  readBusinessMessage: 1,
  deleteBusinessMessages: 1,
  setBusinessAccountName: 1,
  setBusinessAccountUsername: 1,
  setBusinessAccountBio: 1,
  setBusinessAccountProfilePhoto: 1,
  removeBusinessAccountProfilePhoto: 1,
  setBusinessAccountGiftSettings: 1,
  getBusinessAccountStarBalance: 1,
  transferBusinessAccountStars: 1,
  getBusinessAccountGifts: 1,
  getUserGifts: 1,
  getChatGifts: 1,
  convertGiftToStars: 1,
  upgradeGift: 1,
  transferGift: 1,
  postStory: 1,
  repostStory: 1,
  editStory: 1,
  deleteStory: 1,
  answerWebAppQuery: 1,
  savePreparedInlineMessage: 1,
  savePreparedKeyboardButton: 1,
  editMessageText: 1,
  editMessageCaption: 1,
  editMessageMedia: 1,
  editMessageLiveLocation: 1,
  stopMessageLiveLocation: 1,
  editMessageChecklist: 1,
  editMessageReplyMarkup: 1,
  stopPoll: 1,
  approveSuggestedPost: 1,
  declineSuggestedPost: 1,
  deleteMessage: 1,
  deleteMessages: 1,
  deleteMessageReaction: 1,
  deleteAllMessageReactions: 1,
  sendSticker: 1,
  getStickerSet: 1,
  getCustomEmojiStickers: 1,
  uploadStickerFile: 1,
  createNewStickerSet: 1,
  addStickerToSet: 1,
  setStickerPositionInSet: 1,
  deleteStickerFromSet: 1,
  replaceStickerInSet: 1,
  setStickerEmojiList: 1,
  setStickerKeywords: 1,
  setStickerMaskPosition: 1,
  setStickerSetTitle: 1,
  setStickerSetThumbnail: 1,
  setCustomEmojiStickerSetThumbnail: 1,
  deleteStickerSet: 1,
  sendRichMessage: 1,
  sendRichMessageDraft: 1,
  answerInlineQuery: 1,
  sendInvoice: 1,
  createInvoiceLink: 1,
  answerShippingQuery: 1,
  answerPreCheckoutQuery: 1,
  getMyStarBalance: 1,
  getStarTransactions: 1,
  refundStarPayment: 1,
  editUserStarSubscription: 1,
  setPassportDataErrors: 1,
  sendGame: 1,
  setGameScore: 1,
  getGameHighScores: 1,
  deleteEphemeralMessage: 1,
  editEphemeralMessageText: 1,
  editEphemeralMessageMedia: 1,
  editEphemeralMessageCaption: 1,
  editEphemeralMessageReplyMarkup: 1,
  kickChatMember: 1,
  getChatMembersCount: 1,
};

Deno.test("Bot has a method for every key of ApiMethods (@grammyjs/types 5.0.0)", () => {
  const names = Object.keys(EVERY_METHOD);
  assert.equal(names.length, 187);
  const proto = Bot.prototype as unknown as Record<string, unknown>;
  for (const name of names) assert.equal(typeof proto[name], "function", name);
});

// Signatures, checked by the compiler (never run).
async function _signatures(bot: Bot, msg: Message, cq: CallbackQuery) {
  const sent = await bot.sendMessage(1, "hi", {
    parse_mode: "HTML",
    signal: AbortSignal.abort(),
  });
  assertType<Equals<typeof sent, Message.TextMessage>>(true);
  // @ts-expect-error text is required
  await bot.sendMessage(1);
  // @ts-expect-error not a sendMessage parameter
  await bot.sendMessage(1, "hi", { bogus: true });
  // @ts-expect-error chat_id is positional, not an option
  await bot.sendMessage(1, "hi", { chat_id: 2 });

  await bot.editMessageText([1, 2], "edited", { parse_mode: "HTML" });
  await bot.editMessageText("inline-id", "edited");
  await bot.editMessageText("inline-id", undefined, {
    rich_message: { html: "<b>x</b>" },
  });
  // @ts-expect-error a chat id alone is no message identifier
  await bot.editMessageText(1, "edited");
  // @ts-expect-error the message identifier replaces chat_id/message_id/inline_message_id
  await bot.editMessageText([1, 2], "edited", { inline_message_id: "x" });
  const score = await bot.setGameScore([1, 2], 3, 100, { force: true });
  assertType<Equals<typeof score, ReturnType<Api["setGameScore"]>>>(true);

  for (
    const file of [
      new InputFile(new Uint8Array(1)),
      InputFile.fromPath("./a.png"),
      new Uint8Array(1),
      new ArrayBuffer(1),
      new Blob([]),
      new File([], "a.png"),
      new Blob([]).stream(),
      new URL("https://example.com/a.png"),
      "file_id_or_url",
    ]
  ) {
    await bot.sendPhoto(1, file, { caption: "c" });
    await bot.sendMediaGroup(1, [{ type: "photo", media: file }, {
      type: "photo",
      media: file,
    }]);
  }
  // @ts-expect-error a number is no file
  await bot.sendPhoto(1, 5);

  const viaCall = await bot.call("sendMessage", { chat_id: 1, text: "x" }, {
    signal: undefined,
  });
  assertType<Equals<typeof viaCall, Message.TextMessage>>(true);
  // @ts-expect-error unknown method
  await bot.call("sendTelegram", {});

  const bytes = await bot.downloadFile("file-id");
  assertType<Equals<typeof bytes, Uint8Array>>(true);
  const none = await bot.downloadFile("file-id", "./a.png");
  assertType<Equals<typeof none, void>>(true);
  await bot.downloadFile("file-id", new WritableStream<Uint8Array>());

  assertType<Equals<ReturnType<typeof glance<"chat", false>>, Glance>>(true);
  const long = glance(msg, { long: true });
  assertType<Equals<typeof long, LongGlance>>(true);
  const query = glance(cq, { flavor: "callback_query" });
  assertType<
    Equals<typeof query, [id: string, fromId: number, data: string | undefined]>
  >(true);

  const log: Transformer = (next, method, params, options) => next(method, params, options);
  bot.use(log);
  await bot.getUpdates({ timeout: 30, allowed_updates: ["message"] });
  await bot.messageLoop((m, update) => void [m, update.update_id], {
    timeout: 10,
  });
}
void _signatures;

class EchoBot extends Bot {
  override async handle(
    msg: { chat: { id: number }; text?: string },
  ): Promise<void> {
    if (msg.text) await this.sendMessage(msg.chat.id, msg.text);
  }
}

Deno.test("a Bot subclass overrides handle() and keeps every method", () => {
  const bot = new EchoBot("1:x");
  assert.equal(typeof bot.sendMessage, "function");
  assert.equal(typeof bot.handle, "function");
  assert.notEqual(bot.handle, Bot.prototype.handle);
});
