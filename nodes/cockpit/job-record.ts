import {
  LIMITS,
  maskNationalIdentityNumber,
  type DirectJobResponse,
  type Flow,
  type JobStatus,
  type PortalJob,
  type PortalJobResponse,
  type PortalSigner,
  type StatusChange,
} from "../../src/core";

/**
 * One job as the cockpit keeps it: what an integrator needs to see (title, state, each signer's
 * state under a masked identifier) and the service URLs the cockpit's actions may use. Nothing
 * secret goes in: no token, no redirect URL, no whole national identity number, no document.
 */

/** The node that made or last touched the job (its id, for "reveal", and its name when it had one). */
export interface NodeRef {
  id: string;
  name?: string;
}

export interface SignerEntry {
  /** The identifier, masked: at most the first six characters (a national id's birth date). */
  signer: string;
  /** The signer's state as the service last reported it; absent before the first status. */
  status?: string;
  since?: string;
}

/** The service's own URLs for this job, as the nodes received them. Kept in the runtime, never sent to the editor. */
export interface ServiceLinks {
  cancellation?: string;
  pades?: string;
  /** Per signer (same index as `signers`): the direct signer's URL, for a new redirect URL. */
  signerHrefs?: (string | null)[];
}

export interface JobRecord {
  jobId: string;
  flow: Flow;
  title?: string;
  reference?: string;
  status: JobStatus;
  signers: SignerEntry[];
  /** When this runtime made the job (absent for a job first seen through a status). */
  createdAt?: string;
  /** The last change seen: creation, a status, a cancellation. */
  updatedAt: string;
  /** Portal: the end of the first signers' signing window (activation + available seconds). */
  deadline?: string;
  activationTime?: string;
  createdBy?: NodeRef;
  lastNode?: NodeRef;
  cancelRequestedAt?: string;
  links: ServiceLinks;
}

/** The record as the editor gets it: the links replaced by which actions they allow. */
export interface JobView extends Omit<JobRecord, "links"> {
  actions: { cancel: boolean; pades: boolean; redirectSigners: number[] };
}

const MAX_TEXT = 120;
const MAX_SIGNERS = LIMITS.signersPerJob.max;
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;
const STATUS_TEXT = /^[A-Z_]{1,40}$/;
const ISO_TIME_LENGTH = 40;
/** What `maskIdentifier` makes: at most six characters shown, then stars. */
const MASKED = /^(–|[^*]{0,6}\*{1,8})$/u;

export function isJobId(value: unknown): value is string {
  return typeof value === "string" && JOB_ID.test(value);
}

export function isFlow(value: unknown): value is Flow {
  return value === "direct" || value === "portal";
}

/** The context key of a job: flows are separate id spaces at the service. Only [A-Za-z0-9_-], so no key is a property path. */
export function recordKey(flow: Flow, jobId: string): string {
  return `${KEY_PREFIX}${flow}_${jobId}`;
}
export const KEY_PREFIX = "job_";

/**
 * A signer's identifier as the cockpit shows it: a national identity number to its birth date
 * (first six digits), anything else (custom identifier, e-mail, phone) to at most its first six
 * characters and never more than half of it.
 */
export function maskIdentifier(value: string | undefined): string {
  if (!value) return "–";
  const trimmed = value.trim().slice(0, 100);
  if (/^\d{11}$/.test(trimmed)) return maskNationalIdentityNumber(trimmed);
  const shown = Math.min(6, Math.floor(trimmed.length / 2));
  return `${trimmed.slice(0, shown)}${"*".repeat(Math.min(trimmed.length - shown, 8))}`;
}

function text(value: unknown, max = MAX_TEXT): string | undefined {
  return typeof value === "string" && value !== "" ? value.slice(0, max) : undefined;
}

function serviceUrl(value: unknown): string | undefined {
  return typeof value === "string" && /^https?:\/\//.test(value) && value.length <= LIMITS.urlLength * 4 ? value : undefined;
}

