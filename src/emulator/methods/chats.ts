/**
 * Chats themselves: getChat, title, description and photo, pins, leaving, and the sticker
 * set of a supergroup. Members, invite links and forum topics have their own modules.
 * @module
 */

import { badRequest } from "../api_error.ts";
import type { ChatRec, Obj } from "../world.ts";
import { type Ctx, type Handler, int, str } from "./context.ts";
import { inputFile, photoSizes, postRaw } from "./compose.ts";
import { group, needRight, setMember, visibleChat } from "./chat_access.ts";

const getChat: Handler = (ctx) => {
  const chat = visibleChat(ctx);
  const full: Obj = {
    ...chat.chat,
    accent_color_id: 0,
    max_reaction_count: 11,
    accepted_gift_types: {
      unlimited_gifts: true,
      limited_gifts: true,
      unique_gifts: true,
      premium_subscription: true,
      gifts_from_channels: true,
    },
  };
  const info = chat.info;
  for (
    const k of [
      "photo",
      "description",
      "invite_link",
      "permissions",
      "sticker_set_name",
      "slow_mode_delay",
      "message_auto_delete_time",
    ]
  ) {
    if (info[k] !== undefined) full[k] = info[k];
  }
  const pinned = chat.pinned.length
    ? chat.messages.get(chat.pinned[chat.pinned.length - 1])
    : undefined;
  if (pinned) full.pinned_message = pinned;
  return full;
};

const setChatPhoto: Handler = async (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  const rec = await inputFile(ctx, ctx.p.photo, "photo", "photo");
  const sizes = photoSizes(rec);
  chat.info.photo = {
    small_file_id: rec.file_id,
    small_file_unique_id: rec.file_unique_id,
    big_file_id: rec.file_id,
    big_file_unique_id: rec.file_unique_id,
  };
  if (chat.chat.type !== "channel") postRaw(ctx.world, chat, { new_chat_photo: sizes });
  return true;
};

const deleteChatPhoto: Handler = (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  if (!chat.info.photo) throw badRequest("CHAT_NOT_MODIFIED");
  delete chat.info.photo;
  if (chat.chat.type !== "channel") postRaw(ctx.world, chat, { delete_chat_photo: true });
  return true;
};

const setChatTitle: Handler = (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  const title = (str(ctx.p.title) ?? "").trim();
  if (title.length === 0) throw badRequest("chat title is empty");
  if (title.length > 128) throw badRequest("chat title is too long");
  if (title === chat.chat.title) throw badRequest("chat title is not modified");
  chat.chat = { ...chat.chat, title };
  if (chat.chat.type !== "channel") postRaw(ctx.world, chat, { new_chat_title: title });
  return true;
};

const setChatDescription: Handler = (ctx) => {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  const description = str(ctx.p.description) ?? "";
  if (description.length > 255) throw badRequest("chat description is too long");
  if ((chat.info.description ?? "") === description) {
    throw badRequest("chat description is not modified");
  }
  if (description) chat.info.description = description;
  else delete chat.info.description;
  return true;
};

function pinTarget(ctx: Ctx): ChatRec {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  if (chat.chat.type !== "private") {
    const right = chat.chat.type === "channel" ? "can_edit_messages" : "can_pin_messages";
    if (!ctx.world.botHasRight(chat, right)) {
      throw badRequest("not enough rights to manage pinned messages in the chat");
    }
  }
  return chat;
}

const pinChatMessage: Handler = (ctx) => {
  const chat = pinTarget(ctx);
  const msg = ctx.world.message(chat, int(ctx.p.message_id));
  if (!msg) throw badRequest("message to pin not found");
  const at = chat.pinned.indexOf(msg.message_id);
  if (at >= 0) chat.pinned.splice(at, 1);
  chat.pinned.push(msg.message_id);
  const nested: Obj = { ...msg };
  delete nested.reply_to_message;
  postRaw(ctx.world, chat, { pinned_message: nested });
  return true;
};

const unpinChatMessage: Handler = (ctx) => {
  const chat = pinTarget(ctx);
  const id = int(ctx.p.message_id);
  if (id === undefined) chat.pinned.pop();
  else {
    const at = chat.pinned.indexOf(id);
    if (at < 0) throw badRequest("message to unpin not found");
    chat.pinned.splice(at, 1);
  }
  return true;
};

const unpinAllChatMessages: Handler = (ctx) => {
  const chat = pinTarget(ctx);
  chat.pinned.length = 0;
  return true;
};

const leaveChat: Handler = (ctx) => {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  if (chat.chat.type === "private") {
    throw badRequest("chat member status can't be changed in private chats");
  }
  const status = ctx.world.botMember(chat).status;
  if (status === "left" || status === "kicked") throw badRequest("chat not found");
  if (status === "creator") throw badRequest("can't leave the chat as its owner");
  setMember(ctx, chat, "bot", { status: "left", fields: {} }, { left_chat_member: ctx.world.bot });
  return true;
};

const setChatStickerSet: Handler = (ctx) => {
  const chat = group(ctx, { supergroupOnly: true });
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  const name = str(ctx.p.sticker_set_name) ?? "";
  if (!ctx.world.store.stickerSets.has(name.toLowerCase())) throw badRequest("STICKERSET_INVALID");
  chat.info.sticker_set_name = name;
  return true;
};

const deleteChatStickerSet: Handler = (ctx) => {
  const chat = group(ctx, { supergroupOnly: true });
  needRight(ctx.world, chat, "can_change_info", "change chat info");
  delete chat.info.sticker_set_name;
  return true;
};

/** The chat handlers. */
export const CHAT_HANDLERS: Record<string, Handler> = {
  getChat,
  setChatPhoto,
  deleteChatPhoto,
  setChatTitle,
  setChatDescription,
  pinChatMessage,
  unpinChatMessage,
  unpinAllChatMessages,
  leaveChat,
  setChatStickerSet,
  deleteChatStickerSet,
};
