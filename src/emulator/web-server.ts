import type { IncomingMessage, ServerResponse } from "node:http";
import type { EmulatorClock } from "./clock";
import type { EmulatorControl, SignerAction } from "./control";
import type { Fault } from "./faults";
import { readBody, send } from "./http-util";
import type { EmulatedJob, JobBook, SignerReference } from "./jobs";
import { indexPage, messagePage, outboxPage, portalJobsPage, portalLoginPage, signerPage, type PortalEntry } from "./pages";
import { Rejection } from "./rejection";
import type { SigneringService } from "./service";
import { TEXT_PLAIN } from "./text-document";
import { token } from "./jobs";

export interface WebRouterOptions {
  book: JobBook;
  clock: EmulatorClock;
  service: SigneringService;
  control: EmulatorControl;
}

/**
 * The person side, on plain HTTP (a browser has no enterprise certificate): the direct signer's
 * redirect page, the portal, the outbox, and the JSON control API under /control.
 */
export function webRouter(options: WebRouterOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const { book, clock, service, control } = options;
  /** Direct signing sessions opened by a redirect token: session → job, signer and the token that opened it. */
  const sessions = new Map<string, { jobId: number; signer: number; redirectToken: string }>();

  const html = (response: ServerResponse, status: number, body: string) => send(response, status, body, "text/html; charset=utf-8");
  const json = (response: ServerResponse, status: number, body: unknown) => send(response, status, JSON.stringify(body ?? null), "application/json");
  const redirect = (response: ServerResponse, location: string) => {
    response.writeHead(303, { location });
    response.end();
  };

  /** A document for the signer to read, shown in the browser; a text document is never sniffed as HTML. */
  const sendDocument = (response: ServerResponse, job: EmulatedJob, index: number) => {
    const content = service.documentOf(job, index);
    const contentType = job.documents[index]?.mime === TEXT_PLAIN ? `${TEXT_PLAIN}; charset=utf-8` : "application/pdf";
    send(response, 200, content, contentType, { "content-disposition": "inline", "x-content-type-options": "nosniff" });
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? "/", "http://emulator");
    const path = url.pathname;
    const method = request.method ?? "GET";
    let match: RegExpExecArray | null;

    if (path.startsWith("/control/")) return handleControl(method, path, request, response);
    if (method === "GET" && path === "/") return html(response, 200, indexPage());

    if (method === "GET" && (match = /^\/redirect\/([\w-]+)$/.exec(path))) {
      const found = findRedirect(match[1] as string);
      if (!found) return html(response, 404, messagePage("Unknown link", "This signing link is not known.", "Ukjent lenke."));
      const { job, signer } = found;
      if (signer.redirectTokenUsed) return html(response, 410, messagePage("Link already used", "This signing link can be used only once. Ask the sender for a new one.", "Lenken er allerede brukt."));
      book.tick(clock.now());
      if (!book.isActive(job, signer, clock.now())) {
        return html(response, 410, messagePage("Not available", `This job is ${job.status} and your signature is ${signer.status}.`, "Oppdraget er ikke lenger tilgjengelig."));
      }
      book.useRedirectToken(job, signer);
      const session = token();
      sessions.set(session, { jobId: job.id, signer: signer.index, redirectToken: match[1] as string });
      return html(response, 200, signerPage(job, (index) => `/sessions/${session}/documents/${index}`, (action) => `/sessions/${session}/${action}`));
    }
    if ((match = /^\/sessions\/([\w-]+)\/(sign|reject|documents\/(\d+))$/.exec(path))) {
      const session = sessions.get(match[1] as string);
      const job = session && book.jobs.get(session.jobId);
      // A reset or a new redirect URL for the signer ends the session.
      if (!session || !job || job.signers[session.signer - 1]?.redirectToken !== session.redirectToken) {
        return html(response, 404, messagePage("Session ended", "This signing session has ended.", "Økten er avsluttet."));
      }
      if (method === "GET" && match[3] !== undefined) return sendDocument(response, job, Number(match[3]));
      if (method !== "POST") throw new Rejection(405, "METHOD_NOT_ALLOWED", "Use POST");
      await readBody(request, 64 * 1024);
      sessions.delete(match[1] as string);
      const result = control.act(session.jobId, session.signer, match[2] as SignerAction);
      return result.redirectUrl ? redirect(response, result.redirectUrl) : html(response, 200, messagePage("Done", `The job is ${result.job.status}.`));
    }

    if (method === "GET" && path === "/portal") return html(response, 200, portalLoginPage());
    if (method === "GET" && path === "/portal/jobs") {
      const identifier = (url.searchParams.get("identifier") ?? "").trim();
      const entries = portalEntries(identifier);
      const query = `identifier=${encodeURIComponent(identifier)}`;
      return html(
        response,
        200,
        portalJobsPage(identifier, entries, (entry, index) => `/portal/jobs/${entry.job.id}/signers/${entry.signer.index}/documents/${index}?${query}`, (entry, action) => `/portal/jobs/${entry.job.id}/signers/${entry.signer.index}/${action}?${query}`),
      );
    }
    if ((match = /^\/portal\/jobs\/(\d+)\/signers\/(\d+)\/(sign|reject|documents\/(\d+))$/.exec(path))) {
      const identifier = (url.searchParams.get("identifier") ?? "").trim();
      const entry = portalEntries(identifier).find((candidate) => candidate.job.id === Number(match?.[1]) && candidate.signer.index === Number(match?.[2]));
      if (!entry) return html(response, 404, messagePage("Not available", "This job is not waiting for your signature.", "Oppdraget venter ikke på din signatur."));
      if (method === "GET" && match[4] !== undefined) return sendDocument(response, entry.job, Number(match[4]));
      await readBody(request, 64 * 1024);
      control.act(entry.job.id, entry.signer.index, match[3] as SignerAction);
      return redirect(response, `/portal/jobs?identifier=${encodeURIComponent(identifier)}`);
    }
    if (method === "GET" && path === "/outbox") return html(response, 200, outboxPage(book.outbox));
    return html(response, 404, messagePage("Not found", `Nothing at ${path}`));
  }

  async function handleControl(method: string, path: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = method === "POST" ? await readJson(request) : {};
    let match: RegExpExecArray | null;
    if (method === "POST" && (match = /^\/control\/jobs\/(\d+)\/signers\/([^/]+)\/(sign|reject|fail)$/.exec(path))) {
      return json(response, 200, control.act(Number(match[1]), signerReferenceOf(match[2] as string), match[3] as SignerAction));
    }
    if (method === "POST" && (match = /^\/control\/jobs\/(\d+)\/expire$/.exec(path))) return json(response, 200, control.expire(Number(match[1])));
    if (method === "GET" && (match = /^\/control\/jobs\/(\d+)$/.exec(path))) return json(response, 200, control.jobSummary(Number(match[1])));
    if (method === "GET" && path === "/control/jobs") return json(response, 200, control.jobs());
    if (method === "POST" && path === "/control/clock") {
      const advanceMs = (body as { advanceMs?: unknown }).advanceMs;
      if (typeof advanceMs !== "number" || !(advanceMs >= 0)) throw new Rejection(400, "INVALID_INPUT", "advanceMs must be a number of milliseconds ≥ 0");
      return json(response, 200, control.advanceClock(advanceMs));
    }
    if (method === "GET" && path === "/control/clock") return json(response, 200, control.now());
    if (method === "POST" && path === "/control/faults") {
      try {
        control.injectFault(body as Fault);
      } catch (error) {
        throw new Rejection(400, "INVALID_INPUT", (error as Error).message);
      }
      return json(response, 200, { injected: true });
    }
    if (method === "DELETE" && path === "/control/faults") return json(response, 200, (control.clearFaults(), { cleared: true }));
    if (method === "GET" && path === "/control/outbox") return json(response, 200, control.outbox());
    if (method === "POST" && path === "/control/reset") {
      control.reset();
      return json(response, 200, { reset: true });
    }
    throw new Rejection(404, "NOT_FOUND", `No control resource ${method} ${path}`);
  }

  function findRedirect(redirectToken: string) {
    for (const job of book.jobs.values()) {
      const signer = job.signers.find((candidate) => candidate.redirectToken === redirectToken);
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
        const matches = signer.personalIdentificationNumber === identifier || signer.contact?.email === identifier || signer.contact?.sms === identifier;
        if (matches && book.isActive(job, signer, clock.now())) entries.push({ job, signer });
      }
    }
    return entries;
  }

  return (request, response) => {
    void handle(request, response).catch((error: unknown) => {
      const rejection = error instanceof Rejection ? error : new Rejection(500, "INTERNAL_SERVER_ERROR", (error as Error).message);
      if (response.headersSent) return void response.destroy();
      if ((request.url ?? "").startsWith("/control/")) json(response, rejection.httpStatus, { errorCode: rejection.errorCode, errorMessage: rejection.message });
      else html(response, rejection.httpStatus, messagePage("Not possible", rejection.message));
    });
  };
}

/** A signer position (1-99) or an identifier (national identity number, custom identifier, e-mail, phone). */
function signerReferenceOf(segment: string): SignerReference {
  const reference = decodeURIComponent(segment);
  return /^\d{1,2}$/.test(reference) ? Number(reference) : reference;
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const text = (await readBody(request, 1024 * 1024)).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new Rejection(400, "INVALID_INPUT", "The body must be JSON");
  }
}
