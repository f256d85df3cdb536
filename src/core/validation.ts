import { InvalidInputError } from "./errors";
import { isValidNationalIdentityNumber, isValidOrganizationNumber, maskNationalIdentityNumber } from "./identifiers";
import { LIMITS } from "./limits";
import type { DirectJob, DirectSigner, JobDocument, PortalJob, PortalSigner } from "./model";

/**
 * Checks a job against the service's rules before anything is sent, so a mistake is reported
 * with the field and the limit instead of as a rejected request later.
 */

export interface ValidationOptions {
  /** Check national identity numbers' check digits (default true; off for synthetic test identities). */
  checkNationalIdChecksum?: boolean;
}

const SIGNATURE_TYPES = ["ADVANCED_ELECTRONIC_SIGNATURE", "AUTHENTICATED_ELECTRONIC_SIGNATURE"];
const ON_BEHALF_OF = ["SELF", "OTHER"];
const IDENTIFIERS_IN_DOCUMENTS = ["PERSONAL_IDENTIFICATION_NUMBER_AND_NAME", "DATE_OF_BIRTH_AND_NAME", "NAME"];
const STATUS_RETRIEVAL_METHODS = ["WAIT_FOR_CALLBACK", "POLLING"];
const DOCUMENT_MIME_TYPES: readonly string[] = ["application/pdf", "text/plain"];
const PDF_MAGIC = "%PDF-";
/** Readers accept the header within the first kilobyte. */
const PDF_HEADER_WINDOW = 1024;
/** The trailer (with any /Encrypt entry) sits at the end of the file. */
const PDF_TRAILER_WINDOW = 4096;

export function validateDirectJob(job: DirectJob, options: ValidationOptions = {}): void {
  validateCommon(job);
  const signers = requireList(job.signers, "signers", LIMITS.signersPerJob);
  signers.forEach((signer, index) => validateDirectSigner(signer, `signers[${index}]`, options));
  requireUnique(
    signers.map((signer) => signer.personalIdentificationNumber ?? signer.customIdentifier),
    "signers",
    "a signer",
    maskIfNationalId,
  );
  if (!job.exitUrls || typeof job.exitUrls !== "object")
    throw new InvalidInputError("exitUrls", "is required (completion, rejection and error URLs)");
  for (const key of ["completion", "rejection", "error"] as const) validateUrl(job.exitUrls[key], `exitUrls.${key}`);
  optionalEnum(job.statusRetrievalMethod, "statusRetrievalMethod", STATUS_RETRIEVAL_METHODS);
}

export function validatePortalJob(job: PortalJob, options: ValidationOptions = {}): void {
  validateCommon(job);
  optionalText(job.nonsensitiveTitle, "nonsensitiveTitle", 1, LIMITS.nonsensitiveTitleLength);
  const signers = requireList(job.signers, "signers", LIMITS.signersPerJob);
  signers.forEach((signer, index) => validatePortalSigner(signer, `signers[${index}]`, options));
  requireUnique(
    signers.map((signer) => signer.personalIdentificationNumber),
    "signers",
    "a signer",
    maskIfNationalId,
  );
  if (job.availability !== undefined) {
    const { activationTime, availableSeconds } = job.availability;
    if (activationTime !== undefined && Number.isNaN(new Date(activationTime).getTime())) {
      throw new InvalidInputError("availability.activationTime", `must be a date and time (ISO 8601), was "${String(activationTime)}"`);
    }
    if (availableSeconds !== undefined) {
      requireInteger(availableSeconds, "availability.availableSeconds", 0, LIMITS.availableSeconds);
    }
  }
}

function validateCommon(job: DirectJob | PortalJob): void {
  if (!job || typeof job !== "object") throw new InvalidInputError("job", "must be an object");
  requireText(job.title, "title", 1, LIMITS.titleLength);
  optionalText(job.description, "description", 0, LIMITS.descriptionLength);
  optionalText(job.reference, "reference", 0, LIMITS.referenceLength);
  if (job.sender !== undefined && !isValidOrganizationNumber(String(job.sender.organizationNumber))) {
    throw new InvalidInputError(
      "sender.organizationNumber",
      `must be a valid 9-digit organization number, was "${job.sender.organizationNumber}"`,
    );
  }
  if (job.pollingQueue !== undefined) requireText(job.pollingQueue, "pollingQueue", 1, Number.MAX_SAFE_INTEGER);
  if (job.requiredAuthentication !== undefined && job.requiredAuthentication !== 3 && job.requiredAuthentication !== 4) {
    throw new InvalidInputError("requiredAuthentication", `must be 3 or 4, was ${JSON.stringify(job.requiredAuthentication)}`);
  }
  optionalEnum(job.identifierInSignedDocuments, "identifierInSignedDocuments", IDENTIFIERS_IN_DOCUMENTS);
  requireList(job.documents, "documents", LIMITS.documentsPerJob).forEach((document, index) =>
    validateDocument(document, `documents[${index}]`),
  );
}

