import type { AddressInfo } from "node:net";
import https from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import { X509Certificate } from "node:crypto";
import { organizationNumberOfCertificate } from "../../src/core/keys";
import { type IssuedCertificate, TestCertificateAuthority } from "../../src/emulator/pki";

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/api/123456785/direct/signature-jobs?polling_queue=q`. */
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
  clientOrganization: string | undefined;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Writes the body yourself (e.g. slowly). */
  write?: (response: ServerResponse) => void;
}

type Responder = ScriptedResponse | ((request: RecordedRequest) => ScriptedResponse);

/**
 * A scriptable HTTPS server with mutual TLS on 127.0.0.1, standing in for the service in
 * transport-level tests: each route answers from a queue of scripted responses (the last one
 * repeats), and every request is recorded.
 */
export class MtlsTestServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes: { method: string; path: RegExp; responders: Responder[] }[] = [];

  private constructor(
    private readonly server: https.Server,
    readonly apiRoot: string,
  ) {}

  static async start(options: {
    ca: TestCertificateAuthority;
    certificate?: IssuedCertificate;
    clientCa?: string;
  }): Promise<MtlsTestServer> {
    const certificate = options.certificate ?? options.ca.issueServerCertificate();
    const server = https.createServer({
      key: certificate.keyPem,
      cert: certificate.chainPem,
      ca: options.clientCa ?? options.ca.certificatePem,
      requestCert: true,
      rejectUnauthorized: true,
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const instance = new MtlsTestServer(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}/api`);
    server.on("request", (request: IncomingMessage, response: ServerResponse) => instance.handle(request, response));
    return instance;
  }

  /** Answers `method path` (path matched from /api on, by prefix or RegExp). */
  on(method: string, path: string | RegExp, ...responders: Responder[]): this {
    const pattern = typeof path === "string" ? new RegExp(`^/api${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\?|$)`) : path;
    this.routes.unshift({ method, path: pattern, responders });
    return this;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const peer = (request.socket as import("node:tls").TLSSocket).getPeerX509Certificate?.();
      const recorded: RecordedRequest = {
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks),
        clientOrganization: peer ? organizationNumberOfCertificate(peer as X509Certificate) : undefined,
      };
      this.requests.push(recorded);
      const route = this.routes.find((candidate) => candidate.method === recorded.method && candidate.path.test(recorded.path));
      if (!route) {
        response.writeHead(404, { "content-type": "text/plain" }).end("no route");
        return;
      }
      const responder = route.responders.length > 1 ? (route.responders.shift() as Responder) : (route.responders[0] as Responder);
      const scripted = typeof responder === "function" ? responder(recorded) : responder;
      response.writeHead(scripted.status, scripted.headers);
      if (scripted.write) scripted.write(response);
      else response.end(scripted.body);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An error body as the service sends it. */
export function errorResponse(status: number, code: string, message = "message", headers: Record<string, string> = {}): ScriptedResponse {
  return {
    status,
    headers: { "content-type": "application/xml", ...headers },
    body: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><error xmlns="http://signering.posten.no/schema/v1" xmlns:ns2="http://www.w3.org/2000/09/xmldsig#"><error-code>${code}</error-code><error-message>${message}</error-message><error-type>CLIENT</error-type></error>`,
  };
}

export function xmlResponse(body: string, headers: Record<string, string> = {}): ScriptedResponse {
  return { status: 200, headers: { "content-type": "application/xml", ...headers }, body };
}
