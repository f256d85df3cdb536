import { X509Certificate } from "node:crypto";
import JSZip from "jszip";
import { PDFDocument } from "pdf-lib";
import { createSignaturesXml } from "../core/bundle";
import type { SenderCredentials } from "../core/keys";
import type { Flow } from "../core/model";
import type { EmulatorClock } from "./clock";
import { readJobSpec } from "./job-spec";
import { type EmulatedJob, type EmulatedSigner, JobBook, signerIn, token } from "./jobs";
import { parseJobRequest } from "./multipart";
import { createPades } from "./pades";
import { badRequest, Rejection } from "./rejection";
import { directJobResponse, directJobStatus, directSignerResponse, portalJobResponse, portalJobStatus, type UrlBase } from "./responses";
import type { SchemaValidator } from "./schema";
import type { Store } from "./store";
import { SIGNATURES_ENTRY, verifyBundleSignature } from "./verify-bundle";

const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** On every polling answer, as the service spells it. */
export const NEXT_PERMITTED_POLL_TIME = "X-Next-permitted-poll-time";
const MANIFEST_ENTRY = "manifest.xml";
/** Far more than 20 documents, manifest and signature: only keeps a hostile archive small. */
const MAX_BUNDLE_ENTRIES = 100;

export interface ServiceOptions {
  book: JobBook;
  store: Store;
  clock: EmulatorClock;
  urls: UrlBase;
  trustedCertificates: X509Certificate[];
  signingTimeToleranceMs: number;
  emptyQueueWaitMs: number;
  schema: SchemaValidator;
  /** The emulator's own certificate and key: seals PAdES and signer XAdES. */
  seal: SenderCredentials;
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

  async createJob(organization: string, callerOrganization: string | undefined, flow: Flow, contentType: string | undefined, body: Buffer): Promise<XmlResult> {
    const { requestXml, bundle } = parseJobRequest(contentType, body);
    const entries = await unzip(bundle);
    const manifest = entries.get(MANIFEST_ENTRY);
    if (!manifest) throw badRequest("INVALID_DOCUMENT_BUNDLE", "The document bundle has no manifest.xml");
    const manifestXml = manifest.toString("utf8");
    await this.options.schema.validate([
      { name: "request.xml", xml: requestXml },
      { name: MANIFEST_ENTRY, xml: manifestXml },
    ]);
    const rootOf = (xml: string) => /<(?:[\w-]+:)?([\w-]+)[\s>]/.exec(xml.replace(/<\?[^?]*\?>/g, "").replace(/<!--[\s\S]*?-->/g, ""))?.[1];
    if (rootOf(requestXml) !== `${flow}-signature-job-request` || rootOf(manifestXml) !== `${flow}-signature-job-manifest`) {
      throw badRequest("INVALID_REQUEST", `A ${flow} job needs a ${flow}-signature-job-request and a ${flow}-signature-job-manifest`);
    }
    const spec = readJobSpec(flow, requestXml, manifestXml);
    if (spec.sender !== organization) {
      throw badRequest("SENDER_MISMATCH", `The manifest's sender ${spec.sender} is not the organization in the URL (${organization})`);
    }
    const signature = verifyBundleSignature(entries, {
      trustedCertificates: this.options.trustedCertificates,
      now: new Date(),
      signingTimeToleranceMs: this.options.signingTimeToleranceMs,
    });
    if (signature.organizationNumber !== callerOrganization && signature.organizationNumber !== organization) {
      throw new Rejection(403, "INVALID_SIGNATURE", `The document bundle is signed by organization ${signature.organizationNumber ?? "(none)"}, not by the calling organization ${callerOrganization}`);
    }
    const expected = new Set([...spec.documents.map((document) => document.href), MANIFEST_ENTRY, SIGNATURES_ENTRY]);
    for (const name of entries.keys()) if (!expected.has(name)) throw badRequest("INVALID_DOCUMENT_BUNDLE", `"${name}" is in the bundle but not in the manifest`);
    const contents = spec.documents.map((document) => {
      const content = entries.get(document.href);
      if (!content) throw badRequest("INVALID_DOCUMENT_BUNDLE", `The manifest names "${document.href}", which is not in the bundle`);
      if (document.mime !== "application/pdf") throw badRequest("INVALID_DOCUMENT", `"${document.href}" has media type ${document.mime}; only application/pdf is accepted`);
      if (!content.subarray(0, 1024).includes("%PDF-")) throw badRequest("INVALID_DOCUMENT", `"${document.href}" is not a PDF`);
      if (content.length > MAX_DOCUMENT_BYTES) throw badRequest("DOCUMENT_TOO_LARGE", `"${document.href}" is ${content.length} bytes; at most ${MAX_DOCUMENT_BYTES}`);
      return content;
    });
    await Promise.all(contents.map((content, index) => requireReadablePdf(content, spec.documents[index]?.href ?? "")));
    this.options.book.checkRules(spec);

    const id = this.options.book.allocateId();
    this.options.store.saveDocuments(id, contents);
    const job = this.options.book.create(id, spec, this.options.clock.now());
    return { status: 200, xml: flow === "direct" ? directJobResponse(job, this.options.urls) : portalJobResponse(job, this.options.urls) };
  }

