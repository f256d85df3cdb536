import { InvalidInputError, inputProblem, type InputProblem } from "./errors";
import { isValidNationalIdentityNumber, isValidOrganizationNumber, maskNationalIdentityNumber } from "./identifiers";
import { LIMITS } from "./limits";
import { codePointLength, shown } from "./text";
import type { Availability, DirectJob, DirectSigner, JobDocument, Notifications, PortalJob, PortalSigner } from "./model";

/**
 * Checks a job against the service's rules before anything is sent, so a mistake is reported
 * with the field and the limit instead of as a rejected request later. Every field is checked in
 * one run and all problems are thrown together in one `InvalidInputError`; a field's later rules
 * are skipped once it broke one (a title that is not text has no length to report). A text's
 * length is checked before any pattern looks at it, and no pattern here backtracks: a megabyte in
 * any field from a web form is refused in a single pass.
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

/** The problems found so far in one job. */
class Problems {
  readonly found: InputProblem[] = [];

  /** Records a problem; returns false so a check can end with `return problems.add(…)`. */
  add(field: string, problem: string): false {
    this.found.push(inputProblem(field, problem));
    return false;
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw new InvalidInputError(this.found);
  }
}

export function validateDirectJob(job: DirectJob, options: ValidationOptions = {}): void {
  const problems = new Problems();
  if (validateCommon(job, problems)) {
    const signers = requireList(job.signers, "signers", LIMITS.signersPerJob, problems);
    signers.forEach((signer, index) => validateDirectSigner(signer, `signers[${index}]`, options, problems));
    requireUnique(
      signers.map((signer) => signer?.personalIdentificationNumber ?? signer?.customIdentifier),
      "signers",
      "a signer",
      problems,
    );
    if (!job.exitUrls || typeof job.exitUrls !== "object") problems.add("exitUrls", "is required (completion, rejection and error URLs)");
    else for (const key of ["completion", "rejection", "error"] as const) validateUrl(job.exitUrls[key], `exitUrls.${key}`, problems);
    optionalEnum(job.statusRetrievalMethod, "statusRetrievalMethod", STATUS_RETRIEVAL_METHODS, problems);
  }
  problems.throwIfAny();
}

export function validatePortalJob(job: PortalJob, options: ValidationOptions = {}): void {
  const problems = new Problems();
  if (validateCommon(job, problems)) {
    optionalText(job.nonsensitiveTitle, "nonsensitiveTitle", 1, LIMITS.nonsensitiveTitleLength, problems);
    const signers = requireList(job.signers, "signers", LIMITS.signersPerJob, problems);
    signers.forEach((signer, index) => validatePortalSigner(signer, `signers[${index}]`, options, problems));
    requireUnique(
      signers.map((signer) => signer?.personalIdentificationNumber),
      "signers",
      "a signer",
      problems,
    );
    if (job.availability !== undefined) validateAvailability(job.availability, problems);
  }
  problems.throwIfAny();
}

/** The fields both flows share; false when the job is not even an object. */
function validateCommon(job: DirectJob | PortalJob, problems: Problems): boolean {
  if (!job || typeof job !== "object") return problems.add("job", "must be an object");
  requireText(job.title, "title", 1, LIMITS.titleLength, problems);
  optionalText(job.description, "description", 0, LIMITS.descriptionLength, problems);
  optionalText(job.reference, "reference", 0, LIMITS.referenceLength, problems);
  if (job.sender !== undefined && !isValidOrganizationNumber(String(job.sender?.organizationNumber))) {
    problems.add("sender.organizationNumber", `must be a valid 9-digit organization number, was ${shown(job.sender?.organizationNumber)}`);
  }
  optionalText(job.pollingQueue, "pollingQueue", 1, LIMITS.pollingQueueLength, problems);
  if (job.requiredAuthentication !== undefined && job.requiredAuthentication !== 3 && job.requiredAuthentication !== 4) {
    problems.add("requiredAuthentication", `must be 3 or 4, was ${shown(job.requiredAuthentication)}`);
  }
  optionalEnum(job.identifierInSignedDocuments, "identifierInSignedDocuments", IDENTIFIERS_IN_DOCUMENTS, problems);
  requireList(job.documents, "documents", LIMITS.documentsPerJob, problems).forEach((document, index) =>
    validateDocument(document, `documents[${index}]`, problems),
  );
  return true;
}

function validateAvailability(availability: Availability, problems: Problems): void {
  if (!availability || typeof availability !== "object") {
    problems.add("availability", "must be an object with activationTime and/or availableSeconds");
    return;
  }
  const { activationTime, availableSeconds } = availability;
  if (activationTime !== undefined && !isDateTime(activationTime)) {
    problems.add("availability.activationTime", `must be a date and time (ISO 8601), was ${shown(activationTime)}`);
  }
  if (availableSeconds !== undefined)
    requireInteger(availableSeconds, "availability.availableSeconds", 0, LIMITS.availableSeconds, problems);
}

function isDateTime(value: unknown): boolean {
  if (typeof value === "string" && value.length > LIMITS.dateTimeLength) return false;
  return (typeof value === "string" || value instanceof Date) && !Number.isNaN(new Date(value).getTime());
}

