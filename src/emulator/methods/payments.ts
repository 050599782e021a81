/**
 * Payments: invoices, invoice links, shipping and pre-checkout queries from emulated users,
 * successful payments, Telegram Star balance, transactions and refunds.
 * @module
 */

import { badRequest, notModelled } from "../api_error.ts";
import type { Obj } from "../world.ts";
import { array, bool, type Ctx, type Handler, int, str } from "./context.ts";
import { postFromBot, targetChat } from "./compose.ts";

function prices(value: unknown, name = "prices"): number {
  const list = array(value, name) ?? [];
  if (list.length === 0) throw badRequest("CURRENCY_TOTAL_AMOUNT_INVALID");
  let total = 0;
  for (const p of list as Obj[]) {
    const amount = int(p?.amount);
    if (typeof p?.label !== "string" || amount === undefined) {
      throw badRequest(`can't parse ${name} JSON object`);
    }
    total += amount;
  }
  if (total <= 0) throw badRequest("CURRENCY_TOTAL_AMOUNT_INVALID");
  return total;
}

function invoiceChecks(p: Obj): number {
  const currency = str(p.currency) ?? "";
  if (!/^[A-Z]{3}$/.test(currency)) throw badRequest("CURRENCY_INVALID");
  if (currency === "XTR" && str(p.provider_token)) {
    throw badRequest("provider_token must be empty for payments in Telegram Stars");
  }
  if (currency !== "XTR" && !str(p.provider_token)) throw badRequest("PAYMENT_PROVIDER_INVALID");
  const title = str(p.title) ?? "";
  if (title.length < 1 || title.length > 32) throw badRequest("invoice title length must be 1-32");
  const description = str(p.description) ?? "";
  if (description.length < 1 || description.length > 255) {
    throw badRequest("invoice description length must be 1-255");
  }
  const payload = new TextEncoder().encode(str(p.payload) ?? "").length;
  if (payload < 1 || payload > 128) throw badRequest("invoice payload length must be 1-128 bytes");
  return prices(p.prices);
}

const sendInvoice: Handler = (ctx) => {
  const chat = targetChat(ctx);
  const total = invoiceChecks(ctx.p);
  const invoice = {
    title: str(ctx.p.title),
    description: str(ctx.p.description),
    start_parameter: str(ctx.p.start_parameter) ?? "",
    currency: str(ctx.p.currency),
    total_amount: total,
  };
  const msg = postFromBot(ctx, chat, { invoice });
  ctx.world.store.payments.invoices.set(`${chat.id}:${msg.message_id}`, {
    payload: str(ctx.p.payload)!,
    currency: invoice.currency!,
    total,
    flexible: bool(ctx.p.is_flexible) ?? false,
    title: invoice.title!,
  });
  return msg;
};

const createInvoiceLink: Handler = (ctx) => {
  if (ctx.p.business_connection_id !== undefined) {
    throw notModelled("createInvoiceLink", "business connections are not emulated");
  }
  invoiceChecks(ctx.p);
  return `https://t.me/$${ctx.world.randomId(22)}`;
};

const TOO_OLD = "query is too old and response timeout expired or query ID is invalid";

function answer(kind: "shippingQueries" | "preCheckoutQueries", idParam: string): Handler {
  return (ctx: Ctx) => {
    const rec = ctx.world.store.payments[kind].get(str(ctx.p[idParam]) ?? "");
    if (!rec || rec.answer) throw badRequest(TOO_OLD);
    const ok = bool(ctx.p.ok);
    if (ok === undefined) throw badRequest("ok is empty");
    const result: Obj = { ok };
    if (!ok) {
      const message = str(ctx.p.error_message);
      if (!message) throw badRequest("error_message is empty");
      result.error_message = message;
    } else if (kind === "shippingQueries") {
      const options = array(ctx.p.shipping_options, "shipping_options") ?? [];
      if (options.length === 0) throw badRequest("SHIPPING_OPTIONS_EMPTY");
      for (const o of options as Obj[]) {
        if (typeof o?.id !== "string" || typeof o?.title !== "string") {
          throw badRequest("can't parse shipping_options JSON object");
        }
        prices(o.prices, "shipping option prices");
      }
      result.shipping_options = options;
    }
    rec.answer = result;
    rec.resolve(result);
    return true;
  };
}

const refundStarPayment: Handler = (ctx) => {
  const user = ctx.world.userOf(ctx.p.user_id);
  const pay = ctx.world.store.payments.payments.get(str(ctx.p.telegram_payment_charge_id) ?? "");
  if (!pay || pay.userId !== user.user.id || pay.currency !== "XTR") {
    throw badRequest("CHARGE_NOT_FOUND");
  }
  if (pay.refunded) throw badRequest("CHARGE_ALREADY_REFUNDED");
  pay.refunded = true;
  ctx.world.store.payments.transactions.push({
    id: `${ctx.p.telegram_payment_charge_id}:refund`,
    amount: pay.total,
    date: ctx.world.now(),
    receiver: {
      type: "user",
      transaction_type: "invoice_payment",
      user: user.user,
      invoice_payload: pay.payload,
    },
  });
  return true;
};

const getStarTransactions: Handler = (ctx) => {
  const offset = Math.max(0, int(ctx.p.offset) ?? 0);
  const limit = Math.min(100, Math.max(1, int(ctx.p.limit) ?? 100));
  return { transactions: ctx.world.store.payments.transactions.slice(offset, offset + limit) };
};

const getMyStarBalance: Handler = (ctx) => {
  let amount = 0;
  for (const p of ctx.world.store.payments.payments.values()) {
    if (p.currency === "XTR" && !p.refunded) amount += p.total;
  }
  return { amount };
};

/** Payment handlers. */
export const PAYMENT_HANDLERS: Record<string, Handler> = {
  sendInvoice,
  createInvoiceLink,
  answerShippingQuery: answer("shippingQueries", "shipping_query_id"),
  answerPreCheckoutQuery: answer("preCheckoutQueries", "pre_checkout_query_id"),
  refundStarPayment,
  getStarTransactions,
  getMyStarBalance,
};
