/**
 * The bot's own settings: commands per scope and language, name, descriptions, profile
 * photo, menu button and default administrator rights.
 * @module
 */

import { badRequest } from "../api_error.ts";
import type { Obj, World } from "../world.ts";
import { array, bool, type Ctx, type Handler, int, object, str } from "./context.ts";
import { inputFile } from "./compose.ts";
import type { BotTextField } from "../store.ts";

const SCOPES = new Set([
  "default",
  "all_private_chats",
  "all_group_chats",
  "all_chat_administrators",
  "chat",
  "chat_administrators",
  "chat_member",
]);

/** The storage key of a (scope, language_code) pair; checks the scope's chat and user. */
function scopeKey(ctx: Ctx): string {
  const scope = object(ctx.p.scope, "scope") ?? { type: "default" };
  const type = str(scope.type) ?? "";
  if (!SCOPES.has(type)) throw badRequest("wrong bot command scope type specified");
  let key = type;
  if (type === "chat" || type === "chat_administrators" || type === "chat_member") {
    const chat = ctx.world.chatOf(scope.chat_id);
    key += `:${chat.id}`;
    if (type === "chat_member") {
      if (chat.chat.type === "private") {
        throw badRequest("can't use chat_member scope in private chats");
      }
      key += `:${ctx.world.userOf(scope.user_id).user.id}`;
    }
  }
  const lang = str(ctx.p.language_code) ?? "";
  if (lang && !/^[a-z]{2}$/.test(lang)) throw badRequest("invalid language code specified");
  return `${key}|${lang}`;
}

