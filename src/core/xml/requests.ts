import type { Availability, DirectJob, DirectSigner, PortalJob, PortalSigner, Sender } from "../model";
import { document, element, textElement, type Markup } from "./writer";

const PDF = "application/pdf";

export function buildDirectJobRequest(job: DirectJob): string {
  return document("direct-signature-job-request", [
    textElement("reference", job.reference),
    element("exit-urls", [
      textElement("completion-url", job.exitUrls.completion),
      textElement("rejection-url", job.exitUrls.rejection),
      textElement("error-url", job.exitUrls.error),
    ]),
    textElement("status-retrieval-method", job.statusRetrievalMethod),
    textElement("polling-queue", job.pollingQueue),
  ]);
}

export function buildPortalJobRequest(job: PortalJob): string {
  return document("portal-signature-job-request", [
    textElement("reference", job.reference),
    textElement("polling-queue", job.pollingQueue),
  ]);
}

/** `documentFileNames[i]` is the bundle entry name (manifest href) of `job.documents[i]`. */
export function buildDirectManifest(job: DirectJob, sender: Sender, documentFileNames: readonly string[]): string {
  return document("direct-signature-job-manifest", [
    ...job.signers.map(directSigner),
    senderElement(sender),
    textElement("title", job.title),
    textElement("description", job.description),
    documentsElement(job, documentFileNames),
    textElement("required-authentication", job.requiredAuthentication),
    textElement("identifier-in-signed-documents", job.identifierInSignedDocuments),
  ]);
}

export function buildPortalManifest(job: PortalJob, sender: Sender, documentFileNames: readonly string[]): string {
  return document("portal-signature-job-manifest", [
    element("signers", job.signers.map(portalSigner)),
    senderElement(sender),
    textElement("title", job.title),
    textElement("nonsensitive-title", job.nonsensitiveTitle),
    textElement("description", job.description),
    documentsElement(job, documentFileNames),
    textElement("required-authentication", job.requiredAuthentication),
    job.availability && availabilityElement(job.availability),
    textElement("identifier-in-signed-documents", job.identifierInSignedDocuments),
  ]);
}

/** Asks for a new one-time redirect URL for a direct signer. */
export function buildDirectSignerUpdateRequest(): string {
  return document("direct-signer-update-request", [element("redirect-url")]);
}

function directSigner(signer: DirectSigner): Markup {
  return element("signer", [
    textElement("personal-identification-number", signer.personalIdentificationNumber),
    textElement("signer-identifier", signer.customIdentifier),
    textElement("signature-type", signer.signatureType),
    textElement("on-behalf-of", signer.onBehalfOf),
  ]);
}

function portalSigner(signer: PortalSigner): Markup {
  const lookup = signer.notificationsUsingLookup;
  const notifications = signer.notifications;
  return element(
    "signer",
    [
      signer.personalIdentificationNumber === undefined
        ? element("identified-by-contact-information")
        : textElement("personal-identification-number", signer.personalIdentificationNumber),
      textElement("signature-type", signer.signatureType),
      lookup && element("notifications-using-lookup", [element("email"), lookup.sms === true && element("sms")]),
      notifications &&
        element("notifications", [
          notifications.email !== undefined && element("email", [], { address: notifications.email }),
          notifications.sms !== undefined && element("sms", [], { number: notifications.sms }),
        ]),
      textElement("on-behalf-of", signer.onBehalfOf),
    ],
    { order: signer.order },
  );
}

function senderElement(sender: Sender): Markup {
  return element("sender", [textElement("organization-number", sender.organizationNumber)]);
}

function documentsElement(job: DirectJob | PortalJob, fileNames: readonly string[]): Markup {
  return element(
    "documents",
    job.documents.map((doc, index) =>
      element("document", [textElement("title", doc.title)], { href: fileNames[index], mime: doc.mimeType ?? PDF }),
    ),
  );
}

function availabilityElement(availability: Availability): Markup {
  const activation = availability.activationTime;
  return element("availability", [
    // Normalized to UTC so any accepted input form becomes a valid xs:dateTime with an offset.
    textElement("activation-time", activation === undefined ? undefined : new Date(activation).toISOString()),
    textElement("available-seconds", availability.availableSeconds),
  ]);
}
