// Baseline: the simplest echo loop on the global fetch (Node or Deno): getUpdates, then
// each reply awaited in turn.
import process from "node:process";

const { API_ROOT, BOT_TOKEN } = process.env;
const base = `${API_ROOT}/bot${BOT_TOKEN}/`;
const headers = { "content-type": "application/json" };
async function call(method, params) {
  const res = await fetch(base + method, { method: "POST", headers, body: JSON.stringify(params) });
  const answer = await res.json();
  if (!answer.ok) throw new Error(`${method}: ${answer.description}`);
  return answer.result;
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
