import type { X509Certificate } from "node:crypto";
import type { Flow } from "../core/model";
import { BundleArchive, MAX_DOCUMENT_BYTES, MAX_XML_ENTRY_BYTES } from "./bundle-archive";
import { type JobSpec, readJobSpec } from "./job-spec";
import type { MemoryReservation } from "./memory-budget";
import { parseJobRequest } from "./multipart";
import type { PdfWorkers } from "./pdf-workers";
import { badRequest, Rejection } from "./rejection";
import type { SchemaValidator } from "./schema";
import { SIGNATURES_ENTRY, verifyBundleSignature } from "./verify-bundle";
import { decodeText, fitsTextPages, MAX_TEXT_PAGES, TEXT_PLAIN } from "./text-document";
import { parseXmlTree, type XmlElement } from "./xml-tree";

/**
 * Judges a job creation request the way the service does, in the order a client's mistakes are
 * easiest to understand: the multipart body, the bundle's files, the XML against the schema,
 * the sender, the signature, and the documents. Rules about the job's content that need no
 * bytes (sector, duplicates, availability) are the job book's.
 */

const MANIFEST_ENTRY = "manifest.xml";
const PDF = "application/pdf";

export interface SubmittedJob {
  flow: Flow;
  /** The sender organization in the URL. */
  organization: string;
  /** The organization of the client certificate (the sender itself or its broker). */
  caller: string;
  contentType: string | undefined;
  body: Buffer;
  /** Holds the body's bytes; what the bundle inflates to is added to it. */
  memory: MemoryReservation;
}

export interface IntakeOptions {
  schema: SchemaValidator;
  pdf: PdfWorkers;
  trustedCertificates: readonly X509Certificate[];
  signingTimeToleranceMs: number;
}

export interface AcceptedJob {
  spec: JobSpec;
  /** The documents' bytes, in the manifest's order. */
  documents: Buffer[];
}

export async function readSubmission(submission: SubmittedJob, options: IntakeOptions): Promise<AcceptedJob> {
  const { flow, organization, caller } = submission;
  const { requestXml, bundle } = parseJobRequest(submission.contentType, submission.body);
  const archive = BundleArchive.open(bundle, submission.memory);
  const manifest = await archive.inflate(MANIFEST_ENTRY, MAX_XML_ENTRY_BYTES);
  const manifestXml = manifest.toString("utf8");
  await options.schema.validate([
    { name: "request.xml", xml: requestXml },
    { name: MANIFEST_ENTRY, xml: manifestXml },
  ]);
  const request = parseWithRoot("The job request", requestXml, `${flow}-signature-job-request`);
  const spec = readJobSpec(flow, request, parseWithRoot(MANIFEST_ENTRY, manifestXml, `${flow}-signature-job-manifest`));
  if (spec.sender !== organization)
    throw badRequest("SENDER_MISMATCH", `The manifest's sender ${spec.sender} is not the organization in the URL (${organization})`);

  // Only what the manifest names is inflated: a bundle's other entries are refused unread.
  const named = new Set([...spec.documents.map((document) => document.href), MANIFEST_ENTRY, SIGNATURES_ENTRY]);
  for (const name of archive.names)
    if (!named.has(name)) throw badRequest("INVALID_DOCUMENT_BUNDLE", `"${name}" is in the bundle but not in the manifest`);
  for (const document of spec.documents) {
    if (!archive.has(document.href))
      throw badRequest("INVALID_DOCUMENT_BUNDLE", `The manifest names "${document.href}", which is not in the bundle`);
  }
  const entries = new Map([[MANIFEST_ENTRY, manifest]]);
  entries.set(SIGNATURES_ENTRY, await archive.inflate(SIGNATURES_ENTRY, MAX_XML_ENTRY_BYTES));
  for (const document of spec.documents) entries.set(document.href, await archive.inflate(document.href, MAX_DOCUMENT_BYTES));

  // Checked against the real time: it is the sender's clock that must be right, whatever the emulator's clock shows.
  const signature = verifyBundleSignature(entries, {
    trustedCertificates: options.trustedCertificates,
    now: new Date(),
    signingTimeToleranceMs: options.signingTimeToleranceMs,
  });
  if (signature.organizationNumber !== caller && signature.organizationNumber !== organization) {
    throw new Rejection(
      403,
      "INVALID_SIGNATURE",
      `The document bundle is signed by organization ${signature.organizationNumber ?? "(none)"}, not by the calling organization ${caller} or the sender`,
    );
  }

  const documents = spec.documents.map((document) => {
    const content = entries.get(document.href) as Buffer;
    if (!signature.signedFiles.has(document.href))
      throw badRequest("INVALID_DOCUMENT_BUNDLE", `The manifest names "${document.href}", which is not a signed document`);
    if (document.mime === TEXT_PLAIN) {
      const text = decodeText(content);
      if (text === undefined) throw badRequest("INVALID_DOCUMENT", `"${document.href}" is declared ${TEXT_PLAIN} but is not UTF-8 text`);
      if (!fitsTextPages(text))
        throw badRequest(
          "INVALID_DOCUMENT",
          `"${document.href}" would take more than ${MAX_TEXT_PAGES} pages in the signed PDF (the emulator's limit for text documents)`,
        );
      return content;
    }
    if (document.mime !== PDF)
      throw badRequest(
        "INVALID_DOCUMENT",
        `"${document.href}" has media type ${document.mime}; only ${PDF} and ${TEXT_PLAIN} are accepted`,
      );
    // PDF 1.7 §7.5.2: the header may come anywhere in the first 1024 bytes.
    if (!content.subarray(0, 1024).includes("%PDF-")) throw badRequest("INVALID_DOCUMENT", `"${document.href}" is not a PDF`);
    return content;
  });
  // One at a time: a job holds at most one place in the PDF workers' queue, and its first unreadable document ends its turn.
  for (const [index, document] of spec.documents.entries()) {
    if (document.mime !== PDF) continue;
    const verdict = await options.pdf.inspect(documents[index] as Buffer);
    if (!verdict.readable) throw badRequest("INVALID_DOCUMENT", `"${document.href}" is not a readable PDF: ${verdict.reason}`);
  }
  return { spec, documents };
}

/** Parses a document, once; the schema allows either flow's documents, the URL decides which one it must be. */
function parseWithRoot(what: string, xml: string, expected: string): XmlElement {
  let root: XmlElement;
  try {
    root = parseXmlTree(xml);
  } catch (error) {
    throw badRequest("INVALID_REQUEST", `${what} is not accepted: ${(error as Error).message}`);
  }
  if (root.localName !== expected)
    throw badRequest("INVALID_REQUEST", `${what} must be a ${expected} for this URL, not a ${root.localName}`);
  return root;
}
