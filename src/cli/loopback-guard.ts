import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";

/**
 * The Node-RED of `npm start` has no adminAuth: whoever can send it a request can deploy a flow,
 * and a flow can write files and run code. It listens on loopback only, but a web page the
 * developer visits can still reach it: through DNS rebinding (a name of the page's own that
 * resolves to 127.0.0.1, seen here as a foreign Host header) or by a cross-origin request (a form
 * POST, a fetch, a WebSocket, none of which the browser asks before sending). So every request
 * must be addressed to a loopback name on this port, and every request a page sends with an
 * Origin, apart from plain GETs, must come from this origin.
 */

const LOOPBACK_NAMES = ["127.0.0.1", "localhost", "[::1]"];
/** Methods a browser sends cross-origin without asking and that Node-RED never uses to change state. */
const SAFE_METHODS = new Set(["GET", "HEAD"]);

/** Why the request is refused, or undefined when it may pass. */
export function refusalOf(request: IncomingMessage): string | undefined {
  const port = request.socket.localPort;
  const host = (request.headers.host ?? "").toLowerCase();
  if (!LOOPBACK_NAMES.some((name) => host === `${name}:${port}` || (port === 80 && host === name))) {
    return `This Node-RED answers only requests addressed to 127.0.0.1, localhost or [::1] on port ${port}, not to "${host.slice(0, 100)}"`;
  }
  const origin = request.headers.origin;
  const isUpgrade = request.headers.upgrade !== undefined;
  if (origin !== undefined && origin !== `http://${host}` && (isUpgrade || !SAFE_METHODS.has(request.method ?? ""))) {
    return `Requests from pages of another origin (${origin.slice(0, 100)}) are refused`;
  }
  return undefined;
}

/**
 * Express-style middleware in front of Node-RED's admin and node apps. It also answers every CORS
 * preflight itself, without CORS headers: Node-RED's admin app would grant any origin.
 */
export function loopbackGuard(request: IncomingMessage, response: ServerResponse, next: () => void): void {
  const refusal = refusalOf(request);
  if (refusal !== undefined) {
    response.writeHead(403, { "content-type": "text/plain; charset=utf-8" }).end(refusal + "\n");
  } else if (request.method === "OPTIONS") {
    response.writeHead(204, { allow: "GET, HEAD, POST, PUT, DELETE" }).end();
  } else {
    next();
  }
}

/**
 * For `httpAdminMiddleware`: Node-RED's admin app sends `Access-Control-Allow-Origin: *` on every
 * response (its own cors handler runs before this), which would let any page read `/flows`.
 */
export function withoutCorsHeaders(_request: IncomingMessage, response: ServerResponse, next: () => void): void {
  for (const name of ["access-control-allow-origin", "access-control-allow-methods", "access-control-allow-credentials"]) {
    response.removeHeader(name);
  }
  next();
}

/**
 * Puts the guard in front of WebSocket upgrades (the editor's comms, websocket nodes), which bypass
 * the express app. Node-RED and its websocket nodes add their upgrade listeners whenever they
 * start, a redeploy included, so the server's upgrade event itself is filtered.
 */
export function guardUpgrades(server: Server): void {
  const emit = server.emit.bind(server) as (event: string | symbol, ...args: unknown[]) => boolean;
  server.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === "upgrade") {
      const [request, socket] = args as [IncomingMessage, Duplex];
      const refusal = refusalOf(request);
      if (refusal !== undefined) {
        socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${refusal}\n`);
        return true;
      }
    }
    return emit(event, ...args);
  }) as Server["emit"];
}