function validateDocument(document: JobDocument, field: string, problems: Problems): void {
  if (!document || typeof document !== "object") {
    problems.add(field, "must be an object with title and content");
    return;
  }
  requireText(document.title, `${field}.title`, 1, LIMITS.titleLength, problems);
  const mimeType = document.mimeType ?? "application/pdf";
  if (!DOCUMENT_MIME_TYPES.includes(mimeType)) {
    problems.add(`${field}.mimeType`, `must be ${DOCUMENT_MIME_TYPES.join(" or ")}, was ${shown(document.mimeType)}`);
    return;
  }
  validateContent(document.content, mimeType, `${field}.content`, problems);
}

function validateContent(content: unknown, mimeType: string, field: string, problems: Problems): boolean {
  if (!(content instanceof Uint8Array)) return problems.add(field, "must be the document's bytes (a Buffer or Uint8Array)");
  if (content.length > LIMITS.documentBytes) {
    return problems.add(field, `must be at most ${LIMITS.documentBytes} bytes (10 MB), was ${content.length}`);
  }
  const bytes = Buffer.from(content.buffer, content.byteOffset, content.length);
  if (mimeType === "text/plain") return validateText(bytes, field, problems);
  if (!bytes.subarray(0, PDF_HEADER_WINDOW).includes(PDF_MAGIC)) {
    return problems.add(field, 'must be a PDF (no %PDF- header found); a text document needs mimeType "text/plain"');
  }
  if (bytes.subarray(Math.max(0, bytes.length - PDF_TRAILER_WINDOW)).includes("/Encrypt")) {
    return problems.add(field, "must not be a password-protected (encrypted) PDF");
  }
  return true;
}

function validateText(bytes: Buffer, field: string, problems: Problems): boolean {
  if (bytes.length === 0) return problems.add(field, "must not be empty");
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return problems.add(field, "must be UTF-8 text (a text/plain document)");
  }
  if (bytes.subarray(0, PDF_MAGIC.length).toString("latin1") === PDF_MAGIC) {
    return problems.add(field, 'is a PDF; give it mimeType "application/pdf"');
  }
  return true;
}

function validateDirectSigner(signer: DirectSigner, field: string, options: ValidationOptions, problems: Problems): void {
  if (!signer || typeof signer !== "object") {
    problems.add(field, "must be an object");
    return;
  }
  const hasPin = signer.personalIdentificationNumber !== undefined;
  const hasCustom = signer.customIdentifier !== undefined;
  if (hasPin === hasCustom) problems.add(field, "needs exactly one of personalIdentificationNumber and customIdentifier");
  else if (hasPin) validateNationalId(signer.personalIdentificationNumber, `${field}.personalIdentificationNumber`, options, problems);
  else requireText(signer.customIdentifier, `${field}.customIdentifier`, 1, LIMITS.customIdentifierLength, problems);
  optionalEnum(signer.signatureType, `${field}.signatureType`, SIGNATURE_TYPES, problems);
  optionalEnum(signer.onBehalfOf, `${field}.onBehalfOf`, ON_BEHALF_OF, problems);
}

function validatePortalSigner(signer: PortalSigner, field: string, options: ValidationOptions, problems: Problems): void {
  if (!signer || typeof signer !== "object") {
    problems.add(field, "must be an object");
    return;
  }
  const hasPin = signer.personalIdentificationNumber !== undefined;
  if (hasPin && signer.identifiedByContactInformation) {
    problems.add(field, "is identified either by personalIdentificationNumber or by contact information, not both");
  } else if (!hasPin && !signer.identifiedByContactInformation) {
    problems.add(field, "needs personalIdentificationNumber, or identifiedByContactInformation with notifications");
  }
  if (hasPin) validateNationalId(signer.personalIdentificationNumber, `${field}.personalIdentificationNumber`, options, problems);
  if (signer.order !== undefined) {
    requireInteger(signer.order, `${field}.order`, LIMITS.signingOrder.min, LIMITS.signingOrder.max, problems);
  }
  optionalEnum(signer.signatureType, `${field}.signatureType`, SIGNATURE_TYPES, problems);
  optionalEnum(signer.onBehalfOf, `${field}.onBehalfOf`, ON_BEHALF_OF, problems);

  const { notifications, notificationsUsingLookup: lookup } = signer;
  if ((notifications === undefined) === (lookup === undefined)) {
    problems.add(field, "needs exactly one of notifications (e-mail/SMS) and notificationsUsingLookup");
  } else if (lookup !== undefined) {
    if (!hasPin) problems.add(`${field}.notificationsUsingLookup`, "needs a personalIdentificationNumber to look up");
    else if (signer.onBehalfOf === "OTHER") {
      problems.add(`${field}.notificationsUsingLookup`, "cannot be used when signing on behalf of OTHER; give notifications instead");
    }
  }
  if (notifications !== undefined) validateNotifications(notifications, `${field}.notifications`, problems);
}

