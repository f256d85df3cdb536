import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { organizationNumberOfCertificate } from "../core/keys";
import type { Flow } from "../core/model";
import type { EmulatorClock } from "./clock";
import type { FaultInjector } from "./faults";
import { readBody, send, sendRejection, sendXml } from "./http-util";
import { JobRequestGate } from "./job-request-gate";
import { MemoryBudget } from "./memory-budget";
import { type Arrival, type ArrivalWatch, type OrganizationRateLimit, tooManyRequests } from "./rate-limit";
import { Rejection } from "./rejection";
import { decodePathSegment, findRoute, type Route } from "./router";
import { NEXT_PERMITTED_POLL_TIME, type SigneringService, type XmlResult } from "./service";

/** Whole job requests: 20 documents of 10 MB (stored uncompressed at worst) plus 1 MB for XML, ZIP and multipart framing. */
const MAX_JOB_REQUEST_BYTES = (20 * 10 + 1) * 1024 * 1024;
/** Job requests read and judged at once, and waiting their turn. */
const JOB_REQUESTS_AT_ONCE = 16;
const JOB_REQUESTS_WAITING = 64;
/** What their bodies and inflated bundles may hold at once: the largest job fits, and the process stays well under 1 GB. */
const JOB_REQUEST_MEMORY_BYTES = 512 * 1024 * 1024;
/** A direct-signer-update-request is a few hundred bytes. */
const MAX_SMALL_BODY_BYTES = 64 * 1024;

/** A broker (data processor) organization and the organizations it may act for. */
export interface BrokerAuthorization {
  broker: string;
  onBehalfOf: string[];
}

export interface ApiRouterOptions {
  service: SigneringService;
  clock: EmulatorClock;
  rateLimit: { limit: OrganizationRateLimit; arrivals: ArrivalWatch } | undefined;
  faults: FaultInjector;
  brokers: readonly BrokerAuthorization[];
}

interface RequestContext {
  /** The sender organization in the URL. */
  organization: string;
  /** The organization of the client certificate. */
  caller: string;
  match: RegExpExecArray;
  request: IncomingMessage;
  url: URL;
}

interface Binary {
  binary: Uint8Array | string;
  contentType: string;
}

interface ApiRoute extends Route<(context: RequestContext) => Promise<XmlResult | Binary> | XmlResult | Binary> {
  /** Status-change polling: every answer, refusals included, says when to poll next. */
  poll?: boolean;
}

const ORG = "(\\d{9})";
const FLOW = "(direct|portal)";
const ID = "(\\d{1,15})";
const path = (pattern: string) => new RegExp(`^/api/${ORG}${pattern}$`);
const flowOf = (match: RegExpExecArray, group: number) => match[group] as Flow;
const numberOf = (match: RegExpExecArray, group: number) => Number(match[group]);

