/**
 * Answers to users' queries: callback queries, inline queries, and prepared messages and
 * buttons for Mini Apps.
 * @module
 */

import { badRequest } from "../api_error.ts";
import type { Obj } from "../world.ts";
import { array, bool, type Handler, int, object, str } from "./context.ts";

const TOO_OLD = "query is too old and response timeout expired or query ID is invalid";

const answerCallbackQuery: Handler = (ctx) => {
  const rec = ctx.world.callbackQueries.get(str(ctx.p.callback_query_id) ?? "");
  if (!rec || rec.answer) throw badRequest(TOO_OLD);
  const text = str(ctx.p.text);
  if (text !== undefined && text.length > 200) throw badRequest("MESSAGE_TOO_LONG");
  const url = str(ctx.p.url);
  if (url !== undefined && !/^(https?|tg):\/\//.test(url)) throw badRequest("URL_INVALID");
  const answer: Obj = {};
  if (text !== undefined) answer.text = text;
  const alert = bool(ctx.p.show_alert);
  if (alert !== undefined) answer.show_alert = alert;
  if (url !== undefined) answer.url = url;
  const cache = int(ctx.p.cache_time);
  if (cache !== undefined) answer.cache_time = cache;
  rec.answer = answer;
  rec.resolve(answer);
  return true;
};

const answerInlineQuery: Handler = (ctx) => {
  const rec = ctx.world.inlineQueries.get(str(ctx.p.inline_query_id) ?? "");
  if (!rec || rec.answer) throw badRequest(TOO_OLD);
  const results = array(ctx.p.results, "results") ?? [];
  if (results.length > 50) throw badRequest("RESULTS_TOO_MUCH");
  const ids = new Set<string>();
  for (const raw of results) {
    const r = object(raw, "InlineQueryResult") ?? {};
    const type = str(r.type);
    const id = str(r.id);
    if (!type) {
      throw badRequest('can\'t parse InlineQueryResult: Field "type" must be of type String');
    }
    if (!id || new TextEncoder().encode(id).length > 64) throw badRequest("RESULT_ID_INVALID");
    if (ids.has(id)) throw badRequest("RESULT_ID_DUPLICATE");
    ids.add(id);
  }
  const answer: Obj = { results };
  for (const k of ["cache_time", "is_personal", "next_offset", "button"]) {
    if (ctx.p[k] !== undefined) answer[k] = ctx.p[k];
  }
  rec.answer = answer;
  rec.resolve(answer);
  return true;
};

const savePreparedInlineMessage: Handler = (ctx) => {
  const user = ctx.world.userOf(ctx.p.user_id);
  const result = object(ctx.p.result, "result");
  if (!result || !str(result.type) || !str(result.id)) throw badRequest("RESULT_ID_INVALID");
  const chats = ["allow_user_chats", "allow_bot_chats", "allow_group_chats", "allow_channel_chats"];
  if (!chats.some((k) => bool(ctx.p[k]))) {
    throw badRequest("at least one chat type must be allowed");
  }
  const prepared = { id: ctx.world.randomId(12), expiration_date: ctx.world.now() + 86400 };
  ctx.world.store.preparedMessages.set(prepared.id, { user: user.user.id, value: result });
  return prepared;
};

const savePreparedKeyboardButton: Handler = (ctx) => {
  const user = ctx.world.userOf(ctx.p.user_id);
  const button = object(ctx.p.button, "button");
  if (!button || typeof button.text !== "string") throw badRequest("can't parse KeyboardButton");
  const id = ctx.world.randomId(12);
  ctx.world.store.preparedButtons.set(id, { user: user.user.id, value: button });
  return { id };
};

/** Query answer handlers. */
export const QUERY_HANDLERS: Record<string, Handler> = {
  answerCallbackQuery,
  answerInlineQuery,
  savePreparedInlineMessage,
  savePreparedKeyboardButton,
};
