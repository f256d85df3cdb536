export { loadCredentials, summarize, type CertificateSummary, type KeystoreSource, type LoadCredentialsOptions, type SenderCredentials } from "./credentials";
export { certificateKindOfIssuer, type CertificateKind } from "./certificate-kind";
import { certificateKindOfIssuer, type CertificateKind } from "./certificate-kind";
export { readCertificateName, formatRfc2253, formatForDisplay, type DistinguishedName, type NameAttribute } from "./distinguished-name";
export { organizationNumberFromName } from "./organization-number";

import { X509Certificate } from "node:crypto";
import { readCertificateName } from "./distinguished-name";
import { organizationNumberFromName } from "./organization-number";

/** The organization number in a certificate's subject (PEM, DER or parsed). */
export function organizationNumberOfCertificate(certificate: X509Certificate | Uint8Array | string): string | undefined {
  const parsed = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  return organizationNumberFromName(readCertificateName(parsed.raw, "subject"));
}

/** Whether a certificate (PEM, DER or parsed) is, by its issuer, a test or a production certificate. */
export function certificateKindOf(certificate: X509Certificate | Uint8Array | string): CertificateKind {
  const parsed = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  return certificateKindOfIssuer(readCertificateName(parsed.raw, "issuer"));
}
