import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { InvalidInputError } from "../../src/core";

/**
 * Finds the job of a signer returning to an exit URL with no per-job state in the process.
 *
 * The exit URLs are fixed in the create request, before the service has given the job an id,
 * so they cannot carry the id. They carry a random reference instead; the response that sends
 * the browser to the signer page sets a cookie named after that reference, holding the sender
 * organization and job id with an HMAC over them, the reference and the API root. The signer's
 * browser brings the cookie back on its return (a top-level GET, so `SameSite=Lax` cookies come
 * along), and any instance with the same configuration (hence the same key) rebuilds the status
 * URL from it, after any restart. A visitor cannot point the flow at another job, organization
 * or host: the HMAC binds all three to the reference in the exit URL.
 */

/** The exit URLs' query parameter that names the returning signer's job. */
export const RETURN_PARAMETER = "signering_job";

const COOKIE_PREFIX = "signering_";
const REFERENCE = /^[A-Za-z0-9_-]{22}$/;
/** The `signering_job` values of older versions (a UUID looked up in memory), recognized for a clear error. */
const LEGACY_REFERENCE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TICKET = /^(\d{9})\.(\d{1,18})\.([A-Za-z0-9_-]{43})$/;
const STATUS_PATH = /^\/(\d{9})\/direct\/signature-jobs\/(\d{1,18})\/status$/;
/** How long the browser keeps the cookie: longer than a direct signer takes to come back. */
const TICKET_LIFETIME_MS = 30 * 24 * 3600 * 1000;

/** The key for the HMAC, derived from a secret every instance of one configuration shares (the enterprise certificate's private key). */
export function correlationKeyFrom(secret: string | Buffer): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "node-red-posten-signering", "exit-url correlation v1", 32));
}

/** Why a return could not be tied to a job; the nodes say it in the runtime's language. */
export type ReturnFailure =
  "referenceMissing" | "referenceLegacy" | "referenceMalformed" | "ticketMissing" | "ticketInvalid" | "statusUrlUnexpected";

/** A cookie as Node-RED's `http response` node sets it from `msg.cookies`. */
export interface ReturnCookie {
  value: string;
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  path: "/";
  maxAge: number;
}

export class ExitCorrelation {
  private readonly apiRoot: string;

  constructor(
    private readonly key: Buffer,
    apiRoot: string,
    private readonly describe: (reason: ReturnFailure, substitutions: Record<string, string>) => string,
  ) {
    this.apiRoot = apiRoot.replace(/\/+$/, "");
  }

  /** A fresh reference for one job's exit URLs. */
  newReference(): string {
    return randomBytes(16).toString("base64url");
  }

  /** The cookie the create node hands to the browser for the job with this status URL. */
  cookieFor(reference: string, statusUrl: string | undefined, exitUrl: string): { name: string; cookie: ReturnCookie } {
    const { organization, jobId } = this.parseStatusUrl(statusUrl);
    return {
      name: COOKIE_PREFIX + reference,
      cookie: {
        value: `${organization}.${jobId}.${this.mac(reference, organization, jobId)}`,
        httpOnly: true,
        sameSite: "lax",
        secure: new URL(exitUrl).protocol === "https:",
        path: "/",
        maxAge: TICKET_LIFETIME_MS,
      },
    };
  }

  /** The status URL of the returning signer's job, from the exit URL's reference and the request's cookies. */
  statusUrlOf(reference: unknown, cookies: unknown): string {
    const field = `msg.req.query.${RETURN_PARAMETER}`;
    if (typeof reference !== "string" || reference === "") throw this.failure(field, "referenceMissing");
    if (LEGACY_REFERENCE.test(reference)) throw this.failure(field, "referenceLegacy");
    if (!REFERENCE.test(reference)) throw this.failure(field, "referenceMalformed");
    const cookieField = `msg.req.cookies.${COOKIE_PREFIX}${reference}`;
    const ticket = (
      cookies && typeof cookies === "object" ? (cookies as Record<string, unknown>)[COOKIE_PREFIX + reference] : undefined
    ) as unknown;
    if (typeof ticket !== "string") throw this.failure(cookieField, "ticketMissing");
    const match = TICKET.exec(ticket);
    const expected = match ? Buffer.from(this.mac(reference, match[1] as string, match[2] as string)) : undefined;
    const given = Buffer.from(match?.[3] ?? "");
    if (!match || !expected || expected.length !== given.length || !timingSafeEqual(expected, given))
      throw this.failure(cookieField, "ticketInvalid");
    return `${this.apiRoot}/${match[1]}/direct/signature-jobs/${match[2]}/status`;
  }

  private parseStatusUrl(statusUrl: string | undefined): { organization: string; jobId: string } {
    const prefix = this.apiRoot;
    const match = statusUrl?.startsWith(prefix) ? STATUS_PATH.exec(statusUrl.slice(prefix.length)) : null;
    if (!match) throw this.failure("statusUrl", "statusUrlUnexpected", { apiRoot: prefix });
    return { organization: match[1] as string, jobId: match[2] as string };
  }

  private failure(field: string, reason: ReturnFailure, substitutions: Record<string, string> = {}): InvalidInputError {
    return new InvalidInputError(field, this.describe(reason, substitutions));
  }

  private mac(reference: string, organization: string, jobId: string): string {
    return createHmac("sha256", this.key).update(`${this.apiRoot}|${reference}|${organization}|${jobId}`).digest("base64url");
  }
}
