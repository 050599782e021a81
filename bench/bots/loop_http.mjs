// Baseline: the same echo loop on node:http with a keep-alive agent (Node only): the
// practical limit of a one-update-at-a-time bot on this machine.
import { Buffer } from "node:buffer";
import http from "node:http";
import process from "node:process";

const { API_ROOT, BOT_TOKEN } = process.env;
const base = `${API_ROOT}/bot${BOT_TOKEN}/`;
const agent = new http.Agent({ keepAlive: true });
function call(method, params) {
  const body = JSON.stringify(params);
  return new Promise((resolve, reject) => {
    const req = http.request(base + method, {
      method: "POST",
      agent,
      headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => {
        const answer = JSON.parse(text);
        if (answer.ok) resolve(answer.result);
        else reject(new Error(`${method}: ${answer.description}`));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}
let offset = 0;
for (;;) {
  const updates = await call("getUpdates", { offset, timeout: 10 });
  for (const u of updates) {
    offset = u.update_id + 1;
    if (u.message?.text) {
      await call("sendMessage", { chat_id: u.message.chat.id, text: u.message.text });
    }
  }
}
