/**
 * Invite links (plain and subscription ones) and join requests.
 * @module
 */

import { badRequest } from "../api_error.ts";
import type { ChatRec, Obj } from "../world.ts";
import { bool, type Ctx, type Handler, int, str } from "./context.ts";
import { group, needRight, setMember } from "./chat_access.ts";

function newLink(ctx: Ctx, chat: ChatRec, fields: Obj): Obj {
  const link: Obj = {
    invite_link: `https://t.me/+${ctx.world.randomId(16)}`,
    creator: ctx.world.bot,
    creates_join_request: false,
    is_primary: false,
    is_revoked: false,
    ...fields,
  };
  chat.inviteLinks.set(link.invite_link as string, link);
  return link;
}

function linkTarget(ctx: Ctx): ChatRec {
  const chat = group(ctx);
  needRight(ctx.world, chat, "can_invite_users", "manage invite links");
  return chat;
}

const exportChatInviteLink: Handler = (ctx) => {
  const chat = linkTarget(ctx);
  for (const l of chat.inviteLinks.values()) if (l.is_primary) l.is_revoked = true;
  const link = newLink(ctx, chat, { is_primary: true });
  chat.info.invite_link = link.invite_link;
  return link.invite_link;
};

function linkFields(ctx: Ctx): Obj {
  const out: Obj = {};
  const name = str(ctx.p.name);
  if (name !== undefined) {
    if (name.length > 32) throw badRequest("invite link name is too long");
    out.name = name;
  }
  const expire = int(ctx.p.expire_date);
  if (expire !== undefined) out.expire_date = expire;
  const limit = int(ctx.p.member_limit);
  const joinRequest = bool(ctx.p.creates_join_request) ?? false;
  if (limit !== undefined) {
    if (limit < 1 || limit > 99999) throw badRequest("member limit must be between 1 and 99999");
    if (joinRequest) {
      throw badRequest(
        "member limit can't be specified for links requiring administrator approval",
      );
    }
    out.member_limit = limit;
  }
  if (ctx.p.creates_join_request !== undefined) out.creates_join_request = joinRequest;
  return out;
}

const createChatInviteLink: Handler = (ctx) => newLink(ctx, linkTarget(ctx), linkFields(ctx));

function existingLink(ctx: Ctx, chat: ChatRec): Obj {
  const link = chat.inviteLinks.get(str(ctx.p.invite_link) ?? "");
  if (!link) throw badRequest("INVITE_HASH_EXPIRED");
  return link;
}

const editChatInviteLink: Handler = (ctx) => {
  const chat = linkTarget(ctx);
  const link = existingLink(ctx, chat);
  if (link.is_revoked) throw badRequest("INVITE_HASH_EXPIRED");
  Object.assign(link, linkFields(ctx));
  return link;
};

const createChatSubscriptionInviteLink: Handler = (ctx) => {
  const chat = linkTarget(ctx);
  if (chat.chat.type !== "channel") {
    throw badRequest("subscription invite links can be created only in channels");
  }
  const period = int(ctx.p.subscription_period);
  if (period !== 2592000) throw badRequest("subscription period must be 2592000 seconds");
  const price = int(ctx.p.subscription_price) ?? 0;
  if (price < 1 || price > 10000) throw badRequest("SUBSCRIPTION_PRICE_INVALID");
  const fields: Obj = { subscription_period: period, subscription_price: price };
  const name = str(ctx.p.name);
  if (name !== undefined) fields.name = name;
  return newLink(ctx, chat, fields);
};

const editChatSubscriptionInviteLink: Handler = (ctx) => {
  const chat = linkTarget(ctx);
  const link = existingLink(ctx, chat);
  if (link.subscription_period === undefined) {
    throw badRequest("the link is not a subscription link");
  }
  const name = str(ctx.p.name);
  if (name !== undefined) link.name = name;
  return link;
};

const revokeChatInviteLink: Handler = (ctx) => {
  const chat = linkTarget(ctx);
  const link = existingLink(ctx, chat);
  link.is_revoked = true;
  if (link.is_primary) {
    const fresh = newLink(ctx, chat, { is_primary: true });
    chat.info.invite_link = fresh.invite_link;
  }
  return link;
};

function answerJoin(approve: boolean): Handler {
  return (ctx) => {
    const chat = group(ctx);
    needRight(ctx.world, chat, "can_invite_users", "manage join requests");
    const user = ctx.world.userOf(ctx.p.user_id);
    const pending = ctx.world.store.joinRequestsOf(chat.id);
    if (!pending.has(user.user.id)) throw badRequest("HIDE_REQUESTER_MISSING");
    pending.delete(user.user.id);
    if (approve) {
      const service = chat.chat.type === "channel" ? undefined : { new_chat_members: [user.user] };
      if (service) {
        const msg = ctx.world.addMessage(chat, service, { from: user.user, byBot: false });
        ctx.services.queue.push({ message: msg });
      }
      setMember(ctx, chat, user, { status: "member", fields: {} });
    }
    return true;
  };
}

/** The invite link and join request handlers. */
export const INVITE_HANDLERS: Record<string, Handler> = {
  exportChatInviteLink,
  createChatInviteLink,
  editChatInviteLink,
  createChatSubscriptionInviteLink,
  editChatSubscriptionInviteLink,
  revokeChatInviteLink,
  approveChatJoinRequest: answerJoin(true),
  declineChatJoinRequest: answerJoin(false),
};