function signerStatus(value: unknown): string | undefined {
  return typeof value === "string" && STATUS_TEXT.test(value) ? value : undefined;
}

function time(value: unknown): string | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (typeof value !== "string" || value.length > ISO_TIME_LENGTH || Number.isNaN(Date.parse(value))) return undefined;
  return value;
}

/** A time as an ISO string in UTC (the form this journal writes itself). */
function isoTime(value: unknown): string | undefined {
  const given = time(value);
  return given === undefined ? undefined : new Date(given).toISOString();
}

function portalSignerIdentifier(signer: Pick<PortalSigner, "personalIdentificationNumber" | "notifications">): string | undefined {
  return signer.personalIdentificationNumber ?? signer.notifications?.email ?? signer.notifications?.sms;
}

/** What the create node knows about a job it has just made. */
export interface CreatedJob {
  response: DirectJobResponse | PortalJobResponse;
  title?: string;
  /** The portal job's signers and availability, as sent. */
  portal?: Pick<PortalJob, "signers" | "availability">;
  node: NodeRef;
}

export function recordOfCreatedJob(created: CreatedJob, now: Date): JobRecord {
  const { response } = created;
  const createdAt = now.toISOString();
  const base = {
    jobId: response.jobId,
    flow: response.flow,
    status: "IN_PROGRESS" as const,
    createdAt,
    updatedAt: createdAt,
    createdBy: nodeRef(created.node),
    lastNode: nodeRef(created.node),
    ...optional("title", text(created.title, LIMITS.titleLength)),
    ...optional("reference", text(response.reference, LIMITS.referenceLength)),
  };
  if (response.flow === "direct") {
    const signers = response.signers.slice(0, MAX_SIGNERS);
    return {
      ...base,
      signers: signers.map((signer) => ({ signer: maskIdentifier(signer.personalIdentificationNumber ?? signer.customIdentifier) })),
      links: { signerHrefs: signers.map((signer) => serviceUrl(signer.href) ?? null) },
    };
  }
  const availability = created.portal?.availability;
  const activationTime = isoTime(availability?.activationTime);
  const seconds = availability?.availableSeconds;
  const start = activationTime ? Math.max(Date.parse(activationTime), now.getTime()) : now.getTime();
  return {
    ...base,
    signers: (created.portal?.signers ?? [])
      .slice(0, MAX_SIGNERS)
      .map((signer) => ({ signer: maskIdentifier(portalSignerIdentifier(signer)) })),
    ...optional("activationTime", activationTime),
    ...optional("deadline", typeof seconds === "number" && seconds > 0 ? new Date(start + seconds * 1000).toISOString() : undefined),
    links: { ...optional("cancellation", serviceUrl(response.cancellationUrl)) },
  };
}

/** The record after a status: job and signer states, the PAdES link; what creation recorded is kept. */
export function recordWithStatus(existing: JobRecord | undefined, status: StatusChange, node: NodeRef, now: Date): JobRecord {
  const reported: SignerEntry[] =
    status.flow === "direct"
      ? status.signers.map((signer) => signerEntry(signer.signer, signer.status, signer.since))
      : status.signatures.map((signature) =>
          signerEntry(
            signature.personalIdentificationNumber ?? signature.contactInformation?.email ?? signature.contactInformation?.sms,
            signature.status,
            signature.since,
          ),
        );
  const known = existing?.signers ?? [];
  // The service lists signers in the order they were given; what creation knew (a masked id) fills gaps.
  const signers = reported
    .slice(0, MAX_SIGNERS)
    .map((entry, index) => (entry.signer === "–" && known[index] ? { ...entry, signer: known[index].signer } : entry));
  const cancellation = status.flow === "portal" ? serviceUrl(status.cancellationUrl) : undefined;
  return {
    ...(existing ?? { jobId: status.jobId, flow: status.flow, links: {} }),
    ...optional("reference", existing?.reference ?? text(status.reference, LIMITS.referenceLength)),
    status: status.status,
    signers,
    updatedAt: now.toISOString(),
    lastNode: nodeRef(node),
    links: {
      ...existing?.links,
      ...optional("cancellation", cancellation ?? existing?.links.cancellation),
      ...optional("pades", serviceUrl(status.padesUrl) ?? existing?.links.pades),
    },
  };
}

