/**
 * The remaining methods: getFile, users' profile data, payments, and the features the
 * emulator answers with a fixed documented result or declines plainly.
 * @module
 */

import { badRequest, notModelled } from "../api_error.ts";
import { MAX_DOWNLOAD } from "../files.ts";
import { type Handler, str } from "./context.ts";
import { fileFields } from "./compose.ts";

const getFile: Handler = (ctx) => {
  const rec = ctx.world.files.get(str(ctx.p.file_id) ?? "");
  if (!rec) throw badRequest("invalid file_id");
  if (rec.bytes.length > MAX_DOWNLOAD) throw badRequest("file is too big");
  return { ...fileFields(rec), file_path: rec.file_path };
};

function knownUser(handler: (userId: number) => unknown): Handler {
  return (ctx) => handler(ctx.world.userOf(ctx.p.user_id).user.id);
}

/** Fixed answers: the emulator models none of these collections, so they are empty. */
const ANSWERS: Record<string, Handler> = {
  getUserProfilePhotos: knownUser(() => ({ total_count: 0, photos: [] })),
  getUserProfileAudios: knownUser(() => ({ total_count: 0, audios: [] })),
  getUserPersonalChatMessages: knownUser(() => []),
  getUserChatBoosts: (ctx) => {
    const chat = ctx.world.chatOf(ctx.p.chat_id);
    if (chat.chat.type !== "channel" && chat.chat.type !== "supergroup") {
      throw badRequest("method is available for supergroup and channel chats only");
    }
    ctx.world.userOf(ctx.p.user_id);
    return { boosts: [] };
  },
  getForumTopicIconStickers: () => [],
  getAvailableGifts: () => ({ gifts: [] }),
  getUserGifts: knownUser(() => ({ total_count: 0, gifts: [] })),
  getChatGifts: (ctx) => {
    ctx.world.chatOf(ctx.p.chat_id);
    return { total_count: 0, gifts: [] };
  },
};

function unsupported(name: string, why: string): Handler {
  return () => {
    throw notModelled(name, why);
  };
}

const BUSINESS = "business connections are not emulated";
const NO_QUERIES = "the emulated users never send such queries";

/** Methods the emulator validates and then declines with a plain 400. */
export const UNSUPPORTED: Record<string, string> = {
  sendPaidMedia: "paid media is not emulated",
  sendChecklist: BUSINESS,
  editMessageChecklist: BUSINESS,
  sendRichMessage: "rich messages are not emulated",
  sendRichMessageDraft: "rich messages are not emulated",
  setUserEmojiStatus: "users never grant emoji status access in the emulator",
  answerChatJoinRequestQuery: NO_QUERIES,
  sendChatJoinRequestWebApp: NO_QUERIES,
  answerGuestQuery: NO_QUERIES,
  answerWebAppQuery: NO_QUERIES,
  getBusinessConnection: BUSINESS,
  readBusinessMessage: BUSINESS,
  deleteBusinessMessages: BUSINESS,
  setBusinessAccountName: BUSINESS,
  setBusinessAccountUsername: BUSINESS,
  setBusinessAccountBio: BUSINESS,
  setBusinessAccountProfilePhoto: BUSINESS,
  removeBusinessAccountProfilePhoto: BUSINESS,
  setBusinessAccountGiftSettings: BUSINESS,
  getBusinessAccountStarBalance: BUSINESS,
  transferBusinessAccountStars: BUSINESS,
  getBusinessAccountGifts: BUSINESS,
  convertGiftToStars: BUSINESS,
  upgradeGift: BUSINESS,
  transferGift: BUSINESS,
  postStory: BUSINESS,
  repostStory: BUSINESS,
  editStory: BUSINESS,
  deleteStory: BUSINESS,
  getManagedBotToken: "managed bots are not emulated",
  replaceManagedBotToken: "managed bots are not emulated",
  getManagedBotAccessSettings: "managed bots are not emulated",
  setManagedBotAccessSettings: "managed bots are not emulated",
  sendGift: "there are no gifts in the emulator",
  giftPremiumSubscription: "Telegram Premium is not emulated",
  verifyUser: "the bot is not a verification organization",
  verifyChat: "the bot is not a verification organization",
  removeUserVerification: "the bot is not a verification organization",
  removeChatVerification: "the bot is not a verification organization",
  approveSuggestedPost: "channel direct messages are not emulated",
  declineSuggestedPost: "channel direct messages are not emulated",
  editUserStarSubscription: "there are no Telegram Star subscriptions in the emulator",
  setPassportDataErrors: "Telegram Passport is not emulated",
  sendGame: "games must be created with @BotFather and are not emulated",
  setGameScore: "games are not emulated",
  getGameHighScores: "games are not emulated",
};

/** getFile (real effect). */
export const MISC_HANDLERS: Record<string, Handler> = { getFile };

/** Handlers with a fixed answer. */
export const ANSWER_HANDLERS: Record<string, Handler> = ANSWERS;

/** Handlers that decline. */
export const UNSUPPORTED_HANDLERS: Record<string, Handler> = Object.fromEntries(
  Object.entries(UNSUPPORTED).map(([name, why]) => [name, unsupported(name, why)]),
);
