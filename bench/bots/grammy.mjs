// grammY 1.46 for the side-by-side bench: BOT_KIND "start" (bot.start(), the built-in
// long polling) or "runner" (@grammyjs/runner's run(), concurrent). From tools/node_modules.
import { createRequire } from "node:module";
import process from "node:process";

const { API_ROOT, BOT_TOKEN, TOOLS, BOT_KIND = "start" } = process.env;
const require = createRequire(`${TOOLS}/package.json`);
const { Bot } = require("grammy");

const bot = new Bot(BOT_TOKEN, { client: { apiRoot: API_ROOT } });
bot.on("message:text", (ctx) => ctx.reply(ctx.message.text));
bot.catch((err) => console.error(`[grammy] ${err.message}`));
if (BOT_KIND === "runner") {
  const { run } = require("@grammyjs/runner");
  run(bot);
} else {
  await bot.start({ timeout: 10 });
}
