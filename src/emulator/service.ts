import type { SenderCredentials } from "../core/keys";
import type { Flow } from "../core/model";
import type { EmulatorClock } from "./clock";
import { type IntakeOptions, readSubmission, type SubmittedJob } from "./intake";
import { type EmulatedJob, type EmulatedSigner, JobBook, signerIn } from "./jobs";
import type { PdfWorkers } from "./pdf-workers";
import { createSignerXades } from "./signer-xades";
import { Rejection } from "./rejection";
import { directJobResponse, directJobStatus, directSignerResponse, portalJobResponse, portalJobStatus, type UrlBase } from "./responses";
import type { Store } from "./store";

/** On every polling answer, as the service spells it. */
export const NEXT_PERMITTED_POLL_TIME = "X-Next-permitted-poll-time";

export interface ServiceOptions {
  book: JobBook;
  store: Store;
  clock: EmulatorClock;
  urls: UrlBase;
  intake: IntakeOptions;
  emptyQueueWaitMs: number;
  /** The emulator's own certificate and key: seals PAdES and signer XAdES. */
  seal: SenderCredentials;
  /** Where the signed PDF is made, off the thread that answers requests. */
  pdf: PdfWorkers;
}

export interface XmlResult {
  status: number;
  xml?: string;
  headers?: Record<string, string>;
}

/** The service's operations, independent of HTTP routing. */
export class SigneringService {
  /** Per organization, flow and queue: when the next poll is allowed. */
  private readonly nextPermittedPoll = new Map<string, number>();

  constructor(private readonly options: ServiceOptions) {}

  async createJob(submission: SubmittedJob): Promise<XmlResult> {
    const { spec, documents } = await readSubmission(submission, this.options.intake);
    this.options.book.checkRules(spec);
    const id = this.options.book.allocateId();
    this.options.store.saveDocuments(id, documents);
    const job = this.options.book.create(id, spec, this.options.clock.now());
    return {
      status: 200,
      xml: spec.flow === "direct" ? directJobResponse(job, this.options.urls) : portalJobResponse(job, this.options.urls),
    };
  }

  directStatus(organization: string, id: number, statusQueryToken: string | undefined): XmlResult {
    const job = this.options.book.get(organization, "direct", id);
    this.options.book.tick(this.options.clock.now());
    if (!statusQueryToken || !job.statusQueryTokens.includes(statusQueryToken)) {
      if (job.statusQueryTokens.length === 0)
        throw new Rejection(404, "SIGNING_CEREMONY_NOT_COMPLETED", `No signer of job ${id} has finished the signing ceremony yet`);
      throw new Rejection(403, "INVALID_STATUS_QUERY_TOKEN", `The status query token is not valid for job ${id}`);
    }
    return { status: 200, xml: directJobStatus(job, this.options.urls, this.options.clock.now()) };
  }

  /** After a reset every queue may be polled at once. */
  forgetPollTimes(): void {
    this.nextPermittedPoll.clear();
  }

  /**
   * The next status change; an empty queue makes the poller wait, and polling early is refused.
   * Waits are kept on the emulator's clock (moving it forward ends them) and announced in real time.
   */
  poll(organization: string, flow: Flow, queue: string): XmlResult {
    const now = this.options.clock.now();
    const key = `${organization}/${flow}/${queue}`;
    const permitted = this.nextPermittedPoll.get(key) ?? 0;
    const header = (instant: number) => ({ [NEXT_PERMITTED_POLL_TIME]: new Date(this.options.clock.realTimeOf(instant)).toISOString() });
    if (now < permitted) {
      throw new Rejection(
        429,
        "TOO_EAGER_POLLING",
        `Polled ${Math.ceil((permitted - now) / 1000)} s before the next permitted poll time`,
        header(permitted),
      );
    }
    const job = this.options.book.poll(organization, flow, queue, now);
    const next = job ? now : now + this.options.emptyQueueWaitMs;
    this.nextPermittedPoll.set(key, next);
    if (!job) return { status: 204, headers: header(next) };
    const xml = flow === "direct" ? directJobStatus(job, this.options.urls, now) : portalJobStatus(job, this.options.urls, now);
    return { status: 200, xml, headers: header(next) };
  }

  confirm(organization: string, flow: Flow, id: number): XmlResult {
    this.options.book.confirm(this.options.book.get(organization, flow, id), this.options.clock.now());
    return { status: 200 };
  }

  cancel(organization: string, id: number): XmlResult {
    this.options.book.cancel(this.options.book.get(organization, "portal", id), this.options.clock.now());
    return { status: 204 };
  }

  deleteDocuments(organization: string, flow: Flow, id: number): XmlResult {
    const job = this.options.book.get(organization, flow, id);
    this.options.book.deleteDocuments(job, this.options.clock.now());
    this.options.store.deleteDocuments(job.id);
    return { status: 200 };
  }

