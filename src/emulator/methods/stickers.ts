/**
 * Sticker sets the bot creates and manages, and sticker file uploads.
 * @module
 */

import { badRequest } from "../api_error.ts";
import type { Obj, World } from "../world.ts";
import { array, type Ctx, type Handler, int, object, str } from "./context.ts";
import { fileFields, inputFile } from "./compose.ts";
import { stickerOf } from "./media.ts";

const FORMATS = new Set(["static", "animated", "video"]);
const TYPES = new Set(["regular", "mask", "custom_emoji"]);

function setByName(ctx: Ctx): Obj {
  const set = ctx.world.store.stickerSets.get((str(ctx.p.name) ?? "").toLowerCase());
  if (!set) throw badRequest("STICKERSET_INVALID");
  return set;
}

function findSticker(world: World, fileId: unknown): { set: Obj; index: number } {
  for (const set of world.store.stickerSets.values()) {
    const list = set.stickers as Obj[];
    const index = list.findIndex((s) => s.file_id === fileId);
    if (index >= 0) return { set, index };
  }
  throw badRequest("STICKER_INVALID");
}

async function buildSticker(ctx: Ctx, raw: unknown, set: Obj): Promise<Obj> {
  const input = object(raw, "InputSticker") ?? {};
  const format = str(input.format) ?? "";
  if (!FORMATS.has(format)) {
    throw badRequest("can't parse InputSticker: unsupported sticker format");
  }
  const emojis = (array(input.emoji_list, "emoji_list") ?? []).map(String);
  if (emojis.length < 1 || emojis.length > 20) throw badRequest("STICKER_EMOJI_INVALID");
  const rec = await inputFile(ctx, input.sticker, "sticker", "sticker");
  const sticker = stickerOf(rec, emojis[0], set.name as string);
  sticker.type = set.sticker_type;
  sticker.is_animated = format === "animated";
  sticker.is_video = format === "video";
  if (set.sticker_type === "custom_emoji") {
    sticker.custom_emoji_id = String(
      5_368_709_120_000_000_000n + BigInt(ctx.world.store.stickerMeta.size),
    );
  }
  if (set.sticker_type === "mask" && input.mask_position) {
    sticker.mask_position = input.mask_position;
  }
  ctx.world.store.stickerMeta.set(rec.file_id, {
    emoji_list: emojis,
    keywords: array(input.keywords, "keywords") ?? [],
  });
  return sticker;
}

const uploadStickerFile: Handler = async (ctx) => {
  ctx.world.userOf(ctx.p.user_id);
  if (!FORMATS.has(str(ctx.p.sticker_format) ?? "")) {
    throw badRequest("wrong sticker format specified");
  }
  if (!(ctx.p.sticker instanceof Blob)) throw badRequest("sticker must be uploaded as a file");
  const rec = await inputFile(ctx, ctx.p.sticker, "sticker", "sticker");
  return { ...fileFields(rec), file_path: rec.file_path };
};

const createNewStickerSet: Handler = async (ctx) => {
  ctx.world.userOf(ctx.p.user_id);
  const name = str(ctx.p.name) ?? "";
  const suffix = `_by_${ctx.world.bot.username}`.toLowerCase();
  if (!/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(name) || !name.toLowerCase().endsWith(suffix)) {
    throw badRequest("invalid sticker set name is specified");
  }
  const sets = ctx.world.store.stickerSets;
  if (sets.has(name.toLowerCase())) throw badRequest("sticker set name is already occupied");
  const title = str(ctx.p.title) ?? "";
  if (title.length < 1 || title.length > 64) {
    throw badRequest("invalid sticker set title is specified");
  }
  const type = str(ctx.p.sticker_type) ?? "regular";
  if (!TYPES.has(type)) throw badRequest("wrong sticker type specified");
  const inputs = array(ctx.p.stickers, "stickers") ?? [];
  if (inputs.length < 1 || inputs.length > 50) {
    throw badRequest("stickers must contain 1-50 stickers");
  }
  const set: Obj = { name, title, sticker_type: type, stickers: [] };
  for (const raw of inputs) (set.stickers as Obj[]).push(await buildSticker(ctx, raw, set));
  sets.set(name.toLowerCase(), set);
  return true;
};

const addStickerToSet: Handler = async (ctx) => {
  ctx.world.userOf(ctx.p.user_id);
  const set = setByName(ctx);
  const list = set.stickers as Obj[];
  if (list.length >= (set.sticker_type === "custom_emoji" ? 200 : 120)) {
    throw badRequest("STICKERS_TOO_MUCH");
  }
  list.push(await buildSticker(ctx, ctx.p.sticker, set));
  return true;
};

const replaceStickerInSet: Handler = async (ctx) => {
  ctx.world.userOf(ctx.p.user_id);
  const set = setByName(ctx);
  const list = set.stickers as Obj[];
  const index = list.findIndex((s) => s.file_id === ctx.p.old_sticker);
  if (index < 0) throw badRequest("STICKER_INVALID");
  list[index] = await buildSticker(ctx, ctx.p.sticker, set);
  return true;
};