/** The service's HTTP API under /api, behind mutual TLS. URL shapes as the real service's (PROTOCOL §1.2). */
export function apiRouter(options: ApiRouterOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const { service } = options;
  const jobRequests = new JobRequestGate(JOB_REQUESTS_AT_ONCE, JOB_REQUESTS_WAITING);
  const jobRequestMemory = new MemoryBudget(JOB_REQUEST_MEMORY_BYTES, JOB_REQUESTS_WAITING);
  const routes: ApiRoute[] = [
    {
      method: "GET",
      pattern: path("/?"),
      handle: ({ caller, organization }) => ({
        binary: caller === organization ? `You are ${caller}` : `You are ${caller}, operating on behalf of ${organization}`,
        contentType: "text/plain; charset=utf-8",
      }),
    },
    {
      method: "POST",
      pattern: path(`/${FLOW}/signature-jobs`),
      handle: ({ organization, caller, match, request }) =>
        jobRequests.run(async () => {
          const declared =
            request.headers["content-length"] === undefined ? MAX_JOB_REQUEST_BYTES : Number(request.headers["content-length"]);
          // A body declared larger than the limit needs no room: readBody refuses it before reading a byte.
          const memory = await jobRequestMemory.reserve(declared > MAX_JOB_REQUEST_BYTES ? 0 : declared);
          try {
            const body = await readBody(request, MAX_JOB_REQUEST_BYTES);
            return await service.createJob({
              flow: flowOf(match, 2),
              organization,
              caller,
              contentType: request.headers["content-type"],
              body,
              memory,
            });
          } finally {
            memory.release();
          }
        }),
    },
    {
      method: "GET",
      pattern: path(`/${FLOW}/signature-jobs`),
      poll: true,
      handle: ({ organization, match, url }) => service.poll(organization, flowOf(match, 2), url.searchParams.get("polling_queue") ?? ""),
    },
    {
      method: "GET",
      pattern: path(`/direct/signature-jobs/${ID}/status`),
      handle: ({ organization, match, url }) =>
        service.directStatus(organization, numberOf(match, 2), url.searchParams.get("status_query_token") ?? undefined),
    },
    {
      method: "POST",
      pattern: path(`/${FLOW}/signature-jobs/${ID}/complete`),
      handle: ({ organization, match }) => service.confirm(organization, flowOf(match, 2), numberOf(match, 3)),
    },
    {
      method: "POST",
      pattern: path(`/portal/signature-jobs/${ID}/cancel`),
      handle: ({ organization, match }) => service.cancel(organization, numberOf(match, 2)),
    },
    {
      method: "DELETE",
      pattern: path(`/${FLOW}/signature-jobs/${ID}/documents`),
      handle: ({ organization, match }) => service.deleteDocuments(organization, flowOf(match, 2), numberOf(match, 3)),
    },
    {
      method: "POST",
      pattern: path(`/direct/signature-jobs/${ID}/signers/(\\d{1,3})`),
      handle: async ({ organization, match, request }) => {
        // Java sends a direct-signer-update-request, .NET no body at all; both are accepted.
        await readBody(request, MAX_SMALL_BODY_BYTES);
        return service.newRedirectUrl(organization, numberOf(match, 2), numberOf(match, 3));
      },
    },
    {
      method: "GET",
      pattern: path(`/${FLOW}/signature-jobs/${ID}/xades/(\\d{1,3})`),
      handle: ({ organization, match }) => ({
        binary: service.signerXades(organization, flowOf(match, 2), numberOf(match, 3), numberOf(match, 4)),
        contentType: "application/xml",
      }),
    },
    {
      method: "GET",
      pattern: path(`/${FLOW}/signature-jobs/${ID}/pades`),
      handle: async ({ organization, match }) => ({
        binary: await service.pades(organization, flowOf(match, 2), numberOf(match, 3)),
        contentType: "application/pdf",
      }),
    },
    {
      method: "GET",
      pattern: path("/archive/documents/([^/]+)/pades"),
      handle: async ({ organization, match }) => ({
        binary: await service.archivedPades(organization, decodePathSegment(match[2] as string, "archive document id")),
        contentType: "application/pdf",
      }),
    },
  ];

  return (request, response) => {
    const arrival = options.rateLimit?.arrivals.arrival();
    void handle(request, response, arrival).catch((error: unknown) => sendRejection(response, error));
  };

  async function handle(request: IncomingMessage, response: ServerResponse, arrival: Arrival | undefined): Promise<void> {
    const url = new URL(request.url ?? "/", "https://emulator");
    const fault = options.faults.take(url.pathname);
    if (fault?.kind === "drop-connection") return void request.socket.destroy();
    if (fault?.kind === "latency") await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 1000));
    if (fault?.kind === "server-error")
      throw new Rejection(fault.status ?? 500, "INJECTED_FAULT", "A fault injected through the emulator's control API");

    const { route, match } = findRoute(routes, request.method, url.pathname, "API resource");
    const organization = match[1] as string;
    const certificate = (request.socket as TLSSocket).getPeerX509Certificate();
    const caller = certificate && organizationNumberOfCertificate(certificate);
    if (caller === undefined) throw new Rejection(403, "NOT_AUTHORIZED", "The client certificate has no organization number");
    if (
      caller !== organization &&
      !options.brokers.some((authorization) => authorization.broker === caller && authorization.onBehalfOf.includes(organization))
    ) {
      throw new Rejection(403, "BROKER_NOT_AUTHORIZED", `Organization ${caller} is not authorized to act on behalf of ${organization}`);
    }
    try {
      const now = options.clock.now();
      if (fault?.kind === "rate-limit")
        throw tooManyRequests(
          now,
          (fault.retryAfterSeconds ?? 30) * 1000,
          "A rate-limit refusal injected through the emulator's control API",
        );
      if (arrival) options.rateLimit?.limit.check(organization, arrival);
    } catch (error) {
      if (route.poll && error instanceof Rejection && error.retryAt !== undefined) {
        error.headers[NEXT_PERMITTED_POLL_TIME] = new Date(options.clock.realTimeOf(error.retryAt)).toISOString();
      }
      throw error;
    }
    const result = await route.handle({ organization, caller, match, request, url });
    if ("binary" in result) return send(response, 200, result.binary, result.contentType);
    if (result.xml === undefined) {
      response.writeHead(result.status, result.headers ?? {});
      return void response.end();
    }
    sendXml(response, result.status, result.xml, result.headers);
  }
}
