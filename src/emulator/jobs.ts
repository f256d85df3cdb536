import { randomBytes } from "node:crypto";
import type { Flow, JobStatus, OnBehalfOf, SignatureType, StatusRetrievalMethod } from "../core/model";
import { maskNationalIdentityNumber } from "../core/identifiers";
import type { DocumentSpec, JobSpec } from "./job-spec";
import { badRequest, Rejection } from "./rejection";

/**
 * The emulated service's jobs and their lifecycle: signing order, availability, rejection,
 * cancellation and expiry, and the status-change queue with redelivery of unconfirmed changes.
 * Pure state; the caller persists every job it changes (`onChange`).
 */

export type Sector = "private" | "public";

export interface EmulatedSigner {
  /** 1-based, as in the signer's URLs. */
  index: number;
  personalIdentificationNumber?: string;
  customIdentifier?: string;
  contact?: { email?: string; sms?: string };
  lookup?: { sms: boolean };
  order: number;
  signatureType: SignatureType;
  onBehalfOf: OnBehalfOf;
  status: string;
  since: number;
  /** Direct flow: the current one-time redirect token, and whether it was used. */
  redirectToken?: string;
  redirectTokenUsed?: boolean;
  /** Direct flow: the signing session the redirect link opened, kept (and journaled) until the signer acts or gets a new link. */
  sessionToken?: string;
  /** Portal flow: when the signer's order group became active, and its deadline. */
  activatedAt?: number;
  deadline?: number;
}

export interface EmulatedJob {
  id: number;
  flow: Flow;
  sender: string;
  reference?: string;
  /** "" is the default queue. */
  pollingQueue: string;
  statusRetrievalMethod: StatusRetrievalMethod;
  exitUrls?: { completion: string; rejection: string; error: string };
  title: string;
  nonsensitiveTitle?: string;
  description?: string;
  documents: DocumentSpec[];
  signers: EmulatedSigner[];
  createdAt: number;
  activationTime: number;
  availableSeconds: number;
  /** Direct jobs live 30 days. */
  expiresAt?: number;
  status: JobStatus;
  completedAt?: number;
  statusQueryTokens: string[];
  /** Increases with every status change. */
  version: number;
  /** The job's entry in its status queue, while a change is unconfirmed. */
  queued?: { availableAt: number; deliveredVersion?: number };
  documentsDeleted: boolean;
}

export interface Notification {
  at: number;
  channel: "email" | "sms";
  to: string;
  jobId: number;
  signer: number;
  text: string;
  link: string;
}

export interface JobRules {
  sectorOf(organization: string): Sector;
  /** An unconfirmed change is delivered again after this long. */
  redeliveryMs: number;
}

const DAY = 24 * 60 * 60 * 1000;
const DIRECT_LIFETIME = 30 * DAY;
const DEFAULT_AVAILABLE_SECONDS = 30 * 24 * 60 * 60;
const MAX_AVAILABLE_SECONDS = 90 * 24 * 60 * 60;
const DELETE_AFTER_COMPLETION = DAY;
const TERMINAL_SIGNER = new Set(["SIGNED", "REJECTED", "EXPIRED", "FAILED", "CANCELLED", "NOT_APPLICABLE", "BLOCKED"]);

export const token = () => randomBytes(24).toString("base64url");

export class JobBook {
  readonly jobs = new Map<number, EmulatedJob>();
  readonly outbox: Notification[] = [];
  private nextId = 1;

  constructor(
    private readonly rules: JobRules,
    private readonly onChange: (job: EmulatedJob) => void,
    private readonly onNotify: (notification: Notification) => void,
    private readonly linkFor: (job: EmulatedJob, signer: EmulatedSigner) => string,
  ) {}

  /** Restores persisted state. */
  load(jobs: Iterable<EmulatedJob>, outbox: Iterable<Notification>): void {
    for (const job of jobs) {
      this.jobs.set(job.id, job);
      this.nextId = Math.max(this.nextId, job.id + 1);
    }
    this.outbox.push(...outbox);
  }

  /** Forgets every job and notification (control API reset); ids start again at 1. */
  clear(): void {
    this.jobs.clear();
    this.outbox.length = 0;
    this.nextId = 1;
  }

  /** The id the next job gets, reserved so that its documents can be stored before the job is recorded. */
  allocateId(): number {
    return this.nextId++;
  }

  /** Refuses, with the service's error, what the schema allows but the service does not. */
  checkRules(spec: JobSpec): void {
    checkServiceRules(spec, this.rules.sectorOf(spec.sender));
  }

