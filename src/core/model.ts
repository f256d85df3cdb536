/**
 * The typed shape of everything that crosses the core's boundary: the jobs a caller
 * builds and the responses the service sends back. The same shape is the job JSON of the
 * CLI and of the Node-RED nodes, so names follow JSON conventions (camelCase).
 */

export type Flow = "direct" | "portal";

export type SignatureType = "ADVANCED_ELECTRONIC_SIGNATURE" | "AUTHENTICATED_ELECTRONIC_SIGNATURE";
export type OnBehalfOf = "SELF" | "OTHER";
/** Security level of the signer's electronic ID (ID-porten level 3 or 4). */
export type AuthenticationLevel = 3 | 4;
export type IdentifierInSignedDocuments = "PERSONAL_IDENTIFICATION_NUMBER_AND_NAME" | "DATE_OF_BIRTH_AND_NAME" | "NAME";
export type StatusRetrievalMethod = "WAIT_FOR_CALLBACK" | "POLLING";

/** The job status is a closed set in the schema. */
export type JobStatus = "IN_PROGRESS" | "COMPLETED_SUCCESSFULLY" | "FAILED";

/**
 * Signer statuses are open-ended: the service adds values over time, so unknown
 * strings are kept as they came.
 */
export type SignerStatus =
  | "WAITING"
  | "REJECTED"
  | "CANCELLED"
  | "RESERVED"
  | "CONTACT_INFORMATION_MISSING"
  | "EXPIRED"
  | "FAILED"
  | "SIGNED"
  | "BLOCKED"
  | "SIGNERS_NAME_NOT_AVAILABLE"
  | "NOT_APPLICABLE"
  | (string & {});

export interface Sender {
  /** Nine-digit Norwegian organization number (with a valid mod-11 check digit). */
  organizationNumber: string;
}

/** The document types the service takes: PDF (the default) and plain text. */
export type DocumentMimeType = "application/pdf" | "text/plain";

export interface JobDocument {
  /** Shown to the signer; 1-80 characters. Also the source of the file name in the bundle. */
  title: string;
  /** The document's bytes (a PDF, or UTF-8 text), at most 10 MB. */
  content: Uint8Array;
  /** Default `application/pdf`. */
  mimeType?: DocumentMimeType;
}

interface SignerOptions {
  signatureType?: SignatureType;
  onBehalfOf?: OnBehalfOf;
}

/** A direct signer is identified by national identity number or by a sender-chosen identifier. */
export type DirectSigner = SignerOptions &
  ({ personalIdentificationNumber: string; customIdentifier?: never } | { customIdentifier: string; personalIdentificationNumber?: never });

export interface Notifications {
  /** E-mail address the service notifies. */
  email?: string;
  /** Mobile number (Norwegian or with country code) the service notifies by SMS. */
  sms?: string;
}

export interface NotificationsUsingLookup {
  /** Look up the e-mail address in the contact register; always true when lookup is used. */
  email: true;
  /** Also look up and notify by SMS. */
  sms?: boolean;
}

/**
 * A portal signer is identified by national identity number (notified from the given
 * contact information or by lookup in the contact register) or by contact information
 * alone (`identifiedByContactInformation`, then `notifications` is required).
 */
export interface PortalSigner extends SignerOptions {
  personalIdentificationNumber?: string;
  identifiedByContactInformation?: boolean;
  /** Signing order 0-9: lower order signs first, equal order in parallel. */
  order?: number;
  notifications?: Notifications;
  notificationsUsingLookup?: NotificationsUsingLookup;
}

export interface ExitUrls {
  completion: string;
  rejection: string;
  error: string;
}

export interface Availability {
  /** When the job becomes visible to the first signers; omitted or past means at once. */
  activationTime?: Date | string;
  /** Seconds each order group has to sign, at most 7 776 000 (90 days). */
  availableSeconds?: number;
}

interface JobCommon {
  title: string;
  description?: string;
  /** The sender's own reference, at most 50 characters and no personal data. */
  reference?: string;
  /** Falls back to the client's default sender. */
  sender?: Sender;
  documents: JobDocument[];
  requiredAuthentication?: AuthenticationLevel;
  identifierInSignedDocuments?: IdentifierInSignedDocuments;
  pollingQueue?: string;
}

export interface DirectJob extends JobCommon {
  flow?: "direct";
  signers: DirectSigner[];
  exitUrls: ExitUrls;
  statusRetrievalMethod?: StatusRetrievalMethod;
}

export interface PortalJob extends JobCommon {
  flow?: "portal";
  signers: PortalSigner[];
  /** A title without personal data, used in notifications. */
  nonsensitiveTitle?: string;
  availability?: Availability;
}

export type Job = (DirectJob & { flow: "direct" }) | (PortalJob & { flow: "portal" });

// ---------------------------------------------------------------------------------------
// Responses. URLs are kept exactly as the service sent them (trimmed).

export interface DirectSignerResponse {
  /** The signer's own URL, used to request a new redirect URL. */
  href: string;
  personalIdentificationNumber?: string;
  customIdentifier?: string;
  redirectUrl: string;
}

export interface DirectJobResponse {
  flow: "direct";
  jobId: string;
  reference?: string;
  statusUrl?: string;
  signers: DirectSignerResponse[];
}

export interface PortalJobResponse {
  flow: "portal";
  jobId: string;
  reference?: string;
  cancellationUrl: string;
}

export interface DirectSignerStatus {
  /** National identity number or custom identifier of the signer, when the service gives it. */
  signer?: string;
  status: SignerStatus;
  /** ISO 8601 with offset, as the service sent it. */
  since: string;
}

export interface XadesUrl {
  signer?: string;
  url: string;
}

export interface DirectJobStatus {
  flow: "direct";
  jobId: string;
  reference?: string;
  status: JobStatus;
  signers: DirectSignerStatus[];
  confirmationUrl?: string;
  deleteDocumentsUrl?: string;
  xadesUrls: XadesUrl[];
  padesUrl?: string;
  /** Set on responses from the polling queue: the earliest time the next poll is allowed. */
  nextPermittedPollTime?: Date;
}

export interface PortalSignature {
  status: SignerStatus;
  since: string;
  personalIdentificationNumber?: string;
  /** Set for a signer identified by contact information. */
  contactInformation?: Notifications;
  xadesUrl?: string;
}

export interface PortalJobStatus {
  flow: "portal";
  jobId: string;
  reference?: string;
  status: JobStatus;
  confirmationUrl: string;
  cancellationUrl?: string;
  deleteDocumentsUrl?: string;
  signatures: PortalSignature[];
  padesUrl?: string;
  nextPermittedPollTime?: Date;
}

/** What a poll of an empty status queue returns. */
export interface NoChanges {
  flow: Flow;
  status: "NO_CHANGES";
  nextPermittedPollTime: Date;
}

export type StatusChange = DirectJobStatus | PortalJobStatus;
