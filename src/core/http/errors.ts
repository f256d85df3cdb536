import {
  BrokerNotAuthorizedError,
  DocumentsNotDeletableError,
  InvalidRequestError,
  InvalidStatusQueryTokenError,
  JobNotCancellableError,
  NotAuthorizedError,
  RateLimitedError,
  ServiceError,
  SigneringError,
  SigningCeremonyNotCompletedError,
  TooEagerPollingError,
  TransportError,
  UntrustedServerError,
  type ServiceErrorDetails,
} from "../errors";
import { LIMITS } from "../limits";
import { parseErrorResponse } from "../xml";
import { ServerOrganizationMismatch } from "./server-identity";
import type { HttpResponse } from "./transport";

/** What was being done, which decides how some statuses are read. */
export type Operation = "create" | "status-by-token" | "poll" | "confirm" | "cancel" | "delete-documents" | "download" | "redirect" | "archive";

const MAX_ERROR_BODY = 64 * 1024;
export const NEXT_PERMITTED_POLL_TIME = "x-next-permitted-poll-time";

/** Reads a non-2xx response into the most specific error type. */
export async function serviceErrorFrom(response: HttpResponse, operation: Operation, now: number): Promise<ServiceError> {
  const body = await readLimited(response);
  const contentType = response.header("content-type") ?? "";
  const parsed = /xml/i.test(contentType) ? parseErrorResponse(body) : undefined;
  const details: ServiceErrorDetails = parsed
    ? { httpStatus: response.status, errorCode: parsed.errorCode || `HTTP_${response.status}`, errorMessage: parsed.errorMessage, errorType: parsed.errorType }
    : {
        httpStatus: response.status,
        errorCode: `HTTP_${response.status}`,
        errorMessage: `Content-Type ${contentType || "(none)"}: ${body.trim().slice(0, 300) || "<no content in response>"}`,
      };

  if (response.status === 429) {
    const nextPoll = parseInstant(response.header(NEXT_PERMITTED_POLL_TIME));
    if (operation === "poll" && nextPoll) return new TooEagerPollingError(details, nextPoll);
    return new RateLimitedError(details, nextPoll ?? new Date(now + LIMITS.rateLimitBlockSeconds * 1000));
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
  if (operation === "delete-documents" && (response.status === 409 || response.status === 400)) return new DocumentsNotDeletableError(details);
  if (response.status >= 400 && response.status < 500 && response.status !== 404 && response.status !== 401 && response.status !== 403) {
    return new InvalidRequestError(details);
  }
  return new ServiceError(details);
}

/** ISO 8601 instant from a header, or undefined. */
export function parseInstant(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const instant = new Date(value.trim());
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

async function readLimited(response: HttpResponse): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    if (size < MAX_ERROR_BODY) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks).toString("utf8");
}

const TLS_HINTS = [
  "the enterprise certificate is not accepted by the server (wrong environment: test certificates for the test environment, production certificates for production)",
  "the trusted CA certificates do not include the issuer of the server's certificate",
  "a proxy or firewall intercepts TLS",
  "the certificate's key usage does not allow client authentication / digital signature",
];

/** Wraps connection-level failures with a hint, never with key material. */
export function transportErrorFrom(error: unknown, url: string): SigneringError {
  if (error instanceof SigneringError) return error;
  const chain = causes(error);
  const mismatch = chain.find((cause): cause is ServerOrganizationMismatch => cause instanceof ServerOrganizationMismatch);
  if (mismatch) return new UntrustedServerError(`${mismatch.message} (${new URL(url).host})`);
  const code = chain.map((cause) => (cause as { code?: string }).code).find((value) => typeof value === "string") ?? "";
  const message = chain.map((cause) => (cause as Error).message).find(Boolean) ?? String(error);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
    return new UntrustedServerError(`The server's certificate is not trusted (${code}): ${message}`);
  }
  if (/ERR_SSL|EPROTO|ECONNRESET/.test(code) || /alert|handshake/i.test(message)) {
    return new TransportError("TLS_FAILURE", `TLS connection to ${new URL(url).host} failed (${code || "handshake"}): ${message}. Possible causes: ${TLS_HINTS.join("; ")}.`, {
      cause: error,
    });
  }
  if (/TIMEOUT/i.test(code) || (error as Error)?.name === "TimeoutError") {
    return new TransportError("TIMEOUT", `No answer from ${new URL(url).host} in time (${code || "timeout"})`, { cause: error });
  }
  if ((error as Error)?.name === "AbortError") return new TransportError("ABORTED", "The request was aborted", { cause: error });
  return new TransportError(code || "CONNECTION_FAILED", `Could not reach ${new URL(url).host}: ${message}`, { cause: error });
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 8; current = (current as { cause?: unknown }).cause) chain.push(current);
  return chain;
}