function validateNotifications(notifications: Notifications, field: string, problems: Problems): void {
  if (!notifications || typeof notifications !== "object" || (notifications.email === undefined && notifications.sms === undefined)) {
    problems.add(field, "needs an email address, an sms number or both");
    return;
  }
  const { email, sms } = notifications;
  if (email !== undefined && requireText(email, `${field}.email`, 1, LIMITS.emailLength, problems) && !isEmailAddress(email)) {
    problems.add(`${field}.email`, `must be an e-mail address, was ${shown(email)}`);
  }
  if (sms !== undefined && requireText(sms, `${field}.sms`, 1, LIMITS.smsLength, problems) && !isMobileNumber(sms)) {
    problems.add(`${field}.sms`, `must be a mobile number of 8-15 digits, optionally with +country code, was ${shown(sms)}`);
  }
}

/** `local@domain.tld`: one "@" with text before it, a dot inside the domain, no white space. */
function isEmailAddress(value: string): boolean {
  const at = value.indexOf("@");
  if (at <= 0 || at !== value.lastIndexOf("@")) return false;
  return value.slice(at + 2, -1).includes(".") && !/\s/.test(value);
}

/** 8-15 digits, optionally after a "+", spaces and dashes allowed between them. */
function isMobileNumber(value: string): boolean {
  const digits = value.replace(/[\s-]/g, "");
  return /^\+?\d{8,15}$/.test(digits);
}

function validateNationalId(value: unknown, field: string, options: ValidationOptions, problems: Problems): boolean {
  if (typeof value !== "string") return problems.add(field, `must be 11 digits as text, was ${shown(value)}`);
  if (value.length !== 11) return problems.add(field, `must be 11 digits, was ${value.length} characters`);
  if (!/^\d{11}$/.test(value)) return problems.add(field, `must be 11 digits, was "${maskNationalIdentityNumber(value)}"`);
  if (!isValidNationalIdentityNumber(value, options.checkNationalIdChecksum !== false)) {
    return problems.add(
      field,
      `${maskNationalIdentityNumber(value)} has wrong check digits (switch the checksum check off for synthetic test identities)`,
    );
  }
  return true;
}

function validateUrl(value: unknown, field: string, problems: Problems): boolean {
  if (!requireText(value, field, 1, LIMITS.urlLength, problems)) return false;
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    return problems.add(field, `must be an absolute URL, was ${shown(value)}`);
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    return problems.add(field, "must use https (http is accepted only for localhost/127.0.0.1)");
  }
  return true;
}

function requireText(value: unknown, field: string, min: number, max: number, problems: Problems): boolean {
  if (typeof value !== "string") {
    return problems.add(field, `is required and must be text${min > 0 ? ` of ${min}-${max} characters` : ""}`);
  }
  const length = codePointLength(value);
  if (length > max) return problems.add(field, `must be at most ${max} characters, was ${length}`);
  if (length < min) return problems.add(field, min === 1 ? "must not be empty" : `must be at least ${min} characters, was ${length}`);
  return requireXmlCharacters(value, field, problems);
}

/**
 * Every text ends up in the manifest or the request XML, and XML 1.0 has no way to write control
 * characters (except tab, line feed, carriage return), U+FFFE, U+FFFF or half a surrogate pair.
 */
const NOT_XML_CHARACTER =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function requireXmlCharacters(value: string, field: string, problems: Problems): boolean {
  const found = NOT_XML_CHARACTER.exec(value);
  if (!found) return true;
  const code = (found[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0");
  return problems.add(field, `contains a character XML does not allow (U+${code} at position ${found.index + 1})`);
}

function optionalText(value: unknown, field: string, min: number, max: number, problems: Problems): void {
  if (value !== undefined) requireText(value, field, min, max, problems);
}

function optionalEnum(value: unknown, field: string, allowed: readonly string[], problems: Problems): void {
  if (value !== undefined && !allowed.includes(value as string)) {
    problems.add(field, `must be one of ${allowed.join(", ")}, was ${shown(value)}`);
  }
}

function requireInteger(value: unknown, field: string, min: number, max: number, problems: Problems): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    problems.add(field, `must be a whole number from ${min} to ${max}, was ${shown(value)}`);
  }
}

/** The list's entries to check further: none when it is not a list of the right length. */
function requireList<T>(
  value: readonly T[] | undefined,
  field: string,
  limits: { min: number; max: number },
  problems: Problems,
): readonly T[] {
  if (!Array.isArray(value)) problems.add(field, `must be a list of ${limits.min}-${limits.max} entries`);
  else if (value.length < limits.min) problems.add(field, `needs at least ${limits.min} entry, had ${value.length}`);
  else if (value.length > limits.max) problems.add(field, `must have at most ${limits.max} entries, had ${value.length}`);
  else return value;
  return [];
}

function requireUnique(values: readonly unknown[], field: string, what: string, problems: Problems): void {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    if (typeof value !== "string") return;
    if (seen.has(value)) problems.add(`${field}[${index}]`, `${what} ${maskIfNationalId(value)} appears more than once in the job`);
    seen.add(value);
  });
}

function maskIfNationalId(value: string): string {
  return /^\d{11}$/.test(value) ? maskNationalIdentityNumber(value) : shown(value);
}
