import { document, element, textElement, type Markup } from "../core/xml/writer";
import { canDeleteDocuments, type EmulatedJob, type EmulatedSigner } from "./jobs";

/** The service's response documents, built from the emulated job's state. */

export interface UrlBase {
  /** `https://127.0.0.1:PORT/api/{org}/{flow}/signature-jobs/{id}` */
  job(job: EmulatedJob): string;
  redirect(signer: EmulatedSigner): string;
}

const iso = (instant: number) => new Date(instant).toISOString();

function signerIdentifier(signer: EmulatedSigner): Markup | undefined {
  return signer.personalIdentificationNumber !== undefined
    ? textElement("personal-identification-number", signer.personalIdentificationNumber)
    : textElement("signer-identifier", signer.customIdentifier);
}

const signerHref = (job: EmulatedJob, signer: EmulatedSigner, urls: UrlBase) => `${urls.job(job)}/signers/${signer.index}`;

export function directJobResponse(job: EmulatedJob, urls: UrlBase): string {
  return document("direct-signature-job-response", [
    textElement("reference", job.reference),
    textElement("signature-job-id", job.id),
    ...job.signers.map((signer) => textElement("redirect-url", urls.redirect(signer), { signer: identify(signer) })),
    textElement("status-url", `${urls.job(job)}/status`),
    ...job.signers.map((signer) =>
      element("signer", [signerIdentifier(signer), textElement("redirect-url", urls.redirect(signer))], {
        href: signerHref(job, signer, urls),
      }),
    ),
  ]);
}

export function directSignerResponse(job: EmulatedJob, signer: EmulatedSigner, urls: UrlBase): string {
  return document("direct-signer-response", [signerIdentifier(signer), textElement("redirect-url", urls.redirect(signer))], {
    href: signerHref(job, signer, urls),
  });
}

export function portalJobResponse(job: EmulatedJob, urls: UrlBase): string {
  return document("portal-signature-job-response", [
    textElement("reference", job.reference),
    textElement("signature-job-id", job.id),
    textElement("cancellation-url", `${urls.job(job)}/cancel`),
  ]);
}

function downloadUrls(job: EmulatedJob, now: number) {
  const available = !job.documentsDeleted;
  return {
    delete: canDeleteDocuments(job, now),
    pades: available && job.status === "COMPLETED_SUCCESSFULLY",
    xades: (signer: EmulatedSigner) => available && signer.status === "SIGNED",
  };
}

export function directJobStatus(job: EmulatedJob, urls: UrlBase, now: number): string {
  const base = urls.job(job);
  const can = downloadUrls(job, now);
  return document("direct-signature-job-status-response", [
    textElement("reference", job.reference),
    textElement("signature-job-id", job.id),
    textElement("signature-job-status", job.status),
    ...job.signers.map((signer) => textElement("status", signer.status, { signer: identify(signer), since: iso(signer.since) })),
    textElement("confirmation-url", `${base}/complete`),
    can.delete && textElement("delete-documents-url", `${base}/documents`),
    ...job.signers
      .filter(can.xades)
      .map((signer) => textElement("xades-url", `${base}/xades/${signer.index}`, { signer: identify(signer) })),
    can.pades && textElement("pades-url", `${base}/pades`),
  ]);
}

export function portalJobStatus(job: EmulatedJob, urls: UrlBase, now: number): string {
  const base = urls.job(job);
  const can = downloadUrls(job, now);
  return document("portal-signature-job-status-change-response", [
    textElement("reference", job.reference),
    textElement("signature-job-id", job.id),
    textElement("status", job.status),
    textElement("confirmation-url", `${base}/complete`),
    job.status === "IN_PROGRESS" && textElement("cancellation-url", `${base}/cancel`),
    can.delete && textElement("delete-documents-url", `${base}/documents`),
    element("signatures", [
      ...job.signers.map((signer) =>
        element("signature", [
          textElement("status", signer.status, { since: iso(signer.since) }),
          signer.personalIdentificationNumber !== undefined
            ? textElement("personal-identification-number", signer.personalIdentificationNumber)
            : element("identifier", [
                signer.contact?.email !== undefined && element("email", [], { address: signer.contact.email }),
                signer.contact?.sms !== undefined && element("sms", [], { number: signer.contact.sms }),
              ]),
          can.xades(signer) && textElement("xades-url", `${base}/xades/${signer.index}`),
        ]),
      ),
      can.pades && textElement("pades-url", `${base}/pades`),
    ]),
  ]);
}

export function errorDocument(code: string, message: string, type: "CLIENT" | "SERVER"): string {
  return document("error", [textElement("error-code", code), textElement("error-message", message), textElement("error-type", type)]);
}

function identify(signer: EmulatedSigner): string | undefined {
  return signer.personalIdentificationNumber ?? signer.customIdentifier;
}