function validateDocument(document: JobDocument, field: string): void {
  if (!document || typeof document !== "object") throw new InvalidInputError(field, "must be an object with title and content");
  requireText(document.title, `${field}.title`, 1, LIMITS.titleLength);
  const mimeType = document.mimeType ?? "application/pdf";
  if (!DOCUMENT_MIME_TYPES.includes(mimeType)) {
    throw new InvalidInputError(
      `${field}.mimeType`,
      `must be ${DOCUMENT_MIME_TYPES.join(" or ")}, was ${JSON.stringify(document.mimeType)}`,
    );
  }
  const content = document.content;
  if (!(content instanceof Uint8Array))
    throw new InvalidInputError(`${field}.content`, "must be the document's bytes (a Buffer or Uint8Array)");
  if (content.length > LIMITS.documentBytes) {
    throw new InvalidInputError(`${field}.content`, `must be at most ${LIMITS.documentBytes} bytes (10 MB), was ${content.length}`);
  }
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.length);
  if (mimeType === "text/plain") return validateText(bytes, `${field}.content`);
  if (!bytes.subarray(0, PDF_HEADER_WINDOW).includes(PDF_MAGIC)) {
    throw new InvalidInputError(`${field}.content`, 'must be a PDF (no %PDF- header found); a text document needs mimeType "text/plain"');
  }
  if (bytes.subarray(Math.max(0, bytes.length - PDF_TRAILER_WINDOW)).includes("/Encrypt")) {
    throw new InvalidInputError(`${field}.content`, "must not be a password-protected (encrypted) PDF");
  }
}

function validateText(bytes: Buffer, field: string): void {
  if (bytes.length === 0) throw new InvalidInputError(field, "must not be empty");
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidInputError(field, "must be UTF-8 text (a text/plain document)");
  }
  if (bytes.subarray(0, PDF_MAGIC.length).toString("latin1") === PDF_MAGIC)
    throw new InvalidInputError(field, 'is a PDF; give it mimeType "application/pdf"');
}

function validateDirectSigner(signer: DirectSigner, field: string, options: ValidationOptions): void {
  if (!signer || typeof signer !== "object") throw new InvalidInputError(field, "must be an object");
  const hasPin = signer.personalIdentificationNumber !== undefined;
  const hasCustom = signer.customIdentifier !== undefined;
  if (hasPin === hasCustom) throw new InvalidInputError(field, "needs exactly one of personalIdentificationNumber and customIdentifier");
  if (hasPin) validateNationalId(signer.personalIdentificationNumber as string, `${field}.personalIdentificationNumber`, options);
  else requireText(signer.customIdentifier, `${field}.customIdentifier`, 1, LIMITS.customIdentifierLength);
  optionalEnum(signer.signatureType, `${field}.signatureType`, SIGNATURE_TYPES);
  optionalEnum(signer.onBehalfOf, `${field}.onBehalfOf`, ON_BEHALF_OF);
}

function validatePortalSigner(signer: PortalSigner, field: string, options: ValidationOptions): void {
  if (!signer || typeof signer !== "object") throw new InvalidInputError(field, "must be an object");
  const hasPin = signer.personalIdentificationNumber !== undefined;
  if (hasPin && signer.identifiedByContactInformation) {
    throw new InvalidInputError(field, "is identified either by personalIdentificationNumber or by contact information, not both");
  }
  if (!hasPin && !signer.identifiedByContactInformation) {
    throw new InvalidInputError(field, "needs personalIdentificationNumber, or identifiedByContactInformation with notifications");
  }
  if (hasPin) validateNationalId(signer.personalIdentificationNumber as string, `${field}.personalIdentificationNumber`, options);
  if (signer.order !== undefined) requireInteger(signer.order, `${field}.order`, LIMITS.signingOrder.min, LIMITS.signingOrder.max);
  optionalEnum(signer.signatureType, `${field}.signatureType`, SIGNATURE_TYPES);
  optionalEnum(signer.onBehalfOf, `${field}.onBehalfOf`, ON_BEHALF_OF);

  const { notifications, notificationsUsingLookup: lookup } = signer;
  if ((notifications === undefined) === (lookup === undefined)) {
    throw new InvalidInputError(field, "needs exactly one of notifications (e-mail/SMS) and notificationsUsingLookup");
  }
  if (lookup !== undefined) {
    if (!hasPin) throw new InvalidInputError(`${field}.notificationsUsingLookup`, "needs a personalIdentificationNumber to look up");
    if (signer.onBehalfOf === "OTHER") {
      throw new InvalidInputError(
        `${field}.notificationsUsingLookup`,
        "cannot be used when signing on behalf of OTHER; give notifications instead",
      );
    }
  }
  if (notifications !== undefined) {
    if (notifications.email === undefined && notifications.sms === undefined) {
      throw new InvalidInputError(`${field}.notifications`, "needs an email address, an sms number or both");
    }
    if (notifications.email !== undefined) requireXmlCharacters(notifications.email, `${field}.notifications.email`);
    if (notifications.sms !== undefined) requireXmlCharacters(notifications.sms, `${field}.notifications.sms`);
    if (notifications.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(notifications.email)) {
      throw new InvalidInputError(`${field}.notifications.email`, `must be an e-mail address, was "${notifications.email}"`);
    }
    if (notifications.sms !== undefined && !/^\+?\d{8,15}$/.test(notifications.sms.replace(/[\s-]/g, ""))) {
      throw new InvalidInputError(
        `${field}.notifications.sms`,
        `must be a mobile number of 8-15 digits, optionally with +country code, was "${notifications.sms}"`,
      );
    }
  }
}