  /** Records a job that passed `checkRules`, under an id from `allocateId`. */
  create(id: number, spec: JobSpec, now: number): EmulatedJob {
    const sector = this.rules.sectorOf(spec.sender);
    const defaultType: SignatureType = sector === "public" ? "AUTHENTICATED_ELECTRONIC_SIGNATURE" : "ADVANCED_ELECTRONIC_SIGNATURE";
    const job: EmulatedJob = {
      id,
      flow: spec.flow,
      sender: spec.sender,
      pollingQueue: spec.pollingQueue ?? "",
      statusRetrievalMethod: spec.statusRetrievalMethod ?? "WAIT_FOR_CALLBACK",
      title: spec.title,
      documents: spec.documents,
      signers: spec.signers.map((signer, position) => ({
        index: position + 1,
        ...(signer.personalIdentificationNumber ? { personalIdentificationNumber: signer.personalIdentificationNumber } : {}),
        ...(signer.customIdentifier ? { customIdentifier: signer.customIdentifier } : {}),
        ...(signer.contact ? { contact: signer.contact } : {}),
        ...(signer.lookup ? { lookup: signer.lookup } : {}),
        order: signer.order ?? 0,
        signatureType: signer.signatureType ?? defaultType,
        onBehalfOf: signer.onBehalfOf ?? "SELF",
        status: "WAITING",
        since: now,
        ...(spec.flow === "direct" ? { redirectToken: token(), redirectTokenUsed: false } : {}),
      })),
      createdAt: now,
      activationTime: spec.activationTime ? Math.max(now, Date.parse(spec.activationTime)) : now,
      availableSeconds: spec.availableSeconds ?? DEFAULT_AVAILABLE_SECONDS,
      status: "IN_PROGRESS",
      statusQueryTokens: [],
      version: 0,
      documentsDeleted: false,
      ...(spec.flow === "direct" ? { expiresAt: now + DIRECT_LIFETIME } : {}),
    };
    for (const key of ["reference", "exitUrls", "nonsensitiveTitle", "description"] as const) {
      if (spec[key] !== undefined) (job as unknown as Record<string, unknown>)[key] = spec[key];
    }
    this.jobs.set(job.id, job);
    this.advance(job, now);
    this.onChange(job);
    return job;
  }

  get(organization: string, flow: Flow | undefined, id: number): EmulatedJob {
    const job = this.find(organization, flow, id);
    if (!job)
      throw new Rejection(
        404,
        "SIGNATURE_JOB_NOT_FOUND",
        `No ${flow === undefined ? "" : `${flow} `}signature job ${id} for organization ${organization}`,
      );
    return job;
  }

  /** The sender's job with this id (and flow, if given). */
  find(organization: string, flow: Flow | undefined, id: number): EmulatedJob | undefined {
    const job = this.jobs.get(id);
    return job && job.sender === organization && (flow === undefined || job.flow === flow) ? job : undefined;
  }

  /** Brings every job up to date with the clock: activation, notifications, deadlines, expiry. */
  tick(now: number): void {
    for (const job of this.jobs.values()) this.advance(job, now);
  }

  /** A signer's action (from the signer pages or the control API). */
  act(job: EmulatedJob, signer: EmulatedSigner, action: "sign" | "reject" | "fail", now: number): void {
    this.advance(job, now);
    if (job.status !== "IN_PROGRESS") throw new Rejection(409, "SIGNATURE_JOB_NOT_IN_PROGRESS", `Job ${job.id} is ${job.status}`);
    if (!this.isActive(job, signer, now))
      throw new Rejection(
        409,
        "SIGNER_NOT_ACTIVE",
        `Signer ${signer.index} of job ${job.id} cannot act now (status ${signer.status}, or waiting for earlier signers or activation)`,
      );
    delete signer.sessionToken;
    if (action === "sign") {
      setSigner(signer, "SIGNED", now);
      if (job.signers.every((candidate) => candidate.status === "SIGNED")) this.finish(job, "COMPLETED_SUCCESSFULLY", now);
    } else {
      setSigner(signer, action === "reject" ? "REJECTED" : "FAILED", now);
      this.endRemaining(job, "NOT_APPLICABLE", now);
      this.finish(job, "FAILED", now);
    }
    if (job.flow === "direct") job.statusQueryTokens.push(token());
    this.changed(job, now);
    this.advance(job, now);
  }

  /** A redirect URL works once: opening it uses the token up and opens a signing session, whose token is returned. */
  useRedirectToken(job: EmulatedJob, signer: EmulatedSigner): string {
    signer.redirectTokenUsed = true;
    signer.sessionToken = token();
    this.onChange(job);
    return signer.sessionToken;
  }

