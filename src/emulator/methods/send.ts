/**
 * The send* family: text, every kind of media, media groups, locations, venues, contacts,
 * polls, dice, chat actions and drafts.
 * @module
 */

import { badRequest } from "../api_error.ts";
import { randomInt, randomQueryId } from "../ids.ts";
import type { Obj } from "../world.ts";
import { array, bool, float, type Handler, int, object, str } from "./context.ts";
import {
  formatText,
  messageText,
  postFromBot,
  postRaw,
  replyFields,
  targetChat,
  threadFields,
} from "./compose.ts";
import { mediaContent, type MediaType } from "./media.ts";

function mediaSender(type: MediaType): Handler {
  return async (ctx) => {
    const chat = targetChat(ctx);
    const content = await mediaContent(ctx, type, ctx.p[type], ctx.p);
    return postFromBot(ctx, chat, content);
  };
}

const sendMessage: Handler = (ctx) => {
  const chat = targetChat(ctx);
  const content: Obj = messageText(ctx.p);
  const lpo = object(ctx.p.link_preview_options, "link_preview_options");
  if (lpo && content.entities && (content.entities as Obj[]).some((e) => e.type === "url")) {
    content.link_preview_options = lpo;
  }
  return postFromBot(ctx, chat, content);
};

const MEDIA_GROUP_TYPES = new Set(["photo", "video", "document", "audio", "live_photo"]);

const sendMediaGroup: Handler = async (ctx) => {
  const chat = targetChat(ctx);
  const items = array(ctx.p.media, "media");
  if (!items || items.length === 0) throw badRequest("media group is empty");
  if (items.length < 2 || items.length > 10) {
    throw badRequest("media group must include 2-10 items");
  }
  const types = new Set<string>();
  for (const raw of items) {
    const item = object(raw, "InputMedia");
    const type = str(item?.type) ?? "";
    if (!MEDIA_GROUP_TYPES.has(type)) {
      throw badRequest(`can't parse InputMedia: unsupported media type "${type}"`);
    }
    types.add(type);
  }
  for (const only of ["document", "audio"]) {
    if (types.has(only) && types.size > 1) {
      throw badRequest(`${only} can't be mixed with other media types`);
    }
  }
  const contents: Obj[] = [];
  for (const raw of items) {
    const item = object(raw, "InputMedia")!;
    contents.push(await mediaContent(ctx, item.type as MediaType, item.media, item));
  }
  const groupId = randomQueryId();
  const head: Obj = { ...threadFields(chat, ctx.p), ...replyFields(ctx.world, chat, ctx.p) };
  const protect = bool(ctx.p.protect_content) ? { has_protected_content: true } : {};
  const out = [];
  for (const content of contents) {
    const msg = postRaw(ctx.world, chat, {
      ...head,
      media_group_id: groupId,
      ...content,
      ...protect,
    });
    out.push(msg);
  }
  return out;
};

function location(p: Obj): Obj {
  const latitude = float(p.latitude);
  const longitude = float(p.longitude);
  if (latitude === undefined || latitude < -90 || latitude > 90) throw badRequest("wrong latitude");
  if (longitude === undefined || longitude < -180 || longitude > 180) {
    throw badRequest("wrong longitude");
  }
  const loc: Obj = { latitude, longitude };
  const acc = float(p.horizontal_accuracy);
  if (acc !== undefined) loc.horizontal_accuracy = acc;
  const live = int(p.live_period);
  if (live !== undefined) loc.live_period = live;
  const heading = int(p.heading);
  if (heading !== undefined) loc.heading = heading;
  const radius = int(p.proximity_alert_radius);
  if (radius !== undefined) loc.proximity_alert_radius = radius;
  return loc;
}

const sendLocation: Handler = (ctx) => {
  const chat = targetChat(ctx);
  return postFromBot(ctx, chat, { location: location(ctx.p) });
};

const sendVenue: Handler = (ctx) => {
  const chat = targetChat(ctx);
  const loc = location(ctx.p);
  const venue: Obj = { location: loc, title: str(ctx.p.title), address: str(ctx.p.address) };
  for (const k of ["foursquare_id", "foursquare_type", "google_place_id", "google_place_type"]) {
    if (str(ctx.p[k])) venue[k] = ctx.p[k];
  }
  // For backward compatibility Telegram also sets `location` on venues.
  return postFromBot(ctx, chat, { venue, location: loc });
};

const sendContact: Handler = (ctx) => {
  const chat = targetChat(ctx);
  const contact: Obj = { phone_number: str(ctx.p.phone_number), first_name: str(ctx.p.first_name) };
  if (str(ctx.p.last_name)) contact.last_name = ctx.p.last_name;
  if (str(ctx.p.vcard)) contact.vcard = ctx.p.vcard;
  return postFromBot(ctx, chat, { contact });
};

const sendPoll: Handler = (ctx) => {
  const chat = targetChat(ctx);
  const { p } = ctx;
  if (chat.chat.type === "channel" && bool(p.is_anonymous) === false) {
    throw badRequest("non-anonymous polls can't be sent to channel chats");
  }
  const question = pollQuestion(p);
  const options = pollOptions(p);
  const type = str(p.type) ?? "regular";
  if (type !== "regular" && type !== "quiz") throw badRequest("wrong poll type specified");
  const poll: Obj = {
    id: randomQueryId(),
    question: question.text,
  };
  if (question.entities) poll.question_entities = question.entities;
  Object.assign(poll, {
    options,
    total_voter_count: 0,
    is_closed: bool(p.is_closed) ?? false,
    is_anonymous: bool(p.is_anonymous) ?? true,
    type,
    allows_multiple_answers: bool(p.allows_multiple_answers) ?? false,
    allows_revoting: bool(p.allows_revoting) ?? false,
    members_only: bool(p.members_only) ?? false,
  });
  if (type === "quiz") {
    poll.correct_option_ids = correctOptionIds(p, options.length);
    addFormatted(poll, p, "explanation");
  }
  addFormatted(poll, p, "description");
  const openPeriod = int(p.open_period);
  if (openPeriod !== undefined) poll.open_period = openPeriod;
  const closeDate = int(p.close_date);
  if (closeDate !== undefined) poll.close_date = closeDate;
  return postFromBot(ctx, chat, { poll });
};

