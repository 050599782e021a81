/**
 * Standalone Bot API emulator: `deno task emulator [--port N] [--token T] [--flood]`.
 *
 * Serves the emulated Bot API for bots written with any library (point their API root at
 * the printed apiRoot and use the printed token) and the user side over HTTP under
 * `/_emulator/...` (see docs/emulator.md). Stops on Ctrl-C.
 * @module
 */

import { Emulator } from "../testing.ts";

interface Args {
  port: number;
  token?: string;
  host: string;
  privacy: boolean;
  flood: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { port: 8081, host: "127.0.0.1", privacy: false, flood: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--port" || a.startsWith("--port=")) args.port = Number(value());
    else if (a === "--token" || a.startsWith("--token=")) args.token = value();
    else if (a === "--host" || a.startsWith("--host=")) args.host = value();
    else if (a === "--privacy") args.privacy = true;
    else if (a === "--flood") args.flood = true;
    else if (a === "--help" || a === "-h") {
      console.log(
        "usage: deno task emulator [--port N (default 8081, 0 = any)] [--token T] [--host H] " +
          "[--privacy] [--flood (enforce Telegram's flood limits)]",
      );
      Deno.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
    throw new Error("--port must be an integer between 0 and 65535");
  }
  return args;
}

async function main() {
  let args: Args;
  try {
    args = parseArgs(Deno.args);
  } catch (err) {
    console.error(`emulator: ${(err as Error).message}`);
    Deno.exit(2);
  }
  const emu = new Emulator({ token: args.token, privacyMode: args.privacy, flood: args.flood });
  const server = await emu.serve({
    port: args.port,
    hostname: args.host,
    control: true,
  });
  console.log("Telegram Bot API emulator (offline)");
  console.log(`apiRoot: ${server.apiRoot}`);
  console.log(`token:   ${emu.token}`);
  console.log(`user side: ${server.apiRoot}/_emulator  (docs/emulator.md)`);
  console.log(
    `try:     curl -s -X POST ${server.apiRoot}/_emulator/users -d '{"first_name":"Alice"}'`,
  );
  const stop = async () => {
    await emu.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  if (Deno.build.os !== "windows") Deno.addSignalListener("SIGTERM", stop);
}

if (import.meta.main) await main();
