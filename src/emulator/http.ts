/**
 * Building the emulator's HTTP answers: Bot API JSON envelopes and CORS headers as
 * Telegram sends them.
 * @module
 */

import type { ErrorParameters } from "./api_error.ts";

/** CORS headers on every answer, as api.telegram.org sends them. */
export const CORS_HEADERS: Readonly<Record<string, string>> = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, POST, OPTIONS",
  "access-control-expose-headers": "Content-Length,Content-Type,Date,Server,Connection",
};

/** Answers a JSON body with CORS headers. */
export function jsonResponse(status: number, body: unknown, extra?: Record<string, string>) {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...CORS_HEADERS, ...extra },
  });
}

/** The `{ ok: false, ... }` envelope. */
export function errorBody(code: number, description: string, parameters?: ErrorParameters) {
  return parameters === undefined
    ? { ok: false, error_code: code, description }
    : { ok: false, error_code: code, description, parameters };
}

/** Answers a CORS preflight (`OPTIONS`). */
export function preflightResponse(req: Request): Response {
  return new Response(null, {
    status: 204,
    headers: {
      ...CORS_HEADERS,
      "access-control-allow-headers": req.headers.get("access-control-request-headers") ??
        "Content-Type",
      "access-control-max-age": "86400",
    },
  });
}

const REASONS: Record<number, string> = {
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** The standard reason phrase of a 5xx status. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? "Server Error";
}

/** An nginx-style HTML error page, what a proxy in front of the Bot API answers. */
export function htmlErrorResponse(status: number): Response {
  const title = `${status} ${reasonPhrase(status)}`;
  const html = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}` +
    `</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return new Response(html, {
    status,
    headers: { "content-type": "text/html", ...CORS_HEADERS },
  });
}
