// Telegraf 4.16 for the side-by-side bench (its long polling, a keep-alive http agent for
// the plain-http API root). From tools/node_modules.
import { createRequire } from "node:module";
import http from "node:http";
import process from "node:process";

const { API_ROOT, BOT_TOKEN, TOOLS } = process.env;
const require = createRequire(`${TOOLS}/package.json`);
const { Telegraf } = require("telegraf");

const bot = new Telegraf(BOT_TOKEN, {
  telegram: { apiRoot: API_ROOT, agent: new http.Agent({ keepAlive: true }) },
});
bot.on("text", (ctx) => ctx.reply(ctx.message.text));
bot.catch((err) => console.error(`[telegraf] ${err.message}`));
await bot.launch();