  newRedirectUrl(organization: string, id: number, signerIndex: number): XmlResult {
    const job = this.options.book.get(organization, "direct", id);
    const signer = signerIn(job, signerIndex);
    if (signer.status !== "WAITING" || job.status !== "IN_PROGRESS") {
      throw new Rejection(409, "SIGNER_NOT_WAITING", `Signer ${signerIndex} of job ${id} has status ${signer.status}; no new redirect URL`);
    }
    this.options.book.renewRedirectToken(job, signer);
    return { status: 200, xml: directSignerResponse(job, signer, this.options.urls) };
  }

  signerXades(organization: string, flow: Flow, id: number, signerIndex: number): string {
    const job = this.downloadable(organization, flow, id);
    const signer = signerIn(job, signerIndex);
    if (signer.status !== "SIGNED") throw new Rejection(404, "SIGNATURE_NOT_FOUND", `Signer ${signerIndex} of job ${id} has not signed`);
    return this.xadesOf(job, signer);
  }

  /** The job's signed PDF, made once when first asked for (the service makes it once too). */
  async pades(organization: string, flow: Flow | undefined, id: number): Promise<Uint8Array> {
    const job = this.downloadable(organization, flow, id);
    if (job.status !== "COMPLETED_SUCCESSFULLY")
      throw new Rejection(404, "PADES_NOT_AVAILABLE", `Job ${id} is ${job.status}; the PAdES exists when every signer has signed`);
    const stored = this.options.store.readPades(job.id);
    if (stored) return stored;
    const seal = this.options.seal;
    const input = {
      jobTitle: job.title,
      documents: job.documents.map((document, index) => ({
        title: document.title,
        mimeType: document.mime,
        content: this.options.store.readDocument(job.id, index),
      })),
      signers: job.signers.map((signer) => ({
        name: signerLabel(signer),
        signedAt: new Date(signer.since),
        xades: { fileName: `xades-signer-${signer.index}.xml`, content: this.xadesOf(job, signer) },
      })),
      sealKeyPem: seal.tls.key,
      sealCertificateChainPem: seal.chain.map((certificate) => certificate.toString()),
    };
    let pades: Uint8Array;
    try {
      pades = await this.options.pdf.createPades(input);
    } catch (error) {
      if (error instanceof Rejection) throw error;
      throw new Rejection(500, "PADES_FAILED", `The signed PDF of job ${id} could not be made: ${(error as Error).message}`);
    }
    this.options.store.savePades(job.id, pades);
    return pades;
  }

  /** Archive document ids are the ids of the sender's completed jobs, whose PAdES is kept until its documents are deleted. */
  async archivedPades(organization: string, documentId: string): Promise<Uint8Array> {
    const job = /^\d{1,15}$/.test(documentId) ? this.options.book.find(organization, undefined, Number(documentId)) : undefined;
    if (!job || job.status !== "COMPLETED_SUCCESSFULLY" || job.documentsDeleted) {
      throw new Rejection(404, "ARCHIVED_DOCUMENT_NOT_FOUND", `Organization ${organization} has no archived document ${documentId}`);
    }
    return this.pades(organization, job.flow, job.id);
  }

  documentOf(job: EmulatedJob, index: number): Buffer {
    if (job.documentsDeleted) throw new Rejection(404, "DOCUMENTS_DELETED", `The documents of job ${job.id} were deleted`);
    if (!job.documents[index]) throw new Rejection(404, "DOCUMENT_NOT_FOUND", `Job ${job.id} has no document ${index + 1}`);
    return this.options.store.readDocument(job.id, index);
  }

  /** The signer's XAdES over the job's documents, sealed by the emulator (there is no real eID behind it). */
  private xadesOf(job: EmulatedJob, signer: EmulatedSigner): string {
    return createSignerXades({
      signerIndex: signer.index,
      signerLabel: signerLabel(signer),
      signedAt: new Date(signer.since),
      documents: job.documents.map((document, index) => ({
        href: document.href,
        mimeType: document.mime,
        content: this.options.store.readDocument(job.id, index),
      })),
      seal: { privateKey: this.options.seal.privateKey, chain: this.options.seal.chain },
    });
  }

  private downloadable(organization: string, flow: Flow | undefined, id: number): EmulatedJob {
    const job = this.options.book.get(organization, flow, id);
    if (job.documentsDeleted) throw new Rejection(404, "DOCUMENTS_DELETED", `The documents of job ${id} were deleted`);
    return job;
  }
}

export function signerLabel(signer: EmulatedSigner): string {
  if (signer.personalIdentificationNumber) return `Signer ${signer.personalIdentificationNumber.slice(0, 6)}*****`;
  return signer.customIdentifier ?? signer.contact?.email ?? signer.contact?.sms ?? `Signer ${signer.index}`;
}