const setMyCommands: Handler = (ctx) => {
  const list = array(ctx.p.commands, "commands") ?? [];
  if (list.length > 100) throw badRequest("too many commands specified");
  const commands = list.map((raw) => {
    const c = object(raw, "BotCommand") ?? {};
    const command = (str(c.command) ?? "").replace(/^\//, "");
    const description = str(c.description) ?? "";
    if (!/^[a-z0-9_]{1,32}$/.test(command)) throw badRequest("BOT_COMMAND_INVALID");
    if (description.length < 1 || description.length > 256) {
      throw badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    }
    return { command, description };
  });
  const key = scopeKey(ctx);
  if (commands.length === 0) ctx.world.store.commands.delete(key);
  else ctx.world.store.commands.set(key, commands);
  return true;
};

const getMyCommands: Handler = (ctx) => ctx.world.store.commands.get(scopeKey(ctx)) ?? [];

const deleteMyCommands: Handler = (ctx) => {
  ctx.world.store.commands.delete(scopeKey(ctx));
  return true;
};

function language(ctx: Ctx): string {
  const lang = str(ctx.p.language_code) ?? "";
  if (lang && !/^[a-z]{2}$/.test(lang)) throw badRequest("invalid language code specified");
  return lang;
}

function textSetting(
  param: string,
  field: BotTextField,
  max: number,
  onDefault?: (w: World, v: string) => void,
  fallback: (w: World) => string = () => "",
) {
  const set: Handler = (ctx) => {
    const value = str(ctx.p[param]) ?? "";
    if (value.length > max) throw badRequest(`${param} is too long`);
    const lang = language(ctx);
    const map = ctx.world.store.botTexts[field];
    if (value) map.set(lang, value);
    else map.delete(lang);
    if (lang === "") onDefault?.(ctx.world, value);
    return true;
  };
  const get: Handler = (ctx) => {
    const map = ctx.world.store.botTexts[field];
    const lang = language(ctx);
    return { [field]: map.get(lang) ?? map.get("") ?? fallback(ctx.world) };
  };
  return { set, get };
}

const name = textSetting("name", "name", 64, (world, value) => {
  if (value) world.bot.first_name = value;
}, (world) => world.bot.first_name);
const description = textSetting("description", "description", 512);
const shortDescription = textSetting("short_description", "short_description", 120);

const setMyProfilePhoto: Handler = async (ctx) => {
  const photo = object(ctx.p.photo, "photo");
  const type = str(photo?.type);
  if (type === "static") {
    await inputFile(ctx, photo!.photo, "photo", "photo");
  } else if (type === "animated") {
    await inputFile(ctx, photo!.animation, "animation", "animation");
  } else throw badRequest("can't parse InputProfilePhoto: unsupported type");
  ctx.world.store.profilePhoto = photo;
  return true;
};

const removeMyProfilePhoto: Handler = (ctx) => {
  ctx.world.store.profilePhoto = undefined;
  return true;
};

function menuKey(ctx: Ctx): string {
  const id = int(ctx.p.chat_id);
  if (id === undefined) return "default";
  const chat = ctx.world.chatOf(id);
  if (chat.chat.type !== "private") {
    throw badRequest("menu button can be set only in private chats");
  }
  return String(chat.id);
}

const setChatMenuButton: Handler = (ctx) => {
  const button = object(ctx.p.menu_button, "menu_button") ?? { type: "default" };
  const type = str(button.type);
  if (type === "web_app") {
    if (
      typeof button.text !== "string" ||
      typeof (button.web_app as Obj | undefined)?.url !== "string"
    ) {
      throw badRequest("can't parse menu button: web_app button needs text and web_app.url");
    }
  } else if (type !== "commands" && type !== "default") {
    throw badRequest("can't parse menu button: unsupported type");
  }
  ctx.world.store.menuButtons.set(menuKey(ctx), button);
  return true;
};

const getChatMenuButton: Handler = (ctx) => {
  const map = ctx.world.store.menuButtons;
  const key = menuKey(ctx);
  const own = key === "default" ? undefined : map.get(key);
  const chosen = own && own.type !== "default" ? own : map.get("default");
  return chosen && chosen.type !== "default" ? chosen : { type: "commands" };
};

const RIGHTS = [
  "is_anonymous",
  "can_manage_chat",
  "can_delete_messages",
  "can_manage_video_chats",
  "can_restrict_members",
  "can_promote_members",
  "can_change_info",
  "can_invite_users",
  "can_post_stories",
  "can_edit_stories",
  "can_delete_stories",
  "can_post_messages",
  "can_edit_messages",
  "can_pin_messages",
  "can_manage_topics",
  "can_manage_direct_messages",
  "can_manage_tags",
];

function rightsFrom(value: Obj | undefined, forChannels: boolean): Obj {
  const out: Obj = {};
  for (const k of RIGHTS) {
    if (!forChannels && (k === "can_post_messages" || k === "can_edit_messages")) continue;
    if (forChannels && (k === "can_pin_messages" || k === "can_manage_topics")) continue;
    out[k] = bool(value?.[k]) ?? false;
  }
  return out;
}

const setMyDefaultAdministratorRights: Handler = (ctx) => {
  const channels = bool(ctx.p.for_channels) ?? false;
  const rights = object(ctx.p.rights, "rights");
  ctx.world.store.defaultRights.set(
    channels ? "channels" : "groups",
    rightsFrom(rights, channels),
  );
  return true;
};

const getMyDefaultAdministratorRights: Handler = (ctx) => {
  const channels = bool(ctx.p.for_channels) ?? false;
  return ctx.world.store.defaultRights.get(channels ? "channels" : "groups") ??
    rightsFrom(undefined, channels);
};

/** Handlers of the bot's own settings. */
export const SETTINGS_HANDLERS: Record<string, Handler> = {
  setMyCommands,
  getMyCommands,
  deleteMyCommands,
  setMyName: name.set,
  getMyName: name.get,
  setMyDescription: description.set,
  getMyDescription: description.get,
  setMyShortDescription: shortDescription.set,
  getMyShortDescription: shortDescription.get,
  setMyProfilePhoto,
  removeMyProfilePhoto,
  setChatMenuButton,
  getChatMenuButton,
  setMyDefaultAdministratorRights,
  getMyDefaultAdministratorRights,
};
