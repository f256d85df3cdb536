import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorClock } from "./clock";
import type { EmulatorControl, SignerAction } from "./control";
import type { Fault } from "./faults";
import { readBody, send } from "./http-util";
import type { EmulatedJob, EmulatedSigner, JobBook, SignerReference } from "./jobs";
import { indexPage, messagePage, outboxPage, portalJobsPage, portalLoginPage, signerPage, type PortalEntry } from "./pages";
import { Rejection } from "./rejection";
import { decodePathSegment, findRoute, type Route } from "./router";
import type { SigneringService } from "./service";
import { TEXT_PLAIN } from "./text-document";
import { guardWebRequest } from "./web-guard";

export interface WebRouterOptions {
  book: JobBook;
  clock: EmulatorClock;
  service: SigneringService;
  control: EmulatorControl;
}

interface WebContext {
  request: IncomingMessage;
  url: URL;
  match: RegExpExecArray;
}

/** What a route answers: a page, the control API's JSON, a redirect after a form, or a document to read. */
type Reply = { html: string; status?: number } | { json: unknown } | { redirect: string } | { document: Buffer; mimeType: string };

type WebRoute = Route<(context: WebContext) => Promise<Reply> | Reply>;

/** A signer posts nothing but the button; anything larger is not from the emulator's pages. */
const MAX_FORM_BYTES = 64 * 1024;
const MAX_CONTROL_BODY_BYTES = 1024 * 1024;

/**
 * The person side, on plain HTTP (a browser has no enterprise certificate): the direct signer's
 * redirect page, the portal, the outbox, and the JSON control API under /control.
 */
