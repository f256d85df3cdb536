import type { Readable } from "node:stream";
import { Agent, EnvHttpProxyAgent, ProxyAgent, type Dispatcher } from "undici";
import type { SenderCredentials } from "../keys";
import { checkServerOrganization } from "./server-identity";
import { transportErrorFrom } from "./transport-errors";

export interface Timeouts {
  /** TCP + TLS connection set-up (default 5 s). */
  connect: number;
  /** Waiting for response headers of API calls, and body inactivity (default 10 s). */
  response: number;
  /** Waiting for a download's response headers, and body inactivity while it streams (default 60 s). */
  download: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connect: 5_000, response: 10_000, download: 60_000 };

export interface TransportOptions {
  credentials: SenderCredentials;
  trustedCertificates: readonly string[];
  serverOrganizationNumber: string | false;
  userAgent: string;
  timeouts: Timeouts;
  /**
   * `http://proxy:3128` (credentials allowed); the TLS session to the service runs through it.
   * Undefined: `HTTPS_PROXY`/`https_proxy` and `NO_PROXY` from the environment. `false`: none.
   */
  proxy?: string | false;
}

export interface RequestBody {
  contentType: string;
  length?: number;
  /** A fresh body for each attempt. */
  content(): Readable | string;
}

export interface HttpRequest {
  method: "GET" | "POST" | "DELETE";
  url: string;
  accept?: string;
  body?: RequestBody;
  /** A download: the long timeouts. */
  download?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  header(name: string): string | undefined;
  body: Readable;
}

/**
 * One keep-alive connection pool per client, with the enterprise certificate for mutual TLS,
 * TLS 1.2 or newer, and the server checked against the trust anchors and Posten's
 * organization number. The pool holds the private key, so it lives in a private field:
 * `util.inspect` of the client never reaches it.
 */
export class HttpTransport {
  readonly #dispatcher: Dispatcher;
  readonly #userAgent: string;
  readonly #timeouts: Timeouts;

  constructor(options: TransportOptions) {
    this.#userAgent = options.userAgent;
    this.#timeouts = { ...options.timeouts };
    this.#dispatcher = dispatcherFor(options);
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { "user-agent": this.#userAgent };
    if (request.accept) headers["accept"] = request.accept;
    if (request.body) {
      headers["content-type"] = request.body.contentType;
      if (request.body.length !== undefined) headers["content-length"] = String(request.body.length);
    }
    const wait = request.download ? this.#timeouts.download : this.#timeouts.response;
    try {
      const response = await this.#dispatcher.request({
        origin: new URL(request.url).origin,
        path: pathOf(request.url),
        method: request.method,
        headers,
        body: request.body?.content() ?? null,
        headersTimeout: wait,
        bodyTimeout: wait,
        signal: request.signal ?? null,
      });
      return {
        status: response.statusCode,
        header: (name) => {
          const value = response.headers[name.toLowerCase()];
          return Array.isArray(value) ? value[0] : value;
        },
        body: response.body,
      };
    } catch (error) {
      throw transportErrorFrom(error, request.url);
    }
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }
}

function dispatcherFor(options: TransportOptions): Dispatcher {
  const tls = {
    key: options.credentials.tls.key,
    cert: options.credentials.tls.cert,
    ca: [...options.trustedCertificates],
    minVersion: "TLSv1.2" as const,
    rejectUnauthorized: true,
    checkServerIdentity: checkServerOrganization(options.serverOrganizationNumber),
    timeout: options.timeouts.connect,
  };
  const proxyTls = { timeout: options.timeouts.connect };
  if (typeof options.proxy === "string") return new ProxyAgent({ uri: options.proxy, requestTls: tls, proxyTls });
  if (options.proxy === undefined && (process.env["HTTPS_PROXY"] || process.env["https_proxy"])) {
    // Only the https proxy variables count: every call of the client is https.
    return new EnvHttpProxyAgent({ httpProxy: "", connect: tls, requestTls: tls, proxyTls, keepAliveTimeout: 30_000 });
  }
  return new Agent({ connect: tls, keepAliveTimeout: 30_000 });
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
