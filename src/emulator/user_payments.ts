/**
 * A user pays an invoice the bot sent: the shipping and pre-checkout queries the bot must
 * answer, the payment and Star transaction the emulator records, and the user's
 * successful_payment message.
 * @module
 */

import { randomQueryId } from "./ids.ts";
import type { InvoiceRec, PaymentQueryRec } from "./store.ts";
import type { ChatRec, MessageObj, Obj, UserRec, World } from "./world.ts";

/** What paying needs from the emulator. */
export interface PaymentHost {
  readonly world: World;
  /** Queues an update for the bot (filtered by allowed_updates). */
  push(payload: Obj): void;
  /** Registers a cleanup to run when the emulator closes; returns its remover. */
  onClose(fn: () => void): () => void;
}

/** Options of a payment. */
export interface PayOptions {
  /** How long the bot may take to answer each query (ms, default 10000). */
  timeout?: number;
  /** The address a flexible invoice is shipped to (default a fixed US address). */
  shippingAddress?: Record<string, string>;
}

const DEFAULT_ADDRESS = {
  country_code: "US",
  state: "",
  city: "Springfield",
  street_line1: "1 Main St",
  street_line2: "",
  post_code: "12345",
};

/**
 * Pays the invoice `messageId` of `chat` as `user`; resolves with the successful_payment
 * message, rejects when the bot declines or does not answer in time.
 */
export async function payInvoice(
  host: PaymentHost,
  user: UserRec,
  chat: ChatRec,
  messageId: number,
  options: PayOptions = {},
): Promise<MessageObj> {
  const state = host.world.store.payments;
  const invoice = state.invoices.get(`${chat.id}:${messageId}`);
  if (!invoice) throw new Error("that message is not an invoice sent by the bot");
  const timeout = options.timeout ?? 10_000;
  let total = invoice.total;
  let shippingOptionId: string | undefined;
  if (invoice.flexible) {
    const option = await askShipping(host, user, invoice, options.shippingAddress, timeout);
    shippingOptionId = option.id as string;
    for (const p of option.prices as Obj[]) total += Number(p.amount);
  }
  const id = randomQueryId();
  const query: Obj = {
    id,
    from: user.user,
    currency: invoice.currency,
    total_amount: total,
    invoice_payload: invoice.payload,
  };
  if (shippingOptionId) query.shipping_option_id = shippingOptionId;
  const answer = await ask(
    host,
    state.preCheckoutQueries,
    id,
    { pre_checkout_query: query },
    timeout,
  );
  if (!answer.ok) throw new Error(`payment declined by the bot: ${answer.error_message}`);
  const charge = recordPayment(host.world, user, invoice, total);
  const payment: Obj = {
    currency: invoice.currency,
    total_amount: total,
    invoice_payload: invoice.payload,
  };
  if (shippingOptionId) payment.shipping_option_id = shippingOptionId;
  payment.telegram_payment_charge_id = charge;
  payment.provider_payment_charge_id = invoice.currency === "XTR"
    ? ""
    : `prov_${host.world.randomId(12)}`;
  const msg = host.world.addMessage(chat, { successful_payment: payment }, {
    from: user.user,
    byBot: false,
  });
  host.push({ message: msg });
  return msg;
}

/** Asks the bot for shipping options; resolves with the first one it offers. */
async function askShipping(
  host: PaymentHost,
  user: UserRec,
  invoice: InvoiceRec,
  address: Record<string, string> | undefined,
  timeout: number,
): Promise<Obj> {
  const id = randomQueryId();
  const answer = await ask(host, host.world.store.payments.shippingQueries, id, {
    shipping_query: {
      id,
      from: user.user,
      invoice_payload: invoice.payload,
      shipping_address: address ?? DEFAULT_ADDRESS,
    },
  }, timeout);
  if (!answer.ok) throw new Error(`shipping declined by the bot: ${answer.error_message}`);
  return (answer.shipping_options as Obj[])[0];
}

/** Records a payment (and its Star transaction); returns its charge id. */
function recordPayment(world: World, user: UserRec, invoice: InvoiceRec, total: number): string {
  const state = world.store.payments;
  const charge = `stxt${world.randomId(20)}`;
  state.payments.set(charge, {
    userId: user.user.id,
    currency: invoice.currency,
    total,
    payload: invoice.payload,
    refunded: false,
  });
  if (invoice.currency === "XTR") {
    state.transactions.push({
      id: charge,
      amount: total,
      date: world.now(),
      source: {
        type: "user",
        transaction_type: "invoice_payment",
        user: user.user,
        invoice_payload: invoice.payload,
      },
    });
  }
  return charge;
}

/** Queues a payment query and waits for the bot's answer (or the timeout, or close). */
function ask(
  host: PaymentHost,
  table: Map<string, PaymentQueryRec>,
  id: string,
  update: Obj,
  timeout: number,
): Promise<Obj> {
  return new Promise<Obj>((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer);
      removeClose();
    };
    const timer = setTimeout(() => {
      finish();
      table.delete(id);
      reject(new Error("the bot did not answer the payment query in time"));
    }, timeout);
    const removeClose = host.onClose(() => {
      finish();
      reject(new Error("the emulator was closed"));
    });
    table.set(id, {
      query: Object.values(update)[0] as Obj,
      resolve: (answer) => {
        finish();
        resolve(answer);
      },
    });
    host.push(update);
  });
}