export function webRouter(options: WebRouterOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const { book, clock, service, control } = options;
  const identifierOf = (url: URL) => (url.searchParams.get("identifier") ?? "").trim();

  const routes: WebRoute[] = [
    { method: "GET", pattern: /^\/$/, handle: () => ({ html: indexPage() }) },
    {
      method: "GET",
      pattern: /^\/redirect\/([\w-]+)$/,
      handle: ({ match }) => {
        const found = signerWith("redirectToken", match[1] as string);
        if (!found) return { status: 404, html: messagePage("Unknown link", "This signing link is not known.", "Ukjent lenke.") };
        const { job, signer } = found;
        if (signer.redirectTokenUsed)
          return {
            status: 410,
            html: messagePage(
              "Link already used",
              "This signing link can be used only once. Ask the sender for a new one.",
              "Lenken er allerede brukt.",
            ),
          };
        book.tick(clock.now());
        if (!book.isActive(job, signer, clock.now())) {
          return {
            status: 410,
            html: messagePage(
              "Not available",
              `This job is ${job.status} and your signature is ${signer.status}.`,
              "Oppdraget er ikke lenger tilgjengelig.",
            ),
          };
        }
        const session = book.useRedirectToken(job, signer);
        return {
          html: signerPage(
            job,
            (index) => `/sessions/${session}/documents/${index}`,
            (action) => `/sessions/${session}/${action}`,
          ),
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/sessions\/([\w-]+)\/documents\/(\d+)$/,
      handle: ({ match }) => documentReply(sessionOf(match[1] as string).job, Number(match[2])),
    },
    {
      method: "POST",
      pattern: /^\/sessions\/([\w-]+)\/(sign|reject)$/,
      handle: async ({ request, match }) => {
        const { job, signer } = sessionOf(match[1] as string);
        await readBody(request, MAX_FORM_BYTES);
        const result = control.act(job.id, signer.index, match[2] as SignerAction);
        return result.redirectUrl ? { redirect: result.redirectUrl } : { html: messagePage("Done", `The job is ${result.job.status}.`) };
      },
    },
    { method: "GET", pattern: /^\/portal$/, handle: () => ({ html: portalLoginPage() }) },
    {
      method: "GET",
      pattern: /^\/portal\/jobs$/,
      handle: ({ url }) => {
        const identifier = identifierOf(url);
        const query = `identifier=${encodeURIComponent(identifier)}`;
        const base = (entry: PortalEntry) => `/portal/jobs/${entry.job.id}/signers/${entry.signer.index}`;
        return {
          html: portalJobsPage(
            identifier,
            portalEntries(identifier),
            (entry, index) => `${base(entry)}/documents/${index}?${query}`,
            (entry, action) => `${base(entry)}/${action}?${query}`,
          ),
        };
      },
    },
    {
      method: "GET",
      pattern: /^\/portal\/jobs\/(\d+)\/signers\/(\d+)\/documents\/(\d+)$/,
      handle: ({ url, match }) => documentReply(portalEntry(url, match).job, Number(match[3])),
    },
    {
      method: "POST",
      pattern: /^\/portal\/jobs\/(\d+)\/signers\/(\d+)\/(sign|reject)$/,
      handle: async ({ request, url, match }) => {
        const entry = portalEntry(url, match);
        await readBody(request, MAX_FORM_BYTES);
        control.act(entry.job.id, entry.signer.index, match[3] as SignerAction);
        return { redirect: `/portal/jobs?identifier=${encodeURIComponent(identifierOf(url))}` };
      },
    },
    { method: "GET", pattern: /^\/outbox$/, handle: () => ({ html: outboxPage(book.outbox) }) },

    // The control API.
    {
      method: "POST",
      pattern: /^\/control\/jobs\/(\d+)\/signers\/([^/]+)\/(sign|reject|fail)$/,
      handle: ({ match }) => ({ json: control.act(Number(match[1]), signerReferenceOf(match[2] as string), match[3] as SignerAction) }),
    },
    { method: "POST", pattern: /^\/control\/jobs\/(\d+)\/expire$/, handle: ({ match }) => ({ json: control.expire(Number(match[1])) }) },
    { method: "GET", pattern: /^\/control\/jobs\/(\d+)$/, handle: ({ match }) => ({ json: control.jobSummary(Number(match[1])) }) },
    { method: "GET", pattern: /^\/control\/jobs$/, handle: () => ({ json: control.jobs() }) },
    {
      method: "POST",
      pattern: /^\/control\/clock$/,
      handle: async ({ request }) => {
        const { advanceMs } = (await readJson(request)) as { advanceMs?: unknown };
        if (typeof advanceMs !== "number" || !(advanceMs >= 0))
          throw new Rejection(400, "INVALID_INPUT", "advanceMs must be a number of milliseconds ≥ 0");
        return { json: control.advanceClock(advanceMs) };
      },
    },
    { method: "GET", pattern: /^\/control\/clock$/, handle: () => ({ json: control.now() }) },
    {
      method: "POST",
      pattern: /^\/control\/faults$/,
      handle: async ({ request }) => {
        const fault = (await readJson(request)) as unknown as Fault;
        try {
          control.injectFault(fault);
        } catch (error) {
          throw new Rejection(400, "INVALID_INPUT", (error as Error).message);
        }
        return { json: { injected: true } };
      },
    },
    { method: "DELETE", pattern: /^\/control\/faults$/, handle: () => (control.clearFaults(), { json: { cleared: true } }) },
    { method: "GET", pattern: /^\/control\/outbox$/, handle: () => ({ json: control.outbox() }) },
    { method: "POST", pattern: /^\/control\/reset$/, handle: () => (control.reset(), { json: { reset: true } }) },
  ];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    guardWebRequest(request);
    const url = new URL(request.url ?? "/", "http://emulator");
    const isControl = url.pathname.startsWith("/control/");
    const { route, match } = findRoute(routes, request.method, url.pathname, isControl ? "control resource" : "page");
    sendReply(response, await route.handle({ request, url, match }));
  }

  /** A direct signer's session; acting, a new redirect URL for the signer or a reset ends it. */
  function sessionOf(sessionToken: string) {
    const found = signerWith("sessionToken", sessionToken);
    if (!found) throw new RefusalPage(404, messagePage("Session ended", "This signing session has ended.", "Økten er avsluttet."));
    return found;
  }

  function portalEntry(url: URL, match: RegExpExecArray): PortalEntry {
    const entry = portalEntries(identifierOf(url)).find(
      (candidate) => candidate.job.id === Number(match[1]) && candidate.signer.index === Number(match[2]),
    );
    if (!entry)
      throw new RefusalPage(
        404,
        messagePage("Not available", "This job is not waiting for your signature.", "Oppdraget venter ikke på din signatur."),
      );
    return entry;
  }

  function documentReply(job: EmulatedJob, index: number): Reply {
    return { document: service.documentOf(job, index), mimeType: job.documents[index]?.mime ?? "application/pdf" };
  }

  /** The direct signer whose redirect link or signing session this is. */
  function signerWith(kind: "redirectToken" | "sessionToken", value: string): { job: EmulatedJob; signer: EmulatedSigner } | undefined {
    for (const job of book.jobs.values()) {
      const signer = job.signers.find((candidate) => candidate[kind] === value);
      if (signer) return { job, signer };
    }
    return undefined;
  }

  /** Active portal jobs for a signer who logs in by national id, e-mail or mobile number. */
  function portalEntries(identifier: string): PortalEntry[] {
    if (identifier === "") return [];
    book.tick(clock.now());
    const entries: PortalEntry[] = [];
    for (const job of book.jobs.values()) {
      if (job.flow !== "portal") continue;
      for (const signer of job.signers) {
        const matches =
          signer.personalIdentificationNumber === identifier || signer.contact?.email === identifier || signer.contact?.sms === identifier;
        if (matches && book.isActive(job, signer, clock.now())) entries.push({ job, signer });
      }
    }
    return entries;
  }

  return (request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      if (error instanceof RefusalPage) return sendReply(response, { status: error.httpStatus, html: error.page });
      const rejection = error instanceof Rejection ? error : new Rejection(500, "INTERNAL_SERVER_ERROR", (error as Error).message);
      const headers = rejection.headers;
      if ((request.url ?? "").startsWith("/control/")) {
        send(
          response,
          rejection.httpStatus,
          JSON.stringify({ errorCode: rejection.errorCode, errorMessage: rejection.message }),
          "application/json",
          headers,
        );
      } else {
        send(
          response,
          rejection.httpStatus,
          messagePage(rejection.httpStatus === 404 ? "Not found" : "Not possible", rejection.message),
          HTML,
          headers,
        );
      }
    });
  };
}

