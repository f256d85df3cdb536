import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { X509Certificate } from "node:crypto";
import { organizationNumberOfCertificate } from "../core/keys";
import type { Flow } from "../core/model";
import type { EmulatorClock } from "./clock";
import type { FaultInjector } from "./faults";
import { readBody, send, sendRejection, sendXml } from "./http-util";
import type { OrganizationRateLimit } from "./rate-limit";
import { Rejection } from "./rejection";
import type { SigneringService, XmlResult } from "./service";

/** Whole job requests: 20 documents of 10 MB plus XML and ZIP overhead. */
const MAX_REQUEST_BYTES = 215 * 1024 * 1024;

export interface ApiRouterOptions {
  service: SigneringService;
  clock: EmulatorClock;
  rateLimit: OrganizationRateLimit | undefined;
  faults: FaultInjector;
  /** Broker organization → the organizations it may act for. */
  brokers: ReadonlyMap<string, ReadonlySet<string>>;
}

type Handler = (context: { organization: string; caller: string | undefined; match: RegExpExecArray; request: IncomingMessage; url: URL }) => Promise<XmlResult | Binary> | XmlResult | Binary;
interface Binary {
  binary: Uint8Array | string;
  contentType: string;
}

const FLOW = "(direct|portal)";
const ID = "(\\d+)";

/** The service's HTTP API under /api, behind mutual TLS. */
export function apiRouter(options: ApiRouterOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const { service } = options;
  const routes: [string, RegExp, Handler][] = [
    ["GET", /^\/api\/(\d{9})\/?$/, ({ caller, organization }) => ({ binary: caller === organization ? `You are ${caller}` : `You are ${caller}, operating on behalf of ${organization}`, contentType: "text/plain" })],
    ["POST", new RegExp(`^/api/(\\d{9})/${FLOW}/signature-jobs$`), async ({ organization, caller, match, request }) =>
      service.createJob(organization, caller, match[2] as Flow, request.headers["content-type"], await readBody(request, MAX_REQUEST_BYTES))],
    ["GET", new RegExp(`^/api/(\\d{9})/${FLOW}/signature-jobs$`), ({ organization, match, url }) => service.poll(organization, match[2] as Flow, url.searchParams.get("polling_queue") ?? "")],
    ["GET", new RegExp(`^/api/(\\d{9})/direct/signature-jobs/${ID}/status$`), ({ organization, match, url }) =>
      service.directStatus(organization, Number(match[2]), url.searchParams.get("status_query_token") ?? undefined)],
    ["POST", new RegExp(`^/api/(\\d{9})/${FLOW}/signature-jobs/${ID}/complete$`), ({ organization, match }) => service.confirm(organization, match[2] as Flow, Number(match[3]))],
    ["POST", new RegExp(`^/api/(\\d{9})/portal/signature-jobs/${ID}/cancel$`), ({ organization, match }) => service.cancel(organization, Number(match[2]))],
    ["DELETE", new RegExp(`^/api/(\\d{9})/${FLOW}/signature-jobs/${ID}/documents$`), ({ organization, match }) => service.deleteDocuments(organization, match[2] as Flow, Number(match[3]))],
    ["POST", new RegExp(`^/api/(\\d{9})/direct/signature-jobs/${ID}/signers/(\\d+)$`), async ({ organization, match, request }) => {
      await readBody(request, 64 * 1024);
      return service.newRedirectUrl(organization, Number(match[2]), Number(match[3]));
    }],
    ["GET", new RegExp(`^/api/(\\d{9})/${FLOW}/signature-jobs/${ID}/xades/(\\d+)$`), ({ organization, match }) => ({
      binary: service.signerXades(organization, match[2] as Flow, Number(match[3]), Number(match[4])),
      contentType: "application/xml",
    })],
    ["GET", new RegExp(`^/api/(\\d{9})/${FLOW}/signature-jobs/${ID}/pades$`), async ({ organization, match }) => ({
      binary: await service.pades(organization, match[2] as Flow, Number(match[3])),
      contentType: "application/pdf",
    })],
    // Archive document ids are the job ids of completed jobs.
    ["GET", /^\/api\/(\d{9})\/archive\/documents\/([^/]+)\/pades$/, async ({ organization, match }) => {
      const id = Number(decodeURIComponent(match[2] as string));
      try {
        return { binary: await service.pades(organization, undefined, id), contentType: "application/pdf" };
      } catch (error) {
        if (error instanceof Rejection && error.httpStatus === 404) throw new Rejection(404, "ARCHIVED_DOCUMENT_NOT_FOUND", `No archived document ${match[2]}`);
        throw error;
      }
    }],
  ];

  return (request, response) => {
    void handle(request, response).catch((error: unknown) => sendRejection(response, error));
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "https://emulator");
    const fault = options.faults.take(url.pathname);
    if (fault?.kind === "drop-connection") return void request.socket.destroy();
    if (fault?.kind === "latency") await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
    if (fault?.kind === "server-error") throw new Rejection(fault.status ?? 500, "INJECTED_FAULT", "A fault injected through the emulator's control API");
    if (fault?.kind === "rate-limit") throw new Rejection(429, "TOO_MANY_REQUESTS", "A rate-limit refusal injected through the emulator's control API");

    const route = routes.find(([method, pattern]) => method === request.method && pattern.test(url.pathname));
    if (!route) throw new Rejection(404, "NOT_FOUND", `No API resource ${request.method} ${url.pathname}`);
    const match = route[1].exec(url.pathname) as RegExpExecArray;
    const organization = match[1] as string;
    const peer = (request.socket as TLSSocket).getPeerX509Certificate?.() as X509Certificate | undefined;
    const caller = peer ? organizationNumberOfCertificate(peer) : undefined;
    if (caller !== organization && !options.brokers.get(caller ?? "")?.has(organization)) {
      throw new Rejection(403, "BROKER_NOT_AUTHORIZED", `Organization ${caller ?? "(none)"} is not authorized to act on behalf of ${organization}`);
    }
    options.rateLimit?.check(organization, Date.now());
    const result = await route[2]({ organization, caller, match, request, url });
    if ("binary" in result) return send(response, 200, result.binary, result.contentType);
    if (result.xml === undefined) {
      response.writeHead(result.status, result.headers ?? {});
      return void response.end();
    }
    sendXml(response, result.status, result.xml, result.headers);
  }
}
