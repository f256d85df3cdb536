import type { Clock } from "../http/rate-limiter";
import type { SenderCredentials } from "../keys";
import type { Flow, NoChanges } from "../model";
import type { JobPackage } from "../job-bundle";
import { jobRequestBody } from "../http/multipart";
import type { ValidationOptions } from "../validation";
import { InvalidInputError } from "../errors";
import { NEXT_PERMITTED_POLL_TIME, parseInstant } from "../http/errors";
import { isValidOrganizationNumber } from "../identifiers";
import type { Api } from "./api";
import type { HttpResponse } from "../http/transport";

/** What the flow clients share. */
export interface ClientContext {
  api: Api;
  apiRoot: string;
  credentials: SenderCredentials;
  defaultSender: string;
  defaultPollingQueue: string | undefined;
  validation: ValidationOptions;
  clock: Clock;
  log: (message: string) => void;
}

export interface QueueOptions {
  pollingQueue?: string;
  sender?: string;
}

export function senderOf(context: ClientContext, explicit: string | undefined): string {
  const sender = explicit ?? context.defaultSender;
  if (!isValidOrganizationNumber(sender)) throw new InvalidInputError("sender", `must be a valid 9-digit organization number, was "${sender}"`);
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

/** Sends a packaged job as the service takes it and returns the response XML. */
export async function sendJob(context: ClientContext, flow: Flow, sender: string, job: JobPackage): Promise<string> {
  const body = jobRequestBody(job.requestXml, job.bundle);
  const { text } = await context.api.callForText({
    method: "POST",
    url: jobsUrl(context, flow, sender),
    accept: "application/xml",
    body: { contentType: body.contentType, length: body.length, content: () => body.stream() },
    operation: "create",
    organization: sender,
  });
  return text;
}

/** Polls a flow's status queue: the parsed change with its next permitted poll time, or NO_CHANGES. */
export async function pollQueue<Change>(
  context: ClientContext,
  flow: Flow,
  options: QueueOptions,
  parse: (xml: string) => Change,
): Promise<(Change & { nextPermittedPollTime: Date }) | NoChanges> {
  const sender = senderOf(context, options.sender);
  const { response, text } = await context.api.callForText({
    method: "GET",
    url: jobsUrl(context, flow, sender, options.pollingQueue ?? context.defaultPollingQueue),
    accept: "application/xml",
    operation: "poll",
    organization: sender,
  });
  const next = nextPermittedPollTime(context, response);
  if (response.status === 204) return { flow, status: "NO_CHANGES", nextPermittedPollTime: next };
  return { ...parse(text), nextPermittedPollTime: next };
}

/** Organization of a service URL (`{root}/{org}/…`), for pacing calls per organization. */
export function organizationOfUrl(context: ClientContext, url: string): string {
  const match = /^\/?(\d{9})(?:\/|$)/.exec(url.startsWith(context.apiRoot) ? url.slice(context.apiRoot.length) : "");
  return match?.[1] ?? context.defaultSender;
}

export function requireUrl(value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "") throw new InvalidInputError(field, "is required (take it from the service's response)");
  try {
    return new URL(value.trim()).href;
  } catch {
    throw new InvalidInputError(field, `must be an absolute URL from the service's response, was "${value}"`);
  }
}
