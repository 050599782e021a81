// A Cloudflare Worker as a user of the npm package writes it. tests/runtimes_test.ts bundles it
// with plain esbuild (as wrangler does: platform browser, conditions workerd/worker/browser)
// against the packed npm build, and tests/worker/suite.mjs runs it in workerd via miniflare.
//
// `/echo` feeds a Bot that echoes; `/counter` a DelegatorBot whose per-chat delegate counts the
// chat's messages (the count lives in the isolate's memory). A delegate here lives within one
// request: workerd does not let a request use I/O objects (AbortSignals, timers, streams) made by
// another, so a delegate that waits across requests (a ChatHandler with createOpen) belongs in a
// long-running process (Deno, Node, Bun).
import { Bot, DelegatorBot } from "telepot";
import { call, perChatId } from "telepot/delegate";
import { webhookCallback } from "telepot/webhook";

class EchoBot extends Bot {
  async handle(msg) {
    if (msg.text) await this.sendMessage(msg.chat.id, `worker: ${msg.text}`);
  }
}

const counts = new Map();

/** A per-chat delegate: counts the chat's messages and says how many so far. */
const countMessage = call(async ([bot, msg]) => {
  const n = (counts.get(msg.chat.id) ?? 0) + 1;
  counts.set(msg.chat.id, n);
  await bot.sendMessage(msg.chat.id, `count ${n}`);
});

const routes = new Map();

function route(path, env) {
  let cb = routes.get(path);
  if (cb) return cb;
  const options = { apiRoot: env.API_ROOT };
  if (path === "/echo") {
    cb = webhookCallback(new EchoBot(env.BOT_TOKEN, options), {
      secretToken: env.SECRET,
    });
  } else if (path === "/counter") {
    const bot = new DelegatorBot(
      env.BOT_TOKEN,
      [[perChatId(), countMessage]],
      options,
    );
    cb = webhookCallback(bot, { secretToken: env.SECRET });
  } else {
    return undefined;
  }
  routes.set(path, cb);
  return cb;
}

export default {
  fetch(request, env, ctx) {
    const cb = route(new URL(request.url).pathname, env);
    if (!cb) return new Response("not found", { status: 404 });
    return cb(request, env, ctx);
  },
};
