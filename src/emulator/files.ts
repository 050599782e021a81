/**
 * Files the bot or users uploaded: stored bytes, file_id / file_unique_id, the file_path
 * getFile hands out, and image dimensions read from the bytes.
 * @module
 */

import { randomString } from "./ids.ts";

/** What the emulator keeps about one file. */
export interface FileRecord {
  readonly file_id: string;
  readonly file_unique_id: string;
  readonly kind: FileKind;
  readonly bytes: Uint8Array;
  readonly file_path: string;
  readonly file_name?: string;
  readonly mime_type?: string;
  /** Width and height when the bytes are a PNG, JPEG, GIF or WebP image. */
  readonly size?: { width: number; height: number };
}

/** The kinds of files Telegram tells apart (a file_id of one kind cannot be sent as another). */
export type FileKind =
  | "photo"
  | "document"
  | "audio"
  | "video"
  | "animation"
  | "voice"
  | "video_note"
  | "sticker"
  | "thumbnail"
  | "profile_photo"
  | "live_photo";

const PREFIX: Record<FileKind, string> = {
  photo: "AgACAgIAAxkBAA",
  document: "BQACAgIAAxkBAA",
  audio: "CQACAgIAAxkBAA",
  video: "BAACAgIAAxkBAA",
  animation: "CgACAgIAAxkBAA",
  voice: "AwACAgIAAxkBAA",
  video_note: "DQACAgIAAxkBAA",
  sticker: "CAACAgIAAxkBAA",
  thumbnail: "AAMCAgADGQEAA",
  profile_photo: "AgACAgIAAxUAA",
  live_photo: "BgACAgIAAxkBAA",
};

const FOLDER: Record<FileKind, string> = {
  photo: "photos",
  document: "documents",
  audio: "music",
  video: "videos",
  animation: "animations",
  voice: "voice",
  video_note: "video_notes",
  sticker: "stickers",
  thumbnail: "thumbnails",
  profile_photo: "profile_photos",
  live_photo: "live_photos",
};

const EXT_BY_MIME: Record<string, string> = {
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/gif": "gif",
  "image/webp": "webp",
  "video/mp4": "mp4",
  "audio/mpeg": "mp3",
  "audio/ogg": "oga",
  "application/pdf": "pdf",
  "text/plain": "txt",
  "application/json": "json",
  "application/zip": "zip",
};

const MIME_BY_EXT: Record<string, string> = Object.fromEntries(
  Object.entries(EXT_BY_MIME).map(([m, e]) => [e, m]),
);
MIME_BY_EXT.jpeg = "image/jpeg";
MIME_BY_EXT.ogg = "audio/ogg";
MIME_BY_EXT.mp3 = "audio/mpeg";
MIME_BY_EXT.m4a = "audio/mp4";
MIME_BY_EXT.webm = "video/webm";
MIME_BY_EXT.mov = "video/quicktime";
MIME_BY_EXT.csv = "text/csv";
MIME_BY_EXT.html = "text/html";

/** The MIME type Telegram would report for a file name, from its extension. */
export function mimeFromName(name: string | undefined): string | undefined {
  const ext = name?.match(/\.([A-Za-z0-9]{1,8})$/)?.[1]?.toLowerCase();
  return ext ? MIME_BY_EXT[ext] : undefined;
}

/** The largest file getFile hands out for download (20 MB). */
export const MAX_DOWNLOAD = 20 * 1024 * 1024;
/** The largest upload the Bot API accepts (50 MB). */
export const MAX_UPLOAD = 50 * 1024 * 1024;

/** All stored files, by file_id and by file_path. */
export class FileStore {
  #byId = new Map<string, FileRecord>();
  #byPath = new Map<string, FileRecord>();
  #count = 0;

  /** Stores bytes as a new file of `kind`. */
  add(
    bytes: Uint8Array,
    kind: FileKind,
    meta: { fileName?: string; mimeType?: string } = {},
  ): FileRecord {
    const mime = meta.mimeType || mimeFromName(meta.fileName) || defaultMime(kind, bytes);
    const ext = meta.fileName?.match(/\.([A-Za-z0-9]{1,8})$/)?.[1]?.toLowerCase() ??
      (mime ? EXT_BY_MIME[mime] : undefined) ?? "bin";
    const n = this.#count++;
    const record: FileRecord = {
      file_id: PREFIX[kind] + randomString(54),
      file_unique_id: "AQAD" + randomString(12),
      kind,
      bytes,
      file_path: `${FOLDER[kind]}/file_${n}.${ext}`,
      file_name: meta.fileName,
      mime_type: mime,
      size: imageSize(bytes),
    };
    this.#byId.set(record.file_id, record);
    this.#byPath.set(record.file_path, record);
    return record;
  }

  /** The file with this file_id. */
  get(fileId: string): FileRecord | undefined {
    return this.#byId.get(fileId);
  }

  /** The file served at this file_path (exact match only: no path arithmetic). */
  byPath(path: string): FileRecord | undefined {
    return this.#byPath.get(path);
  }
}

function defaultMime(kind: FileKind, bytes: Uint8Array): string | undefined {
  const image = imageType(bytes);
  if (image) return image;
  switch (kind) {
    case "voice":
      return "audio/ogg";
    case "audio":
      return "audio/mpeg";
    case "video":
    case "animation":
    case "video_note":
      return "video/mp4";
    case "document":
      return undefined;
    default:
      return undefined;
  }
}

function imageType(b: Uint8Array): string | undefined {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return "image/png";
  }
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return "image/jpeg";
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return "image/gif";
  if (
    b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 &&
    b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50
  ) return "image/webp";
  return undefined;
}

/** Width and height of a PNG, JPEG, GIF or WebP image, or undefined for anything else. */
export function imageSize(b: Uint8Array): { width: number; height: number } | undefined {
  const type = imageType(b);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  try {
    if (type === "image/png" && b.length >= 24) {
      return { width: dv.getUint32(16), height: dv.getUint32(20) };
    }
    if (type === "image/gif" && b.length >= 10) {
      return { width: dv.getUint16(6, true), height: dv.getUint16(8, true) };
    }
    if (type === "image/webp" && b.length >= 30) {
      const chunk = String.fromCharCode(b[12], b[13], b[14], b[15]);
      if (chunk === "VP8 ") {
        return { width: dv.getUint16(26, true) & 0x3fff, height: dv.getUint16(28, true) & 0x3fff };
      }
      if (chunk === "VP8L") {
        const bits = dv.getUint32(21, true);
        return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
      }
      if (chunk === "VP8X") {
        const w = 1 + (b[24] | (b[25] << 8) | (b[26] << 16));
        const h = 1 + (b[27] | (b[28] << 8) | (b[29] << 16));
        return { width: w, height: h };
      }
      return undefined;
    }
    if (type === "image/jpeg") {
      let i = 2;
      while (i + 9 < b.length) {
        if (b[i] !== 0xff) return undefined;
        const marker = b[i + 1];
        const len = dv.getUint16(i + 2);
        const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
          marker !== 0xcc;
        if (isSof) return { width: dv.getUint16(i + 7), height: dv.getUint16(i + 5) };
        i += 2 + len;
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** A valid 1x1 PNG image (67 bytes), handy as a photo in tests. */
export function tinyPng(): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(
    atob(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    ),
    (c) => c.charCodeAt(0),
  );
}
