/**
 * The content of media messages: the Photo/Audio/Video/... objects send*, InputMedia and
 * editMessageMedia build from an uploaded or stored file and the options describing it.
 * @module
 */

import type { FileRecord } from "../files.ts";
import type { Obj } from "../world.ts";
import { bool, type Ctx, int, str } from "./context.ts";
import { captionFields, fileFields, inputFile, photoSizes, thumbnail } from "./compose.ts";

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

/** The file, its thumbnail and the options one media message is built from. */
interface Media {
  ctx: Ctx;
  rec: FileRecord;
  thumb: Obj | undefined;
  o: Obj;
  /** `{ has_media_spoiler: true }` when asked for, else `{}`. */
  spoiler: Obj;
}

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
  const m: Media = { ctx, rec, thumb, o, spoiler };
  switch (type) {
    case "photo":
      return { photo: photoSizes(rec), ...captionFields(o), ...spoiler };
    case "live_photo":
      return await livePhotoContent(m);
    case "document":
      return { document: documentOf(rec, thumb), ...captionFields(o) };
    case "audio":
      return audioContent(m);
    case "video":
      return await videoContent(m);
    case "animation":
      return animationContent(m);
    case "voice":
      return voiceContent(m);
    case "video_note":
      return videoNoteContent(m);
    case "sticker":
      return { sticker: stickerOf(rec, str(o.emoji)) };
  }
}

async function livePhotoContent({ ctx, rec, o, spoiler }: Media): Promise<Obj> {
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

function audioContent({ rec, thumb, o }: Media): Obj {
  const audio: Obj = { ...named(rec), duration: int(o.duration) ?? 0 };
  if (str(o.performer)) audio.performer = o.performer;
  if (str(o.title)) audio.title = o.title;
  if (thumb) audio.thumbnail = thumb;
  return { audio, ...captionFields(o) };
}

/** The fields a Video and an Animation share. */
function moving({ rec, thumb, o }: Media): Obj {
  const v: Obj = {
    ...named(rec),
    width: int(o.width) ?? rec.size?.width ?? 0,
    height: int(o.height) ?? rec.size?.height ?? 0,
    duration: int(o.duration) ?? 0,
  };
  if (thumb) v.thumbnail = thumb;
  return v;
}

async function videoContent(m: Media): Promise<Obj> {
  const { ctx, o } = m;
  const v = moving(m);
  const start = int(o.start_timestamp);
  if (start !== undefined) v.start_timestamp = start;
  const cover = o.cover === undefined ? undefined : await inputFile(ctx, o.cover, "photo", "cover");
  if (cover) v.cover = photoSizes(cover);
  return { video: v, ...captionFields(o), ...m.spoiler };
}

function animationContent(m: Media): Obj {
  const { rec, thumb, o } = m;
  // For backward compatibility Telegram also sets `document` on animations.
  return {
    animation: moving(m),
    document: documentOf(rec, thumb),
    ...captionFields(o),
    ...m.spoiler,
  };
}

function voiceContent({ rec, o }: Media): Obj {
  const voice: Obj = { ...fileFields(rec), duration: int(o.duration) ?? 0 };
  voice.mime_type = rec.mime_type ?? "audio/ogg";
  return { voice, ...captionFields(o) };
}

function videoNoteContent({ rec, thumb, o }: Media): Obj {
  const note: Obj = {
    ...fileFields(rec),
    length: int(o.length) ?? rec.size?.width ?? 240,
    duration: int(o.duration) ?? 0,
  };
  if (thumb) note.thumbnail = thumb;
  return { video_note: note };
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
