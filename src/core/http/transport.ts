import type { Readable } from "node:stream";
import { Agent, ProxyAgent, type Dispatcher } from "undici";
import type { SenderCredentials } from "../keys";
import { checkServerOrganization } from "./server-identity";
import { transportErrorFrom } from "./errors";

export interface Timeouts {
  /** TCP + TLS connection set-up (default 5 s). */
  connect: number;
  /** Waiting for response headers of API calls (default 10 s). */
  response: number;
  /** Inactivity while streaming a download (default 60 s). */
  download: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connect: 5_000, response: 10_000, download: 60_000 };

export interface TransportOptions {
  credentials: SenderCredentials;
  trustedCertificates: readonly string[];
  serverOrganizationNumber: string | false;
  userAgent: string;
  timeouts: Timeouts;
  /** `http://proxy:3128` or with credentials; the TLS session to the service runs through it. */
  proxy?: string;
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
  /** A download: long body inactivity timeout. */
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
 * organization number.
 */
export class HttpTransport {
  private readonly dispatcher: Dispatcher;

  constructor(private readonly options: TransportOptions) {
    const tls = {
      key: options.credentials.tls.key,
      cert: options.credentials.tls.cert,
      ca: [...options.trustedCertificates],
      minVersion: "TLSv1.2" as const,
      rejectUnauthorized: true,
      checkServerIdentity: checkServerOrganization(options.serverOrganizationNumber),
      timeout: options.timeouts.connect,
    };
    this.dispatcher = options.proxy
      ? new ProxyAgent({ uri: options.proxy, requestTls: tls, proxyTls: { timeout: options.timeouts.connect } })
      : new Agent({ connect: tls, keepAliveTimeout: 30_000 });
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { "user-agent": this.options.userAgent };
    if (request.accept) headers["accept"] = request.accept;
    if (request.body) {
      headers["content-type"] = request.body.contentType;
      if (request.body.length !== undefined) headers["content-length"] = String(request.body.length);
    }
    try {
      const response = await this.dispatcher.request({
        origin: new URL(request.url).origin,
        path: pathOf(request.url),
        method: request.method,
        headers,
        body: request.body?.content() ?? null,
        headersTimeout: this.options.timeouts.response,
        bodyTimeout: request.download ? this.options.timeouts.download : this.options.timeouts.response,
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
    await this.dispatcher.close();
  }
}

function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}