/** The formatted poll question: 1-300 characters. */
function pollQuestion(p: Obj): ReturnType<typeof formatText> {
  const question = formatText(str(p.question) ?? "", p.question_parse_mode, p.question_entities);
  if (question.text.length === 0) throw badRequest("poll question must be non-empty");
  if (question.text.length > 300) throw badRequest("poll question length must not exceed 300");
  return question;
}

/** The PollOption objects for `options`: 2-12 of them, each 1-100 characters. */
function pollOptions(p: Obj): Obj[] {
  const raw = array(p.options, "options") ?? [];
  if (raw.length < 2) throw badRequest("poll must have at least 2 option");
  if (raw.length > 12) throw badRequest("poll can't have more than 12 options");
  return raw.map((o, i) => {
    const opt = typeof o === "string" ? { text: o } : object(o, "InputPollOption") ?? {};
    const t = formatText(str(opt.text) ?? "", opt.text_parse_mode, opt.text_entities);
    if (t.text.length === 0 || t.text.length > 100) {
      throw badRequest("poll options length must not exceed 100");
    }
    const out: Obj = { persistent_id: String(i), text: t.text };
    if (t.entities) out.text_entities = t.entities;
    out.voter_count = 0;
    return out;
  });
}

/** A quiz's `correct_option_ids`: at least one, each an index into its `count` options. */
function correctOptionIds(p: Obj, count: number): (number | undefined)[] {
  const correct = array(p.correct_option_ids, "correct_option_ids") ?? [];
  if (correct.length === 0) throw badRequest("wrong correct option ids specified");
  for (const c of correct) {
    const n = int(c);
    if (n === undefined || n < 0 || n >= count) {
      throw badRequest("wrong correct option ids specified");
    }
  }
  return correct.map((c) => int(c));
}

/** Sets `field` and `<field>_entities` on `poll` from the formatted `p[field]`, if given. */
function addFormatted(poll: Obj, p: Obj, field: "explanation" | "description"): void {
  const raw = str(p[field]);
  if (!raw) return;
  const entities = `${field}_entities`;
  const f = formatText(raw, p[`${field}_parse_mode`], p[entities], entities);
  poll[field] = f.text;
  if (f.entities) poll[entities] = f.entities;
}

const DICE: Record<string, number> = { "🎲": 6, "🎯": 6, "🎳": 6, "🏀": 5, "⚽": 5, "🎰": 64 };

const sendDice: Handler = (ctx) => {
  const chat = targetChat(ctx);
  const emoji = str(ctx.p.emoji) ?? "🎲";
  const max = DICE[emoji];
  if (!max) throw badRequest("wrong dice emoji specified");
  return postFromBot(ctx, chat, { dice: { emoji, value: 1 + randomInt(max) } });
};

const CHAT_ACTIONS = new Set([
  "typing",
  "upload_photo",
  "record_video",
  "upload_video",
  "record_voice",
  "upload_voice",
  "upload_document",
  "choose_sticker",
  "find_location",
  "record_video_note",
  "upload_video_note",
]);

const sendChatAction: Handler = (ctx) => {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  const action = str(ctx.p.action) ?? "";
  if (!CHAT_ACTIONS.has(action)) throw badRequest("wrong parameter action in request");
  ctx.world.assertBotCanSend(chat);
  threadFields(chat, ctx.p);
  chat.actions.push(action);
  if (chat.actions.length > 100) chat.actions.shift();
  return true;
};

const sendMessageDraft: Handler = (ctx) => {
  const chat = ctx.world.chatOf(ctx.p.chat_id);
  if (chat.chat.type !== "private") {
    throw badRequest("message drafts can be sent only to private chats");
  }
  ctx.world.assertBotCanSend(chat);
  const draftId = int(ctx.p.draft_id) ?? 0;
  if (draftId === 0) throw badRequest("draft_id must be non-zero");
  const text = str(ctx.p.text) ?? "";
  const formatted = formatText(text, ctx.p.parse_mode, ctx.p.entities);
  ctx.world.store.drafts.set(chat.id, { draft_id: draftId, ...formatted, date: ctx.world.now() });
  return true;
};

/** Handlers of the send family. */
export const SEND_HANDLERS: Record<string, Handler> = {
  sendMessage,
  sendPhoto: mediaSender("photo"),
  sendLivePhoto: mediaSender("live_photo"),
  sendAudio: mediaSender("audio"),
  sendDocument: mediaSender("document"),
  sendVideo: mediaSender("video"),
  sendAnimation: mediaSender("animation"),
  sendVoice: mediaSender("voice"),
  sendVideoNote: mediaSender("video_note"),
  sendSticker: mediaSender("sticker"),
  sendMediaGroup,
  sendLocation,
  sendVenue,
  sendContact,
  sendPoll,
  sendDice,
  sendChatAction,
  sendMessageDraft,
};