function signerEntry(identifier: string | undefined, status: unknown, since: unknown): SignerEntry {
  return { signer: maskIdentifier(identifier), ...optional("status", signerStatus(status)), ...optional("since", time(since)) };
}

export function nodeRef(node: { id: string; name?: string | undefined }): NodeRef {
  return { id: String(node.id).slice(0, 64), ...optional("name", text(node.name, 80)) };
}

export function viewOf(record: JobRecord): JobView {
  const { links, ...shown } = record;
  const inProgress = record.status === "IN_PROGRESS";
  return {
    ...shown,
    actions: {
      cancel: inProgress && record.flow === "portal" && links.cancellation !== undefined,
      pades: links.pades !== undefined,
      redirectSigners:
        inProgress && record.flow === "direct" ? (links.signerHrefs ?? []).flatMap((href, index) => (href ? [index] : [])) : [],
    },
  };
}

/**
 * A record read back from the store, checked field by field: a shared store is outside this
 * process, so what it returns is trusted no more than a request. Anything malformed is dropped.
 */
export function parseRecord(value: unknown): JobRecord | undefined {
  if (!value || typeof value !== "object") return undefined;
  const given = value as Record<string, unknown>;
  const status = given.status;
  const updatedAt = time(given.updatedAt);
  if (!isJobId(given.jobId) || !isFlow(given.flow) || !updatedAt) return undefined;
  if (status !== "IN_PROGRESS" && status !== "COMPLETED_SUCCESSFULLY" && status !== "FAILED") return undefined;
  const links = (given.links && typeof given.links === "object" ? given.links : {}) as Record<string, unknown>;
  const hrefs = Array.isArray(links.signerHrefs)
    ? links.signerHrefs.slice(0, MAX_SIGNERS).map((href) => serviceUrl(href) ?? null)
    : undefined;
  return {
    jobId: given.jobId,
    flow: given.flow,
    status,
    updatedAt,
    signers: (Array.isArray(given.signers) ? given.signers : []).slice(0, MAX_SIGNERS).map((entry: unknown) => {
      const signer = (entry && typeof entry === "object" ? entry : {}) as Record<string, unknown>;
      // Masked again: a record written by anything else than this journal may hold a whole identifier.
      return {
        signer: typeof signer.signer === "string" && MASKED.test(signer.signer) ? signer.signer : maskIdentifier(text(signer.signer)),
        ...optional("status", signerStatus(signer.status)),
        ...optional("since", time(signer.since)),
      };
    }),
    ...optional("title", text(given.title, LIMITS.titleLength)),
    ...optional("reference", text(given.reference, LIMITS.referenceLength)),
    ...optional("createdAt", time(given.createdAt)),
    ...optional("deadline", time(given.deadline)),
    ...optional("activationTime", time(given.activationTime)),
    ...optional("cancelRequestedAt", time(given.cancelRequestedAt)),
    ...optional("createdBy", parseNodeRef(given.createdBy)),
    ...optional("lastNode", parseNodeRef(given.lastNode)),
    links: {
      ...optional("cancellation", serviceUrl(links.cancellation)),
      ...optional("pades", serviceUrl(links.pades)),
      ...optional("signerHrefs", hrefs),
    },
  };
}

function parseNodeRef(value: unknown): NodeRef | undefined {
  if (!value || typeof value !== "object") return undefined;
  const { id, name } = value as Record<string, unknown>;
  return typeof id === "string" && /^[A-Za-z0-9._-]{1,64}$/.test(id) ? { id, ...optional("name", text(name, 80)) } : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [key in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [key in K]?: V };
}