function validateNationalId(value: string, field: string, options: ValidationOptions): void {
  const checkChecksum = options.checkNationalIdChecksum !== false;
  if (typeof value !== "string" || !/^\d{11}$/.test(value)) {
    throw new InvalidInputError(
      field,
      `must be 11 digits, was "${typeof value === "string" ? maskNationalIdentityNumber(value) : typeof value}"`,
    );
  }
  if (!isValidNationalIdentityNumber(value, checkChecksum)) {
    throw new InvalidInputError(
      field,
      `${maskNationalIdentityNumber(value)} has wrong check digits (switch the checksum check off for synthetic test identities)`,
    );
  }
}

function validateUrl(value: unknown, field: string): void {
  requireText(value, field, 1, LIMITS.urlLength);
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    throw new InvalidInputError(field, `must be an absolute URL, was "${String(value)}"`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw new InvalidInputError(field, "must use https (http is accepted only for localhost/127.0.0.1)");
  }
}

function requireText(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== "string")
    throw new InvalidInputError(field, `is required and must be text${min > 0 ? ` of ${min}-${max} characters` : ""}`);
  requireXmlCharacters(value, field);
  const length = [...value].length;
  if (length < min)
    throw new InvalidInputError(field, min === 1 ? "must not be empty" : `must be at least ${min} characters, was ${length}`);
  if (length > max) throw new InvalidInputError(field, `must be at most ${max} characters, was ${length}`);
}

/**
 * Every text ends up in the manifest or the request XML, and XML 1.0 has no way to write control
 * characters (except tab, line feed, carriage return), U+FFFE, U+FFFF or half a surrogate pair.
 */
const NOT_XML_CHARACTER =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function requireXmlCharacters(value: string, field: string): void {
  const found = NOT_XML_CHARACTER.exec(value);
  if (found) {
    const code = (found[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
    throw new InvalidInputError(field, `contains a character XML does not allow (U+${code} at position ${found.index + 1})`);
  }
}

function optionalText(value: unknown, field: string, min: number, max: number): void {
  if (value !== undefined) requireText(value, field, min, max);
}

function optionalEnum(value: unknown, field: string, allowed: readonly string[]): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    throw new InvalidInputError(field, `must be one of ${allowed.join(", ")}, was ${JSON.stringify(value)}`);
  }
}

function requireInteger(value: unknown, field: string, min: number, max: number): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError(field, `must be a whole number from ${min} to ${max}, was ${JSON.stringify(value)}`);
  }
}

function requireList<T>(value: readonly T[] | undefined, field: string, limits: { min: number; max: number }): readonly T[] {
  if (!Array.isArray(value)) throw new InvalidInputError(field, `must be a list of ${limits.min}-${limits.max} entries`);
  if (value.length < limits.min) throw new InvalidInputError(field, `needs at least ${limits.min} entry, had ${value.length}`);
  if (value.length > limits.max) throw new InvalidInputError(field, `must have at most ${limits.max} entries, had ${value.length}`);
  return value;
}

function requireUnique(values: readonly (string | undefined)[], field: string, what: string, display: (value: string) => string): void {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (value === undefined) return;
    if (seen.has(value)) throw new InvalidInputError(`${field}[${index}]`, `${what} ${display(value)} appears more than once in the job`);
    seen.add(value);
  });
}

function maskIfNationalId(value: string): string {
  return /^\d{11}$/.test(value) ? maskNationalIdentityNumber(value) : `"${value}"`;
}
