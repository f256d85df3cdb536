import { promises as dns } from "node:dns";
import http from "node:http";
import net from "node:net";
import tls from "node:tls";

/**
 * The network steps of the pre-flight check, each on node:dns, node:net and node:tls directly so
 * that every stage (name, TCP, proxy tunnel, TLS, HTTP) can be told apart and timed out on its own.
 */

export class StepTimeout extends Error {}

/** Waits for `promise` at most `ms`, or until `signal` aborts; `cleanup` runs if it gives up. */
export function within<T>(promise: Promise<T>, ms: number, what: string, signal: AbortSignal, cleanup: () => void = () => {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const giveUp = (error: Error) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      cleanup();
      reject(error);
    };
    const onAbort = () => giveUp(new StepTimeout(`${what}: stopped (the check's deadline passed or it was cancelled)`));
    const timer = setTimeout(() => giveUp(new StepTimeout(`${what}: no answer within ${ms} ms`)), ms);
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** The host's addresses (an IP address stands for itself). */
export async function resolve(host: string, ms: number, signal: AbortSignal): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, "");
  if (net.isIP(bare)) return [bare];
  const found = await within(dns.lookup(bare, { all: true }), ms, `looking up ${bare}`, signal);
  return found.map((entry) => entry.address);
}

export function connect(address: string, port: number, ms: number, signal: AbortSignal): Promise<net.Socket> {
  const socket = net.connect({ host: address, port });
  const connected = new Promise<net.Socket>((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    // Kept after the connection is made: a later error then settles nothing instead of being unhandled.
    socket.on("error", reject);
  });
  return within(connected, ms, `connecting to ${address} port ${port}`, signal, () => socket.destroy());
}

/** Asks an HTTP proxy for a tunnel (HTTP CONNECT) to `host:port` on an open socket to the proxy. */
export function tunnel(
  socket: net.Socket,
  host: string,
  port: number,
  authorization: string | undefined,
  ms: number,
  signal: AbortSignal,
): Promise<void> {
  const target = `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
  const answered = new Promise<void>((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf("\r\n\r\n");
      if (end < 0 && head.length < 16 * 1024) return;
      socket.off("data", onData);
      socket.off("error", reject);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.toString("latin1"))?.[1];
      if (status === "200" && end >= 0) resolve();
      else
        reject(
          new Error(
            status ? `the proxy answered the tunnel request with HTTP ${status}` : "the proxy's answer to the tunnel request was not HTTP",
          ),
        );
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.once("end", () => reject(new Error("the proxy closed the connection instead of opening a tunnel")));
  });
  const proxyAuthorization = authorization === undefined ? "" : `Proxy-Authorization: ${authorization}\r\n`;
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${proxyAuthorization}\r\n`);
  return within(answered, ms, `opening a tunnel through the proxy to ${target}`, signal, () => socket.destroy());
}

/** Without key, certificate and anchors: a server TLS (a proxy) checked against Node's roots by host name. */
export interface TlsOptions {
  host: string;
  key?: string;
  cert?: string;
  ca?: readonly string[];
  checkServerIdentity?: (host: string, certificate: tls.PeerCertificate) => Error | undefined;
}

export function handshake(socket: net.Socket, options: TlsOptions, ms: number, signal: AbortSignal): Promise<tls.TLSSocket> {
  const bare = options.host.replace(/^\[|\]$/g, "");
  const secure = tls.connect({
    socket,
    minVersion: "TLSv1.2",
    rejectUnauthorized: true,
    ...(options.key && options.cert ? { key: options.key, cert: options.cert } : {}),
    ...(options.ca ? { ca: [...options.ca] } : {}),
    ...(options.checkServerIdentity ? { checkServerIdentity: options.checkServerIdentity } : {}),
    ...(net.isIP(bare) ? {} : { servername: bare }),
  });
  const done = new Promise<tls.TLSSocket>((resolve, reject) => {
    secure.once("secureConnect", () => resolve(secure));
    secure.on("error", reject);
  });
  return within(done, ms, `the TLS handshake with ${bare}`, signal, () => secure.destroy());
}

export interface SmallResponse {
  status: number;
  /** At most 2 KB of the body, as text. */
  text: string;
  /** The `Retry-After` header, if any (a 429). */
  retryAfter?: string;
}

const BODY_LIMIT = 2048;

/** One GET over an established TLS socket; only the start of the body is kept. */
export function get(
  socket: tls.TLSSocket,
  url: URL,
  headers: Record<string, string>,
  ms: number,
  signal: AbortSignal,
): Promise<SmallResponse> {
  const request = http.request({
    method: "GET",
    host: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers: { ...headers, host: url.host, connection: "close" },
    createConnection: () => socket,
  });
  const answered = new Promise<SmallResponse>((resolve, reject) => {
    request.once("error", reject);
    request.once("response", (response) => {
      let body = Buffer.alloc(0);
      const retryAfter = response.headers["retry-after"];
      const finish = () =>
        resolve({
          status: response.statusCode ?? 0,
          text: body.subarray(0, BODY_LIMIT).toString("utf8"),
          ...(retryAfter !== undefined ? { retryAfter } : {}),
        });
      response.on("data", (chunk: Buffer) => {
        if (body.length < BODY_LIMIT) body = Buffer.concat([body, chunk]);
        if (body.length >= BODY_LIMIT) {
          response.destroy();
          finish();
        }
      });
      response.once("end", finish);
      response.once("error", reject);
    });
    request.end();
  });
  return within(answered, ms, `waiting for the answer to GET ${url.pathname}`, signal, () => request.destroy());
}
