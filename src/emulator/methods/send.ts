/**
 * The send* family: text, every kind of media, media groups, locations, venues, contacts,
 * polls, dice, chat actions and drafts.
 * @module
 */

import { badRequest } from "../api_error.ts";
import type { FileRecord } from "../files.ts";
import { randomInt, randomQueryId } from "../ids.ts";
import type { Obj } from "../world.ts";
import { array, bool, type Ctx, float, type Handler, int, object, str } from "./context.ts";
import {
  captionFields,
  fileFields,
  formatText,
  inputFile,
  messageText,
  photoSizes,
  postFromBot,
  postRaw,
  replyFields,
  targetChat,
  threadFields,
  thumbnail,
} from "./compose.ts";

/** The media kinds send*, InputMedia and editMessageMedia know. */
export type MediaType =
  | "photo"
  | "audio"
  | "document"
  | "video"
  | "animation"
  | "voice"
  | "video_note"
  | "sticker"
  | "live_photo";

/**
 * Builds the content fields of a media message of `type` from a file value and the
 * options that describe it (duration, width, performer, caption...).
 */
export async function mediaContent(
  ctx: Ctx,
  type: MediaType,
  file: unknown,
  o: Obj,
): Promise<Obj> {
  const kind = type === "live_photo" ? "live_photo" : type;
  const rec = await inputFile(ctx, file, kind, type);
  const thumb = await thumbnail(ctx, o.thumbnail);
  const spoiler = bool(o.has_spoiler) ? { has_media_spoiler: true } : {};
  switch (type) {
    case "photo":
      return { photo: photoSizes(rec), ...captionFields(o), ...spoiler };
    case "live_photo": {
      const still = await inputFile(ctx, o.photo, "photo", "photo");
      const live: Obj = {
        ...fileFields(rec),
        width: rec.size?.width ?? still.size?.width ?? 0,
        height: rec.size?.height ?? still.size?.height ?? 0,
        duration: int(o.duration) ?? 3,
        photo: photoSizes(still),
      };
      if (rec.mime_type) live.mime_type = rec.mime_type;
      return { live_photo: live, ...captionFields(o), ...spoiler };
    }
    case "document":
      return { document: documentOf(rec, thumb), ...captionFields(o) };
    case "audio": {
      const audio: Obj = { ...named(rec), duration: int(o.duration) ?? 0 };
      if (str(o.performer)) audio.performer = o.performer;
      if (str(o.title)) audio.title = o.title;
      if (thumb) audio.thumbnail = thumb;
      return { audio, ...captionFields(o) };
    }
    case "video":
    case "animation": {
      const v: Obj = {
        ...named(rec),
        width: int(o.width) ?? rec.size?.width ?? 0,
        height: int(o.height) ?? rec.size?.height ?? 0,
        duration: int(o.duration) ?? 0,
      };
      if (thumb) v.thumbnail = thumb;
      if (type === "video") {
        const start = int(o.start_timestamp);
        if (start !== undefined) v.start_timestamp = start;
        const cover = o.cover === undefined
          ? undefined
          : await inputFile(ctx, o.cover, "photo", "cover");
        if (cover) v.cover = photoSizes(cover);
        return { video: v, ...captionFields(o), ...spoiler };
      }
      // For backward compatibility Telegram also sets `document` on animations.
      return { animation: v, document: documentOf(rec, thumb), ...captionFields(o), ...spoiler };
    }
    case "voice": {
      const voice: Obj = { ...fileFields(rec), duration: int(o.duration) ?? 0 };
      voice.mime_type = rec.mime_type ?? "audio/ogg";
      return { voice, ...captionFields(o) };
    }
    case "video_note": {
      const note: Obj = {
        ...fileFields(rec),
        length: int(o.length) ?? rec.size?.width ?? 240,
        duration: int(o.duration) ?? 0,
      };
      if (thumb) note.thumbnail = thumb;
      return { video_note: note };
    }
    case "sticker":
      return { sticker: stickerOf(rec, str(o.emoji)) };
  }
}

function named(rec: FileRecord): Obj {
  const out: Obj = {};
  if (rec.file_name) out.file_name = rec.file_name;
  if (rec.mime_type) out.mime_type = rec.mime_type;
  return { ...out, ...fileFields(rec) };
}

function documentOf(rec: FileRecord, thumb: Obj | undefined): Obj {
  const doc: Obj = named(rec);
  if (thumb) doc.thumbnail = thumb;
  return doc;
}

/** A Sticker object for a stored sticker file. */
export function stickerOf(rec: FileRecord, emoji?: string, setName?: string): Obj {
  const animated = rec.file_name?.endsWith(".tgs") ?? false;
  const video = rec.mime_type === "video/webm" || (rec.file_name?.endsWith(".webm") ?? false);
  const s: Obj = {
    ...fileFields(rec),
    type: "regular",
    width: rec.size?.width ?? 512,
    height: rec.size?.height ?? 512,
    is_animated: animated,
    is_video: video,
  };
  if (emoji) s.emoji = emoji;
  if (setName) s.set_name = setName;
  return s;
}

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
  const question = formatText(str(p.question) ?? "", p.question_parse_mode, p.question_entities);
  if (question.text.length === 0) throw badRequest("poll question must be non-empty");
  if (question.text.length > 300) throw badRequest("poll question length must not exceed 300");
  const raw = array(p.options, "options") ?? [];
  if (raw.length < 2) throw badRequest("poll must have at least 2 option");
  if (raw.length > 12) throw badRequest("poll can't have more than 12 options");
  const options = raw.map((o, i) => {
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
    const correct = array(p.correct_option_ids, "correct_option_ids") ?? [];
    if (correct.length === 0) throw badRequest("wrong correct option ids specified");
    for (const c of correct) {
      const n = int(c);
      if (n === undefined || n < 0 || n >= options.length) {
        throw badRequest("wrong correct option ids specified");
      }
    }
    poll.correct_option_ids = correct.map((c) => int(c));
    const expl = str(p.explanation);
    if (expl) {
      const e = formatText(
        expl,
        p.explanation_parse_mode,
        p.explanation_entities,
        "explanation_entities",
      );
      poll.explanation = e.text;
      if (e.entities) poll.explanation_entities = e.entities;
    }
  }
  const desc = str(p.description);
  if (desc) {
    const d = formatText(
      desc,
      p.description_parse_mode,
      p.description_entities,
      "description_entities",
    );
    poll.description = d.text;
    if (d.entities) poll.description_entities = d.entities;
  }
  const openPeriod = int(p.open_period);
  if (openPeriod !== undefined) poll.open_period = openPeriod;
  const closeDate = int(p.close_date);
  if (closeDate !== undefined) poll.close_date = closeDate;
  return postFromBot(ctx, chat, { poll });
};

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