  directStatus(organization: string, id: number, statusQueryToken: string | undefined): XmlResult {
    const job = this.options.book.get(organization, "direct", id);
    this.options.book.tick(this.options.clock.now());
    if (!statusQueryToken || !job.statusQueryTokens.includes(statusQueryToken)) {
      if (job.statusQueryTokens.length === 0) throw new Rejection(404, "SIGNING_CEREMONY_NOT_COMPLETED", `No signer of job ${id} has finished the signing ceremony yet`);
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
      throw new Rejection(429, "TOO_EAGER_POLLING", `Polled ${Math.ceil((permitted - now) / 1000)} s before the next permitted poll time`, header(permitted));
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
    signer.redirectToken = token();
    signer.redirectTokenUsed = false;
    this.options.store.saveJob(job);
    return { status: 200, xml: directSignerResponse(job, signer, this.options.urls) };
  }

  signerXades(organization: string, flow: Flow, id: number, signerIndex: number): string {
    const job = this.downloadable(organization, flow, id);
    const signer = signerIn(job, signerIndex);
    if (signer.status !== "SIGNED") throw new Rejection(404, "SIGNATURE_NOT_FOUND", `Signer ${signerIndex} of job ${id} has not signed`);
    return this.xadesOf(job);
  }

  /** The job's signed PDF, made once when first asked for (the service makes it once too). */
  async pades(organization: string, flow: Flow | undefined, id: number): Promise<Uint8Array> {
    const job = this.downloadable(organization, flow, id);
    if (job.status !== "COMPLETED_SUCCESSFULLY") throw new Rejection(404, "PADES_NOT_AVAILABLE", `Job ${id} is ${job.status}; the PAdES exists when every signer has signed`);
    const stored = this.options.store.readPades(job.id);
    if (stored) return stored;
    const seal = this.options.seal;
    const pades = await createPades({
      jobTitle: job.title,
      documents: job.documents.map((document, index) => ({ title: document.title, content: this.options.store.readDocument(job.id, index) })),
      signers: job.signers.map((signer) => ({
        name: signerLabel(signer),
        signedAt: new Date(signer.since),
        xades: { fileName: `xades-signer-${signer.index}.xml`, content: this.xadesOf(job) },
      })),
      sealKeyPem: seal.tls.key,
      sealCertificateChainPem: seal.chain.map((certificate) => certificate.toString()),
    });
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

  /**
   * A signer's XAdES. There is no real eID in the emulator, so the emulator's own certificate
   * stands in for the signer's, over the job's documents.
   */
  private xadesOf(job: EmulatedJob): string {
    return createSignaturesXml({
      files: job.documents.map((document, index) => ({ name: document.href, content: this.options.store.readDocument(job.id, index), mimeType: document.mime })),
      credentials: this.options.seal,
      signingTime: new Date(job.completedAt ?? this.options.clock.now()),
      timeZone: "Europe/Oslo",
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

/** The service renders every document into the signed PDF, so it must parse and must not be encrypted. */
async function requireReadablePdf(content: Buffer, name: string): Promise<void> {
  let pages: number;
  try {
    pages = (await PDFDocument.load(content, { updateMetadata: false })).getPageCount();
  } catch (error) {
    const encrypted = /encrypt/i.test((error as Error).message);
    throw badRequest("INVALID_DOCUMENT", encrypted ? `"${name}" is a password-protected PDF` : `"${name}" is not a readable PDF`);
  }
  if (pages === 0) throw badRequest("INVALID_DOCUMENT", `"${name}" is not a readable PDF: it has no pages`);
}

/** Unpacks the bundle, refusing entries that inflate beyond what the service accepts (so a zip bomb stays small). */
async function unzip(bundle: Buffer): Promise<Map<string, Buffer>> {
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bundle);
  } catch {
    throw badRequest("INVALID_DOCUMENT_BUNDLE", "The document bundle is not a readable ZIP (ASiC-E) archive");
  }
  const files = Object.values(zip.files).filter((file) => !file.dir);
  if (files.length > MAX_BUNDLE_ENTRIES) throw badRequest("INVALID_DOCUMENT_BUNDLE", `The document bundle has ${files.length} files; at most ${MAX_BUNDLE_ENTRIES}`);
  const entries = new Map<string, Buffer>();
  for (const file of files) entries.set(file.name, await inflate(file));
  return entries;
}

/** Inflates one entry, stopping as soon as it is larger than any document may be. */
function inflate(file: JSZip.JSZipObject): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // JSZip's stream is an old-style Readable (events only, no async iteration).
    const stream = file.nodeStream("nodebuffer");
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      chunks.push(chunk);
      if (size <= MAX_DOCUMENT_BYTES) return;
      stream.pause();
      stream.removeAllListeners("data");
      reject(badRequest("DOCUMENT_TOO_LARGE", `"${file.name}" is larger than ${MAX_DOCUMENT_BYTES} bytes`));
    });
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", () => reject(badRequest("INVALID_DOCUMENT_BUNDLE", `"${file.name}" in the document bundle cannot be unpacked`)));
  });
}
