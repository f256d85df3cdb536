import type { NodeMessage } from "node-red";
import type { DirectSignerResponse, DirectSignerStatus, Flow, JobStatus, PortalSignature, XadesUrl } from "../../src/core";

/**
 * `msg.signering`: what the nodes of this package tell each other about a job. The create node
 * writes the job, a status node its status, the job node a new redirect URL; the later nodes read
 * service URLs only from here (never from `msg.payload` or `msg.req`).
 */
export interface SigneringMsg {
  flow?: Flow;
  jobId?: string;
  reference?: string;
  /** Create node, direct job: where its status is read, the signers with their `href` and `redirectUrl`. */
  statusUrl?: string;
  signers?: ReadonlyArray<DirectSignerResponse | DirectSignerStatus>;
  /** Create node, direct job: the reference its exit URLs carry. */
  correlation?: string;
  /** Create node, portal job (and a portal status): where it is cancelled. */
  cancellationUrl?: string;
  /** Status nodes. */
  status?: JobStatus;
  confirmationUrl?: string;
  deleteDocumentsUrl?: string;
  padesUrl?: string;
  xadesUrls?: readonly XadesUrl[];
  signatures?: readonly PortalSignature[];
  nextPermittedPollTime?: Date;
  /** The same on every delivery of one change (see the README's "Reliability"). */
  changeKey?: string;
  redelivered?: boolean;
  /** Job node, redirect action. */
  redirectUrl?: string;
  /** Download node, archive mode. */
  archiveDocumentId?: string;
}

const TEXT_FIELDS = [
  "jobId",
  "reference",
  "statusUrl",
  "correlation",
  "cancellationUrl",
  "confirmationUrl",
  "deleteDocumentsUrl",
  "padesUrl",
  "changeKey",
  "redirectUrl",
  "archiveDocumentId",
] as const;
const JOB_STATUSES: readonly string[] = ["IN_PROGRESS", "COMPLETED_SUCCESSFULLY", "FAILED"];

/** `msg.signering`, read field by field: a value of the wrong kind (set by some other node) is left out. */
export function signeringOf(msg: NodeMessage): SigneringMsg {
  const given = msg.signering;
  if (!given || typeof given !== "object") return {};
  const source = given as Record<string, unknown>;
  const read: SigneringMsg = {};
  for (const field of TEXT_FIELDS) if (typeof source[field] === "string") read[field] = source[field];
  if (source.flow === "direct" || source.flow === "portal") read.flow = source.flow;
  if (typeof source.status === "string" && JOB_STATUSES.includes(source.status)) read.status = source.status as JobStatus;
  if (typeof source.redelivered === "boolean") read.redelivered = source.redelivered;
  if (source.nextPermittedPollTime instanceof Date) read.nextPermittedPollTime = source.nextPermittedPollTime;
  if (Array.isArray(source.signers)) read.signers = source.signers as SigneringMsg["signers"];
  if (Array.isArray(source.xadesUrls)) read.xadesUrls = source.xadesUrls as SigneringMsg["xadesUrls"];
  if (Array.isArray(source.signatures)) read.signatures = source.signatures as SigneringMsg["signatures"];
  return read;
}

/** Adds to `msg.signering` (made if missing). */
export function setSignering(msg: NodeMessage, values: SigneringMsg): void {
  const given = msg.signering;
  msg.signering = { ...(given && typeof given === "object" ? given : {}), ...values };
}
