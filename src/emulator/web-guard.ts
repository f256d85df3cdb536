import type { IncomingMessage } from "node:http";
import { Rejection } from "./rejection";

/**
 * The web port answers only its own user. It listens on loopback, but a web page the developer
 * visits can still reach it: by DNS rebinding (a name of the page's own resolving to 127.0.0.1,
 * seen here as a foreign Host header) or by a cross-site POST (a form or a no-cors fetch, which
 * the browser sends without asking). So every request must name a loopback host and this port,
 * a POST from a browser must come from the emulator's own pages, and a POST to the control API
 * must be JSON, which no cross-site form or no-cors fetch can send.
 */
export function guardWebRequest(request: IncomingMessage): void {
  const port = request.socket.localPort;
  const host = (request.headers.host ?? "").toLowerCase();
  if (!allowedHosts(port).has(host)) {
    throw new Rejection(
      403,
      "HOST_NOT_ALLOWED",
      `The emulator answers only requests addressed to 127.0.0.1, localhost or [::1] on port ${port}, not to "${host.slice(0, 100)}"`,
    );
  }
  if (request.method !== "POST") return;
  const origin = request.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) {
    throw new Rejection(403, "CROSS_ORIGIN_REQUEST", `POSTs from pages of another origin (${origin.slice(0, 100)}) are refused`);
  }
  if (new URL(request.url ?? "/", "http://emulator").pathname.startsWith("/control/")) {
    const contentType = request.headers["content-type"];
    const mediaType = (contentType ?? "").split(";")[0]?.trim().toLowerCase();
    if (mediaType !== "application/json") {
      throw new Rejection(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        `A POST to the control API must have Content-Type application/json, not ${contentType === undefined ? "none" : contentType.slice(0, 100)}`,
      );
    }
  }
}

function allowedHosts(port: number | undefined): Set<string> {
  const names = ["127.0.0.1", "localhost", "[::1]"];
  return new Set([...names.map((name) => `${name}:${port}`), ...(port === 80 ? names : [])]);
}
