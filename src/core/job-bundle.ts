import { createDocumentBundle, documentFileName, type DocumentBundle, type DocumentDigests } from "./bundle";
import type { SenderCredentials } from "./keys";
import type { DirectJob, JobDocument, PortalJob, Sender } from "./model";
import { buildDirectJobRequest, buildDirectManifest, buildPortalJobRequest, buildPortalManifest } from "./xml/requests";

export interface JobPackage {
  /** The job request XML (first multipart part). */
  requestXml: string;
  manifestXml: string;
  bundle: DocumentBundle;
}

export interface PackageOptions {
  signingTime?: Date;
  /** The documents' digests in job order, when taken while their files were read. */
  documentDigests?: readonly DocumentDigests[];
}

/** A job as the service receives it: request XML and the signed document bundle. */
export function packageDirectJob(job: DirectJob, sender: Sender, credentials: SenderCredentials, options: PackageOptions = {}): JobPackage {
  const fileNames = fileNamesOf(job.documents);
  const manifestXml = buildDirectManifest(job, sender, fileNames);
  return { requestXml: buildDirectJobRequest(job), manifestXml, bundle: bundleOf(job, fileNames, manifestXml, credentials, options) };
}

export function packagePortalJob(job: PortalJob, sender: Sender, credentials: SenderCredentials, options: PackageOptions = {}): JobPackage {
  const fileNames = fileNamesOf(job.documents);
  const manifestXml = buildPortalManifest(job, sender, fileNames);
  return { requestXml: buildPortalJobRequest(job), manifestXml, bundle: bundleOf(job, fileNames, manifestXml, credentials, options) };
}

/** `0000_title.pdf`, or `.txt` for a text document, as the Java client names them. */
function fileNamesOf(documents: readonly JobDocument[]): string[] {
  return documents.map((document, index) => documentFileName(index, document.title, document.mimeType === "text/plain" ? "txt" : "pdf"));
}

function bundleOf(
  job: DirectJob | PortalJob,
  fileNames: string[],
  manifestXml: string,
  credentials: SenderCredentials,
  options: PackageOptions,
): DocumentBundle {
  return createDocumentBundle({
    documents: job.documents.map((document, index) => ({
      fileName: fileNames[index] as string,
      content: document.content,
      mimeType: document.mimeType ?? "application/pdf",
      ...(options.documentDigests?.[index] ? { digests: options.documentDigests[index] } : {}),
    })),
    manifestXml,
    credentials,
    ...(options.signingTime ? { signingTime: options.signingTime } : {}),
  });
}
