/**
 * Posten signering client for Node.js: the package's main export. Nothing here depends on
 * Node-RED; the nodes, the CLI and the emulator are built on it.
 */
export * from "./model";
export * from "./errors";
export {
  SigneringClient,
  type SigneringClientOptions,
  type StatusChangesOptions,
  type LogLevel,
  type RateLimitOptions,
} from "./clients/signering-client";
export type { PacerStats } from "./http/pacer";
export type { DirectClient } from "./clients/direct-client";
export type { PortalClient } from "./clients/portal-client";
export type { ArchiveClient } from "./clients/archive-client";
export type { QueueOptions } from "./clients/context";
export { API_ROOTS, POSTEN_ORGANIZATION_NUMBER, apiRootOf, trustAnchorsOf, type Environment, type NamedEnvironment } from "./environments";
export { LIMITS } from "./limits";
export { validateDirectJob, validatePortalJob, type ValidationOptions } from "./validation";
export { isValidNationalIdentityNumber, isValidOrganizationNumber, maskNationalIdentityNumber } from "./identifiers";
export {
  loadCredentials,
  organizationNumberOfCertificate,
  certificateKindOf,
  type CertificateKind,
  type CertificateSummary,
  type KeystoreSource,
  type SenderCredentials,
  type LoadCredentialsOptions,
} from "./keys";
export { createDocumentBundle, documentFileName, type DocumentBundle } from "./bundle";
export { packageDirectJob, packagePortalJob, type JobPackage } from "./job-bundle";
export { pollStatusChanges } from "./poller";
export { checkConnection, type PreflightCheck, type PreflightOptions, type PreflightReport } from "./preflight";
export { systemClock, type Clock } from "./clock";
export type { Timeouts } from "./http/transport";
export {
  parseDirectJobResponse,
  parseDirectJobStatus,
  parseDirectSignerResponse,
  parsePortalJobResponse,
  parsePortalJobStatus,
  parseErrorResponse,
} from "./xml";
