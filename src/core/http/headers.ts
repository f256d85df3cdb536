/** Response headers the client reads. */

export const NEXT_PERMITTED_POLL_TIME = "x-next-permitted-poll-time";

/** Headers a service or a gateway in front of it may use to name a request, for support cases. */
export const REQUEST_ID_HEADERS = ["x-request-id", "x-transaction-id", "x-correlation-id"] as const;

/** ISO 8601 instant from a header, or undefined. */
export function parseInstant(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const instant = new Date(value.trim());
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3), or undefined. */
export function parseRetryAfter(value: string | undefined, now: number): Date | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,9}$/.test(trimmed)) return new Date(now + Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return /[a-z]/i.test(trimmed) && !Number.isNaN(date) ? new Date(date) : undefined;
}
