// Our bot for the side-by-side bench: the npm build under Node, or the source under Deno.
// TELEPOT_ROOT is the folder of the entry points, TELEPOT_EXT ".js" (npm build) or ".ts".
// BOT_KIND: "echo" (DelegatorBot, one delegate per chat: replies in order per chat,
// chats concurrently), "echo-plain" (a Bot whose handle() awaits each reply: one update
// at a time), "counter" (a ChatHandler per chat counting its messages). SETTLE sets the
// loop's settleTimeout (default: the loop's own, which waits for a batch's delegates
// before confirming it and polling again).
import process from "node:process";

const { API_ROOT, BOT_TOKEN, TELEPOT_ROOT, TELEPOT_EXT = ".js", BOT_KIND = "echo", SETTLE } =
  process.env;
const entry = (name) => import(new URL(`${name}${TELEPOT_EXT}`, `file://${TELEPOT_ROOT}/`).href);
const { Bot, DelegatorBot } = await entry("mod");
const { call, createOpen, perChatId } = await entry("delegate");
const { ChatHandler } = await entry("helper");

const options = { apiRoot: API_ROOT };
const onError = (err) => console.error(`[ours] ${err?.message ?? err}`);
let bot;
if (BOT_KIND === "echo") {
  bot = new DelegatorBot(BOT_TOKEN, [[
    perChatId(),
    call(async ([b, msg]) => {
      if (msg.text) await b.sendMessage(msg.chat.id, msg.text);
    }),
  ]], { ...options, onError });
} else if (BOT_KIND === "echo-plain") {
  bot = new (class extends Bot {
    async handle(msg) {
      if (msg.text) await this.sendMessage(msg.chat.id, msg.text);
    }
  })(BOT_TOKEN, options);
} else if (BOT_KIND === "counter") {
  class Counter extends ChatHandler {
    count = 0;
    onChatMessage() {
      return this.sender.sendMessage(String(++this.count));
    }
  }
  bot = new DelegatorBot(BOT_TOKEN, [[perChatId(), createOpen(Counter, { timeout: 600 })]], {
    ...options,
    onError,
  });
} else {
  throw new Error(`BOT_KIND ${BOT_KIND}?`);
}
const loopOptions = { timeout: 10, onError };
if (SETTLE !== undefined) loopOptions.settleTimeout = Number(SETTLE);
await bot.messageLoop(undefined, loopOptions);