  /** A new redirect URL for a waiting signer; the old link and any session it opened end. */
  renewRedirectToken(job: EmulatedJob, signer: EmulatedSigner): void {
    signer.redirectToken = token();
    signer.redirectTokenUsed = false;
    delete signer.sessionToken;
    this.onChange(job);
  }

  cancel(job: EmulatedJob, now: number): void {
    this.advance(job, now);
    if (job.status !== "IN_PROGRESS")
      throw new Rejection(409, "SIGNATURE_JOB_NOT_CANCELLABLE", `Job ${job.id} is ${job.status} and cannot be cancelled`);
    this.endRemaining(job, "CANCELLED", now);
    this.finish(job, "FAILED", now);
    this.changed(job, now);
  }

  expire(job: EmulatedJob, now: number): void {
    if (job.status !== "IN_PROGRESS") throw new Rejection(409, "SIGNATURE_JOB_NOT_IN_PROGRESS", `Job ${job.id} is ${job.status}`);
    this.endRemaining(job, "EXPIRED", now);
    this.finish(job, "FAILED", now);
    this.changed(job, now);
  }

  deleteDocuments(job: EmulatedJob, now: number): void {
    if (!canDeleteDocuments(job, now)) {
      throw new Rejection(
        409,
        "DOCUMENTS_NOT_DELETABLE",
        `The documents of job ${job.id} can be deleted only when every signer has signed, and at the earliest 24 hours after completion`,
      );
    }
    job.documentsDeleted = true;
    this.onChange(job);
  }

  /** The next unconfirmed change in a queue, handed out and held back for redelivery. */
  poll(organization: string, flow: Flow, queue: string, now: number): EmulatedJob | undefined {
    this.tick(now);
    let next: EmulatedJob | undefined;
    for (const job of this.jobs.values()) {
      if (job.sender !== organization || job.flow !== flow || job.pollingQueue !== queue || !job.queued || job.queued.availableAt > now)
        continue;
      if (!next || job.queued.availableAt < (next.queued?.availableAt ?? 0)) next = job;
    }
    if (next?.queued) {
      next.queued = { availableAt: now + this.rules.redeliveryMs, deliveredVersion: next.version };
      this.onChange(next);
    }
    return next;
  }

  /** Confirms the delivered change; a newer change stays queued. */
  confirm(job: EmulatedJob, now: number): void {
    if (job.queued) {
      job.queued = job.queued.deliveredVersion === job.version ? undefined : { availableAt: now };
      if (!job.queued) delete job.queued;
    }
    this.onChange(job);
  }

  isActive(job: EmulatedJob, signer: EmulatedSigner, now: number): boolean {
    if (signer.status !== "WAITING" || job.status !== "IN_PROGRESS") return false;
    if (job.flow === "direct") return true;
    return now >= job.activationTime && signer.activatedAt !== undefined;
  }

  private advance(job: EmulatedJob, now: number): void {
    if (job.status !== "IN_PROGRESS") return;
    if (job.expiresAt !== undefined && now >= job.expiresAt) return this.expire(job, now);
    if (job.flow !== "portal" || now < job.activationTime) return;
    const overdue = job.signers.find((signer) => signer.status === "WAITING" && signer.deadline !== undefined && now >= signer.deadline);
    if (overdue) return this.expire(job, now);
    const waiting = job.signers.filter((signer) => signer.status === "WAITING");
    const lowestOrder = Math.min(...waiting.map((signer) => signer.order));
    let activated = false;
    for (const signer of waiting) {
      if (signer.order !== lowestOrder || signer.activatedAt !== undefined) continue;
      // The first group starts at the activation time; later groups when the previous one is done.
      signer.activatedAt = Math.max(now, job.activationTime);
      signer.deadline = signer.activatedAt + job.availableSeconds * 1000;
      this.notify(job, signer, now);
      activated = true;
    }
    if (activated) this.onChange(job);
  }

  private notify(job: EmulatedJob, signer: EmulatedSigner, now: number): void {
    const text = `${job.nonsensitiveTitle ?? "You have a document to sign"} — from organization ${job.sender}`;
    const link = this.linkFor(job, signer);
    // Looked-up addresses are the contact register's; the emulator names the person, masked, instead.
    const registered = signer.lookup && `contact register of ${maskNationalIdentityNumber(signer.personalIdentificationNumber ?? "")}`;
    const recipients: [Notification["channel"], string | undefined][] = registered
      ? [
          ["email", registered],
          ["sms", signer.lookup?.sms ? registered : undefined],
        ]
      : [
          ["email", signer.contact?.email],
          ["sms", signer.contact?.sms],
        ];
    for (const [channel, to] of recipients) {
      if (!to) continue;
      const notification: Notification = { at: now, channel, to, jobId: job.id, signer: signer.index, text, link };
      this.outbox.push(notification);
      this.onNotify(notification);
    }
  }