const setStickerPositionInSet: Handler = (ctx) => {
  const { set, index } = findSticker(ctx.world, ctx.p.sticker);
  const list = set.stickers as Obj[];
  const position = int(ctx.p.position) ?? -1;
  if (position < 0 || position >= list.length) throw badRequest("STICKER_POSITION_INVALID");
  const [item] = list.splice(index, 1);
  list.splice(position, 0, item);
  return true;
};

const deleteStickerFromSet: Handler = (ctx) => {
  const { set, index } = findSticker(ctx.world, ctx.p.sticker);
  (set.stickers as Obj[]).splice(index, 1);
  return true;
};

const setStickerEmojiList: Handler = (ctx) => {
  const { set, index } = findSticker(ctx.world, ctx.p.sticker);
  const emojis = (array(ctx.p.emoji_list, "emoji_list") ?? []).map(String);
  if (emojis.length < 1 || emojis.length > 20) throw badRequest("STICKER_EMOJI_INVALID");
  const list = set.stickers as Obj[];
  list[index] = { ...list[index], emoji: emojis[0] };
  ctx.world.store.stickerMeta.set(ctx.p.sticker as string, {
    ...ctx.world.store.stickerMeta.get(ctx.p.sticker as string),
    emoji_list: emojis,
  });
  return true;
};

const setStickerKeywords: Handler = (ctx) => {
  findSticker(ctx.world, ctx.p.sticker);
  const keywords = (array(ctx.p.keywords, "keywords") ?? []).map(String);
  if (keywords.length > 20) throw badRequest("too many keywords");
  ctx.world.store.stickerMeta.set(ctx.p.sticker as string, {
    ...ctx.world.store.stickerMeta.get(ctx.p.sticker as string),
    keywords,
  });
  return true;
};

const setStickerMaskPosition: Handler = (ctx) => {
  const { set, index } = findSticker(ctx.world, ctx.p.sticker);
  if (set.sticker_type !== "mask") throw badRequest("STICKER_MASK_COORDS_NOT_SUPPORTED");
  const list = set.stickers as Obj[];
  const mask = object(ctx.p.mask_position, "mask_position");
  const next = { ...list[index] };
  if (mask) next.mask_position = mask;
  else delete next.mask_position;
  list[index] = next;
  return true;
};

const setStickerSetTitle: Handler = (ctx) => {
  const set = setByName(ctx);
  const title = str(ctx.p.title) ?? "";
  if (title.length < 1 || title.length > 64) {
    throw badRequest("invalid sticker set title is specified");
  }
  set.title = title;
  return true;
};

const setStickerSetThumbnail: Handler = async (ctx) => {
  ctx.world.userOf(ctx.p.user_id);
  const set = setByName(ctx);
  if (!FORMATS.has(str(ctx.p.format) ?? "")) throw badRequest("wrong sticker format specified");
  if (ctx.p.thumbnail === undefined || ctx.p.thumbnail === "") {
    delete set.thumbnail;
    return true;
  }
  const rec = await inputFile(ctx, ctx.p.thumbnail, "thumbnail", "thumbnail");
  set.thumbnail = {
    ...fileFields(rec),
    width: rec.size?.width ?? 100,
    height: rec.size?.height ?? 100,
  };
  return true;
};

const setCustomEmojiStickerSetThumbnail: Handler = (ctx) => {
  const set = setByName(ctx);
  if (set.sticker_type !== "custom_emoji") throw badRequest("STICKERSET_INVALID");
  const id = str(ctx.p.custom_emoji_id);
  if (id) set.thumbnail_custom_emoji_id = id;
  else delete set.thumbnail_custom_emoji_id;
  return true;
};

const deleteStickerSet: Handler = (ctx) => {
  const set = setByName(ctx);
  ctx.world.store.stickerSets.delete((set.name as string).toLowerCase());
  return true;
};

const getStickerSet: Handler = (ctx) => {
  const set = setByName(ctx);
  const out: Obj = {
    name: set.name,
    title: set.title,
    sticker_type: set.sticker_type,
    stickers: set.stickers,
  };
  if (set.thumbnail) out.thumbnail = set.thumbnail;
  return out;
};

const getCustomEmojiStickers: Handler = (ctx) => {
  const ids = new Set((array(ctx.p.custom_emoji_ids, "custom_emoji_ids") ?? []).map(String));
  if (ids.size > 200) throw badRequest("too many custom emoji identifiers");
  const out: Obj[] = [];
  for (const set of ctx.world.store.stickerSets.values()) {
    for (const s of set.stickers as Obj[]) if (ids.has(String(s.custom_emoji_id))) out.push(s);
  }
  return out;
};

/** Sticker handlers. */
export const STICKER_HANDLERS: Record<string, Handler> = {
  uploadStickerFile,
  createNewStickerSet,
  addStickerToSet,
  replaceStickerInSet,
  setStickerPositionInSet,
  deleteStickerFromSet,
  setStickerEmojiList,
  setStickerKeywords,
  setStickerMaskPosition,
  setStickerSetTitle,
  setStickerSetThumbnail,
  setCustomEmojiStickerSetThumbnail,
  deleteStickerSet,
  getStickerSet,
  getCustomEmojiStickers,
};
