import { createHmac, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from "node:crypto";

/**
 * Finds the job of a signer returning to an exit URL with no per-job state in the process.
 *
 * The exit URLs are fixed in the create request, before the service has given the job an id, so
 * they cannot carry the id. They carry a random reference instead; the response that sends the
 * browser to the signer page sets a ticket cookie holding the reference, the sender organization,
 * the job id and the time it was issued, with an HMAC over them, the API root and the exit URLs'
 * path. The browser brings it back on its return (a top-level GET, so `SameSite=Lax` cookies come
 * along), and any instance with the same enterprise certificate (hence the same key) rebuilds the
 * status URL from it, after any restart. A visitor cannot point the flow at another job,
 * organization or host, nor use a ticket made for other exit URLs.
 *
 * Tickets are bounded: a browser holds at most `TICKET_SLOTS` per exit-URL path (a new ticket
 * takes a free slot or the oldest one's), each lives no longer than a direct job can be signed,
 * and the return clears its own.
 */

/** The exit URLs' query parameter that names the returning signer's job. */
export const RETURN_PARAMETER = "signering_job";
/** Cookie names of the ticket slots: `signering_t0` … `signering_t7`. */
export const TICKET_SLOTS = 8;
const SLOT_PREFIX = "signering_t";
const SLOT_NAMES: readonly string[] = Array.from({ length: TICKET_SLOTS }, (_, slot) => `${SLOT_PREFIX}${slot}`);
/** Ticket cookies of versions before slots (`signering_<reference>`, path `/`): cleared when seen. */
const LEGACY_COOKIE_PREFIX = "signering_";
/** The service ends a direct job 30 days after it was created; its ticket is of no use after that. */
export const TICKET_LIFETIME_SECONDS = 30 * 24 * 3600;

const REFERENCE = /^[A-Za-z0-9_-]{22}$/;
/** The `signering_job` values of versions before tickets (a UUID looked up in memory), recognized for a clear error. */
const LEGACY_REFERENCE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TICKET = /^([A-Za-z0-9_-]{22})\.(\d{9})\.(\d{1,18})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;
const MAX_TICKET_LENGTH = 120;
const STATUS_PATH = /^\/(\d{9})\/direct\/signature-jobs\/(\d{1,18})\/status$/;
const MAX_PATH_LENGTH = 2048;

/** The status URL of a direct job, as the service hands it out: `{root}/{org}/direct/signature-jobs/{id}/status`. */
export function directJobStatusUrl(apiRoot: string, organization: string, jobId: string): string {
  return `${apiRoot.replace(/\/+$/, "")}/${organization}/direct/signature-jobs/${jobId}/status`;
}

/** Why a return could not be tied to a job (the nodes say it in the runtime's language). */
export type ReturnFailure =
  | "referenceMissing"
  | "referenceLegacy"
  | "referenceMalformed"
  | "ticketMissing"
  | "ticketInvalid"
  | "ticketExpired"
  | "statusUrlUnexpected";

/** A cookie as Node-RED's `http response` node applies it from `msg.cookies` (Express `res.cookie` options). */
export interface TicketCookie {
  value: string;
  path: string;
  httpOnly: true;
  sameSite: "lax";
  secure: boolean;
  /** Milliseconds, as Express takes it. */
  maxAge: number;
}

/** A cookie to clear (`value: null`), with the path it was set for. */
export interface ClearedCookie {
  value: null;
  path: string;
}

export type ReturnResult =
  { ok: true; statusUrl: string; clear: Record<string, ClearedCookie> } | { ok: false; failure: ReturnFailure; field: "query" | "cookie" };

export class ExitCorrelation {
  readonly #key: Buffer;
  readonly #apiRoot: string;
  readonly #now: () => number;

  /** `secret`: the enterprise certificate's private key, which every replica of one configuration has. */
  constructor(secret: KeyObject, apiRoot: string, now: () => number = Date.now) {
    const material = secret.export({ type: "pkcs8", format: "der" });
    this.#key = Buffer.from(hkdfSync("sha256", material, "node-red-posten-signering", "exit-url correlation v2", 32));
    this.#apiRoot = apiRoot.replace(/\/+$/, "");
    this.#now = now;
  }

  /** A fresh reference for one job's exit URLs. */
  newReference(): string {
    return randomBytes(16).toString("base64url");
  }

  /**
   * The cookies for the response that sends the browser to the signer page: the new ticket in a
   * free slot (else the oldest's), and clearings of tickets from versions before slots.
   * `present`: the cookies the browser sent with the request that started the job.
   */
  ticketCookies(
    reference: string,
    statusUrl: string | undefined,
    exitUrls: readonly URL[],
    present: unknown,
  ): { ok: true; cookies: Record<string, TicketCookie | ClearedCookie> } | { ok: false; failure: ReturnFailure } {
    const job = this.#parseStatusUrl(statusUrl);
    if (!job) return { ok: false, failure: "statusUrlUnexpected" };
    const scope = scopeOf(exitUrls.map((url) => url.pathname));
    const issued = String(Math.floor(this.#now() / 1000));
    const value = [reference, job.organization, job.jobId, issued, this.#mac(scope, reference, job.organization, job.jobId, issued)].join(
      ".",
    );
    const cookies: Record<string, TicketCookie | ClearedCookie> = {};
    const sent = cookieRecord(present);
    for (const name of Object.keys(sent).slice(0, 100))
      if (name.startsWith(LEGACY_COOKIE_PREFIX) && REFERENCE.test(name.slice(LEGACY_COOKIE_PREFIX.length)))
        cookies[name] = { value: null, path: "/" };
    cookies[slotFor(sent)] = {
      value,
      path: scope,
      httpOnly: true,
      sameSite: "lax",
      secure: exitUrls.every((url) => url.protocol === "https:"),
      maxAge: TICKET_LIFETIME_SECONDS * 1000,
    };
    return { ok: true, cookies };
  }

  /**
   * The status URL of a returning signer's job, from the exit URL's reference, the path the
   * browser asked for and its cookies; and the clearing of the ticket the return used.
   */
  returnOf(reference: unknown, requestPath: unknown, cookies: unknown): ReturnResult {
    if (typeof reference !== "string" || reference === "") return { ok: false, failure: "referenceMissing", field: "query" };
    if (reference.length > 64) return { ok: false, failure: "referenceMalformed", field: "query" };
    if (LEGACY_REFERENCE.test(reference)) return { ok: false, failure: "referenceLegacy", field: "query" };
    if (!REFERENCE.test(reference)) return { ok: false, failure: "referenceMalformed", field: "query" };
    const sent = cookieRecord(cookies);
    const path = typeof requestPath === "string" && requestPath.length <= MAX_PATH_LENGTH ? requestPath : "";
    for (const name of SLOT_NAMES) {
      const ticket = sent[name];
      if (typeof ticket !== "string" || ticket.length > MAX_TICKET_LENGTH || !ticket.startsWith(`${reference}.`)) continue;
      const match = TICKET.exec(ticket);
      if (!match) return { ok: false, failure: "ticketInvalid", field: "cookie" };
      const [, , organization, jobId, issued, mac] = match as unknown as [string, string, string, string, string, string];
      const scope = scopesOf(path).find((candidate) => same(this.#mac(candidate, reference, organization, jobId, issued), mac));
      if (scope === undefined) return { ok: false, failure: "ticketInvalid", field: "cookie" };
      if (Number(issued) + TICKET_LIFETIME_SECONDS < this.#now() / 1000) return { ok: false, failure: "ticketExpired", field: "cookie" };
      return {
        ok: true,
        statusUrl: directJobStatusUrl(this.#apiRoot, organization, jobId),
        clear: { [name]: { value: null, path: scope } },
      };
    }
    return { ok: false, failure: "ticketMissing", field: "cookie" };
  }

  #parseStatusUrl(statusUrl: string | undefined): { organization: string; jobId: string } | undefined {
    if (!statusUrl?.startsWith(this.#apiRoot) || statusUrl.length > MAX_PATH_LENGTH) return undefined;
    const match = STATUS_PATH.exec(statusUrl.slice(this.#apiRoot.length));
    return match ? { organization: match[1] as string, jobId: match[2] as string } : undefined;
  }

  #mac(scope: string, reference: string, organization: string, jobId: string, issued: string): string {
    return createHmac("sha256", this.#key)
      .update([this.#apiRoot, scope, reference, organization, jobId, issued].join("|"))
      .digest("base64url");
  }
}

/** The cookie path for a job's exit URLs: their longest common directory, or the one path they all share. */
export function scopeOf(paths: readonly string[]): string {
  const [first = "/", ...rest] = paths;
  if (rest.every((path) => path === first)) return first;
  const segments = first.split("/");
  // Directories only: the last segment of each path is its file.
  let common = segments.length - 1;
  for (const path of rest) {
    const other = path.split("/");
    let index = 0;
    while (index < common && index < other.length - 1 && other[index] === segments[index]) index += 1;
    common = index;
  }
  return segments.slice(0, common).join("/") || "/";
}

/** Every path a cookie sent to `path` may have been set for: the path itself and each parent directory. */
function scopesOf(path: string): string[] {
  if (!path.startsWith("/")) return [];
  const scopes = ["/"];
  for (let end = path.indexOf("/", 1); end !== -1; end = path.indexOf("/", end + 1)) scopes.push(path.slice(0, end));
  if (path !== "/") scopes.push(path.replace(/\/$/, ""));
  return scopes;
}

/** A free slot, else the one holding the oldest ticket (or anything that is no ticket). */
function slotFor(sent: Record<string, unknown>): string {
  let oldest: { name: string; issued: number } | undefined;
  for (const name of SLOT_NAMES) {
    const value = sent[name];
    if (typeof value !== "string") return name;
    const match = value.length <= MAX_TICKET_LENGTH ? TICKET.exec(value) : null;
    const issued = match ? Number(match[4]) : -1;
    if (!oldest || issued < oldest.issued) oldest = { name, issued };
  }
  return (oldest as { name: string }).name;
}

function cookieRecord(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" ? (value as Record<string, unknown>) : {};
}

function same(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
