/**
 * What method handlers remember beyond users, chats and messages: the bot's settings,
 * per-chat lists, sticker sets, inline and prepared messages, drafts, reactions and
 * payments. One typed field per kind of thing, so a misspelt name is a compile error.
 * @module
 */

type Obj = Record<string, unknown>;

/** What the emulator remembers about an invoice the bot sent. */
export interface InvoiceRec {
  payload: string;
  currency: string;
  total: number;
  flexible: boolean;
  title: string;
}

/** An open shipping or pre-checkout query and its answer. */
export interface PaymentQueryRec {
  readonly query: Obj;
  answer?: Obj;
  resolve(answer: Obj): void;
}

/** A payment made by an emulated user. */
export interface PaymentRec {
  userId: number;
  currency: string;
  total: number;
  payload: string;
  refunded: boolean;
}

/** The payment state of a world. */
export interface PaymentState {
  /** Invoices by `${chatId}:${messageId}`. */
  readonly invoices: Map<string, InvoiceRec>;
  readonly shippingQueries: Map<string, PaymentQueryRec>;
  readonly preCheckoutQueries: Map<string, PaymentQueryRec>;
  /** Payments by telegram_payment_charge_id. */
  readonly payments: Map<string, PaymentRec>;
  /** StarTransaction objects, oldest first. */
  readonly transactions: Obj[];
}

/** A draft the bot streams to a private chat with sendMessageDraft. */
export interface DraftRec {
  draft_id: number;
  text: string;
  entities?: unknown[];
  date: number;
}

/** The bot's texts that getMy* returns, each by language code ("" for the default). */
export type BotTextField = "name" | "description" | "short_description";

/** A message the bot prepared for a user (savePreparedInlineMessage and friends). */
export interface PreparedRec<T> {
  readonly user: number;
  readonly value: T;
}

/** The state of method handlers that is not a user, chat or message. */
export class HandlerStore {
  /** Bot commands by scope and language key. */
  readonly commands: Map<string, Obj[]> = new Map();
  /** The bot's name, description and short description, by language code. */
  readonly botTexts: Record<BotTextField, Map<string, string>> = {
    name: new Map(),
    description: new Map(),
    short_description: new Map(),
  };
  /** Menu buttons by chat id ("" for the default). */
  readonly menuButtons: Map<string, Obj> = new Map();
  /** Default administrator rights for groups and for channels. */
  readonly defaultRights: Map<"groups" | "channels", Obj> = new Map();
  /** The bot's profile photo (an InputProfilePhoto), if set. */
  profilePhoto: Obj | undefined;
  /** Sender chats banned in a chat, by chat id. */
  readonly bannedSenders: Map<number, Set<number>> = new Map();
  /** Pending join requests of a chat by user id, by chat id. */
  readonly joinRequests: Map<number, Map<number, Obj>> = new Map();
  /** Sticker sets by lower-case name. */
  readonly stickerSets: Map<string, Obj> = new Map();
  /** Emoji and keywords of stickers, by file_id. */
  readonly stickerMeta: Map<string, Obj> = new Map();
  /** Inline messages (sent via inline mode) by inline_message_id. */
  readonly inlineMessages: Map<string, Obj> = new Map();
  /** Prepared inline messages by id. */
  readonly preparedMessages: Map<string, PreparedRec<Obj>> = new Map();
  /** Prepared keyboard buttons by id. */
  readonly preparedButtons: Map<string, PreparedRec<Obj>> = new Map();
  /** The bot's reactions by `${chatId}:${messageId}`. */
  readonly reactions: Map<string, unknown[]> = new Map();
  /** Drafts being streamed, by private chat id. */
  readonly drafts: Map<number, DraftRec> = new Map();
  /** Invoices, payment queries, payments and Star transactions. */
  readonly payments: PaymentState = {
    invoices: new Map(),
    shippingQueries: new Map(),
    preCheckoutQueries: new Map(),
    payments: new Map(),
    transactions: [],
  };

  /** The banned sender chats of a chat (created on first use). */
  bannedSendersOf(chatId: number): Set<number> {
    return entry(this.bannedSenders, chatId, () => new Set());
  }

  /** The pending join requests of a chat (created on first use). */
  joinRequestsOf(chatId: number): Map<number, Obj> {
    return entry(this.joinRequests, chatId, () => new Map());
  }
}

function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, value = make());
  return value;
}
