import {
  BrokerNotAuthorizedError,
  DocumentsNotDeletableError,
  InvalidRequestError,
  InvalidStatusQueryTokenError,
  JobNotCancellableError,
  NotAuthorizedError,
  RateLimitedError,
  ServiceError,
  SigningCeremonyNotCompletedError,
  TooEagerPollingError,
  type ServiceErrorDetails,
} from "../errors";
import { LIMITS } from "../limits";
import { parseErrorResponse } from "../xml";
import { NEXT_PERMITTED_POLL_TIME, parseInstant, parseRetryAfter } from "./headers";
import type { HttpResponse } from "./transport";

/** What was being done, which decides how some statuses are read. */
export type Operation =
  "create" | "status-by-token" | "poll" | "confirm" | "cancel" | "delete-documents" | "download" | "redirect" | "archive";

/** Error bodies are short; more than this is not read (the connection is dropped instead). */
const MAX_ERROR_BODY = 64 * 1024;

/** Reads a non-2xx response into the most specific error type. */
export async function serviceErrorFrom(response: HttpResponse, operation: Operation, now: number): Promise<ServiceError> {
  const body = await readErrorBody(response);
  const contentType = response.header("content-type") ?? "";
  const parsed = /xml/i.test(contentType) ? parseErrorResponse(body) : undefined;
  const details: ServiceErrorDetails = parsed
    ? {
        httpStatus: response.status,
        errorCode: parsed.errorCode || `HTTP_${response.status}`,
        errorMessage: parsed.errorMessage,
        errorType: parsed.errorType,
      }
    : {
        httpStatus: response.status,
        errorCode: `HTTP_${response.status}`,
        errorMessage: `Content-Type ${contentType || "(none)"}: ${body.trim().slice(0, 300) || "<no content in response>"}`,
      };

  if (response.status === 429) {
    const nextPoll = parseInstant(response.header(NEXT_PERMITTED_POLL_TIME));
    if (operation === "poll" && nextPoll) return new TooEagerPollingError(details, nextPoll);
    const retryAt = parseRetryAfter(response.header("retry-after"), now) ?? nextPoll ?? new Date(now + LIMITS.rateLimitBlockSeconds * 1000);
    return new RateLimitedError(details, retryAt);
  }
  switch (details.errorCode) {
    case "BROKER_NOT_AUTHORIZED":
      return new BrokerNotAuthorizedError(details);
    case "NOT_AUTHORIZED":
      return new NotAuthorizedError(details);
    case "INVALID_STATUS_QUERY_TOKEN":
      return new InvalidStatusQueryTokenError(details);
    case "SIGNING_CEREMONY_NOT_COMPLETED":
      return new SigningCeremonyNotCompletedError(details);
  }
  if (operation === "status-by-token" && response.status === 403) return new InvalidStatusQueryTokenError(details);
  if (operation === "status-by-token" && response.status === 404) return new SigningCeremonyNotCompletedError(details);
  if (operation === "cancel" && response.status === 409) return new JobNotCancellableError(details);
  if (operation === "delete-documents" && (response.status === 409 || response.status === 400))
    return new DocumentsNotDeletableError(details);
  if (response.status >= 400 && response.status < 500 && response.status !== 404 && response.status !== 401 && response.status !== 403) {
    return new InvalidRequestError(details);
  }
  return new ServiceError(details);
}

/** The first 64 KiB of an error body, decoded once; a body that breaks off keeps what came. */
async function readErrorBody(response: HttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= MAX_ERROR_BODY) break;
    }
  } catch {
    // The status already says what went wrong.
  } finally {
    response.body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY).toString("utf8");
}