const HTML = "text/html; charset=utf-8";

/** A refusal a signer sees as a page of its own (an ended session, a job no longer waiting). */
class RefusalPage extends Error {
  constructor(
    readonly httpStatus: number,
    readonly page: string,
  ) {
    super(`Refused with a page (${httpStatus})`);
  }
}

function sendReply(response: ServerResponse, reply: Reply): void {
  if ("html" in reply) return send(response, reply.status ?? 200, reply.html, HTML);
  if ("json" in reply) return send(response, 200, JSON.stringify(reply.json ?? null), "application/json");
  if ("redirect" in reply) {
    response.writeHead(303, { location: reply.redirect });
    return void response.end();
  }
  // A document is shown in the browser; a text document is never sniffed as HTML.
  const contentType = reply.mimeType === TEXT_PLAIN ? `${TEXT_PLAIN}; charset=utf-8` : "application/pdf";
  send(response, 200, reply.document, contentType, { "content-disposition": "inline", "x-content-type-options": "nosniff" });
}

/** A signer position (1-99) or an identifier (national identity number, custom identifier, e-mail, phone). */
function signerReferenceOf(segment: string): SignerReference {
  const reference = decodePathSegment(segment, "signer");
  return /^\d{1,2}$/.test(reference) ? Number(reference) : reference;
}

/** The body as a JSON object (an empty body is an empty one); a handler reads its fields without meeting null or an array. */
async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(request, MAX_CONTROL_BODY_BYTES)).toString("utf8");
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Rejection(400, "INVALID_INPUT", "The body must be JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new Rejection(400, "INVALID_INPUT", "The body must be a JSON object");
  return parsed as Record<string, unknown>;
}
