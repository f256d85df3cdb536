import type { Clock } from "../clock";
import type { SenderCredentials } from "../keys";
import type {
  DirectJobResponse,
  DirectJobStatus,
  DirectSignerResponse,
  Flow,
  NoChanges,
  PortalJobResponse,
  PortalJobStatus,
} from "../model";
import type { JobPackage } from "../job-bundle";
import { jobRequestBody } from "../http/multipart";
import type { ValidationOptions } from "../validation";
import { InvalidInputError, UnexpectedResponseError } from "../errors";
import { NEXT_PERMITTED_POLL_TIME, parseInstant } from "../http/headers";
import { serviceUrl, serviceUrlProblem } from "../http/service-url";
import { isValidOrganizationNumber } from "../identifiers";
import { LIMITS } from "../limits";
import { shown } from "../text";
import type { Api } from "./api";
import type { HttpResponse } from "../http/transport";

/** What the flow clients share. */
export interface ClientContext {
  api: Api;
  apiRoot: string;
  /** A function, not the object: the private key stays out of inspectable state. */
  credentials: () => SenderCredentials;
  defaultSender: string;
  defaultPollingQueue: string | undefined;
  validation: ValidationOptions;
  clock: Clock;
  log: (message: string) => void;
  /** Keeps a copy of each sent job's bundle (the `dumpBundles` option). */
  dumpBundle?: (job: JobPackage, reference: string | undefined) => Promise<void>;
}

export interface QueueOptions {
  pollingQueue?: string;
  sender?: string;
}

export function senderOf(context: ClientContext, explicit: string | undefined): string {
  const sender = explicit ?? context.defaultSender;
  if (!isValidOrganizationNumber(sender))
    throw new InvalidInputError("sender", `must be a valid 9-digit organization number, was ${shown(sender)}`);
  return sender;
}

/** `{root}/{org}/{flow}/signature-jobs`, with `polling_queue` only for a named queue. */
export function jobsUrl(context: ClientContext, flow: Flow, sender: string, pollingQueue?: string): string {
  const url = new URL(`${context.apiRoot}/${sender}/${flow}/signature-jobs`);
  if (pollingQueue !== undefined && pollingQueue !== "") url.searchParams.set("polling_queue", pollingQueue);
  return url.href;
}

/**
 * The poll's next permitted time. The service sends it on every poll response; if it is
 * missing, wait a minute rather than risk polling too eagerly.
 */
export function nextPermittedPollTime(context: ClientContext, response: HttpResponse): Date {
  return parseInstant(response.header(NEXT_PERMITTED_POLL_TIME)) ?? new Date(context.clock.now() + 60_000);
}

/**
 * Sends a job as the service takes it and returns the response XML. The job is packaged (and
 * its bundle signed) only when the request goes out, again on every attempt.
 */
export async function sendJob(
  context: ClientContext,
  flow: Flow,
  sender: string,
  reference: string | undefined,
  packageJob: (signingTime: Date) => JobPackage,
): Promise<string> {
  const { text } = await context.api.text({
    method: "POST",
    url: jobsUrl(context, flow, sender),
    accept: "application/xml",
    body: async () => {
      const job = packageJob(new Date(context.clock.now()));
      await context.dumpBundle?.(job, reference);
      const body = jobRequestBody(job.requestXml, job.bundle);
      return { contentType: body.contentType, length: body.length, content: () => body.stream() };
    },
    operation: "create",
    organization: sender,
  });
  return text;
}

/** Polls a flow's status queue: the parsed change with its next permitted poll time, or NO_CHANGES. */
export async function pollQueue<Change extends DirectJobStatus | PortalJobStatus>(
  context: ClientContext,
  flow: Flow,
  options: QueueOptions,
  parse: (xml: string) => Change,
): Promise<(Change & { nextPermittedPollTime: Date }) | NoChanges> {
  const sender = senderOf(context, options.sender);
  const pollingQueue = options.pollingQueue ?? context.defaultPollingQueue;
  if (pollingQueue !== undefined && (typeof pollingQueue !== "string" || pollingQueue.length > LIMITS.pollingQueueLength)) {
    throw new InvalidInputError(
      "pollingQueue",
      `must be text of at most ${LIMITS.pollingQueueLength} characters, was ${shown(pollingQueue)}`,
    );
  }
  const { response, text } = await context.api.text({
    method: "GET",
    url: jobsUrl(context, flow, sender, pollingQueue),
    accept: "application/xml",
    operation: "poll",
    organization: sender,
  });
  const next = nextPermittedPollTime(context, response);
  if (response.status === 204) return { flow, status: "NO_CHANGES", nextPermittedPollTime: next };
  return { ...checkResponseUrls(context, parse(text)), nextPermittedPollTime: next };
}

/** Organization of a service URL (`{root}/{org}/…`), for pacing calls per organization. */
export function organizationOfUrl(context: ClientContext, url: string): string {
  const match = /^\/?(\d{9})(?:\/|$)/.exec(url.startsWith(context.apiRoot) ? url.slice(context.apiRoot.length) : "");
  return match?.[1] ?? context.defaultSender;
}

/** A URL the client is asked to call: only the service's own (see `serviceUrl`). */
export function requireServiceUrl(context: ClientContext, value: unknown, field: string): string {
  return serviceUrl(context.apiRoot, value, field);
}

type ServiceResponse = DirectJobResponse | DirectSignerResponse | DirectJobStatus | PortalJobResponse | PortalJobStatus;

/**
 * Refuses a response that hands out a URL outside the service: the flow would follow it later
 * (confirm, download, cancel), with the enterprise certificate.
 */
export function checkResponseUrls<Response extends ServiceResponse>(context: ClientContext, response: Response): Response {
  for (const [field, value] of urlsOf(response)) {
    if (value === undefined || value === "") continue;
    const problem = serviceUrlProblem(context.apiRoot, value);
    if (problem) throw new UnexpectedResponseError(`The response's ${field} ${problem}`);
  }
  return response;
}

function urlsOf(response: ServiceResponse): [string, string | undefined][] {
  const urls: [string, string | undefined][] = [];
  const add = (field: string, value: string | undefined) => urls.push([field, value]);
  if ("href" in response) add("href", response.href);
  if ("statusUrl" in response) add("statusUrl", response.statusUrl);
  if ("confirmationUrl" in response) add("confirmationUrl", response.confirmationUrl);
  if ("cancellationUrl" in response) add("cancellationUrl", response.cancellationUrl);
  if ("deleteDocumentsUrl" in response) add("deleteDocumentsUrl", response.deleteDocumentsUrl);
  if ("padesUrl" in response) add("padesUrl", response.padesUrl);
  if ("signers" in response) {
    response.signers.forEach((signer, index) => {
      if ("href" in signer) add(`signers[${index}].href`, signer.href);
    });
  }
  if ("xadesUrls" in response) response.xadesUrls.forEach((xades, index) => add(`xadesUrls[${index}].url`, xades.url));
  if ("signatures" in response) response.signatures.forEach((signature, index) => add(`signatures[${index}].xadesUrl`, signature.xadesUrl));
  return urls;
}