  private endRemaining(job: EmulatedJob, status: string, now: number): void {
    for (const signer of job.signers) if (!TERMINAL_SIGNER.has(signer.status)) setSigner(signer, status, now);
  }

  private finish(job: EmulatedJob, status: JobStatus, now: number): void {
    job.status = status;
    job.completedAt = now;
  }

  private changed(job: EmulatedJob, now: number): void {
    job.version += 1;
    if (job.flow === "portal" || job.statusRetrievalMethod === "POLLING") {
      job.queued = {
        availableAt: Math.min(job.queued?.availableAt ?? now, now),
        ...(job.queued?.deliveredVersion !== undefined ? { deliveredVersion: job.queued.deliveredVersion } : {}),
      };
    }
    this.onChange(job);
  }
}

/**
 * A signer of a job: the 1-based position in the job's manifest (as in the signer's URLs), or
 * the national identity number, custom identifier, e-mail address or mobile number it was given.
 */
export type SignerReference = number | string;

/** Finds a signer by position or by what identifies it; a 404 names what was looked for. */
export function signerIn(job: EmulatedJob, reference: SignerReference): EmulatedSigner {
  const signer = job.signers.find((candidate) =>
    typeof reference === "number"
      ? candidate.index === reference
      : [candidate.personalIdentificationNumber, candidate.customIdentifier, candidate.contact?.email, candidate.contact?.sms].includes(
          reference,
        ),
  );
  if (!signer)
    throw new Rejection(
      404,
      "SIGNER_NOT_FOUND",
      `Job ${job.id} has no signer ${typeof reference === "number" ? reference : "with that identifier"}`,
    );
  return signer;
}

export function canDeleteDocuments(job: EmulatedJob, now: number): boolean {
  return (
    job.status === "COMPLETED_SUCCESSFULLY" &&
    !job.documentsDeleted &&
    job.completedAt !== undefined &&
    now >= job.completedAt + DELETE_AFTER_COMPLETION
  );
}

function setSigner(signer: EmulatedSigner, status: string, now: number): void {
  signer.status = status;
  signer.since = now;
}

/** The service's rules beyond the schema. */
function checkServiceRules(spec: JobSpec, sector: Sector): void {
  const identities = spec.signers.map((signer) => signer.personalIdentificationNumber ?? signer.customIdentifier).filter(Boolean);
  if (new Set(identities).size !== identities.length) throw badRequest("DUPLICATE_SIGNER", "A signer appears more than once in the job");
  if (spec.availableSeconds !== undefined && spec.availableSeconds > MAX_AVAILABLE_SECONDS) {
    throw badRequest(
      "INVALID_AVAILABILITY",
      `available-seconds may be at most ${MAX_AVAILABLE_SECONDS} (90 days), was ${spec.availableSeconds}`,
    );
  }
  for (const signer of spec.signers) {
    if (signer.lookup && sector !== "public") {
      throw new Rejection(
        403,
        "CONTACT_INFORMATION_LOOKUP_NOT_ALLOWED",
        `Organization ${spec.sender} is in the private sector and may not use notifications-using-lookup; give e-mail or SMS`,
      );
    }
    if (signer.lookup && signer.onBehalfOf === "OTHER")
      throw badRequest("INVALID_NOTIFICATIONS", "notifications-using-lookup cannot be combined with on-behalf-of OTHER");
    if (sector === "private" && signer.signatureType === "AUTHENTICATED_ELECTRONIC_SIGNATURE") {
      throw new Rejection(
        403,
        "SIGNATURE_TYPE_NOT_ALLOWED",
        `Organization ${spec.sender} is in the private sector and can only use ADVANCED_ELECTRONIC_SIGNATURE`,
      );
    }
    if (sector === "public" && signer.signatureType === "ADVANCED_ELECTRONIC_SIGNATURE" && spec.documents.length > 1) {
      throw badRequest(
        "MULTIPLE_DOCUMENTS_NOT_SUPPORTED",
        `A public-sector job with ADVANCED_ELECTRONIC_SIGNATURE can have one document, not ${spec.documents.length}`,
      );
    }
  }
  if (spec.flow === "portal" && spec.activationTime !== undefined && Number.isNaN(Date.parse(spec.activationTime))) {
    throw badRequest("INVALID_AVAILABILITY", `activation-time "${spec.activationTime}" is not a date`);
  }
}
