import { X509Certificate } from "node:crypto";
import { certificateKindOfIssuer, type CertificateKind } from "./certificate-kind";
import { readCertificateName } from "./distinguished-name";
import { organizationNumberFromName } from "./organization-number";

export {
  loadCredentials,
  summarize,
  type CertificateSummary,
  type KeystoreSource,
  type LoadCredentialsOptions,
  type SenderCredentials,
} from "./credentials";
export { certificateKindOfIssuer, type CertificateKind } from "./certificate-kind";
export { readCertificateName, formatRfc2253, formatForDisplay, type DistinguishedName, type NameAttribute } from "./distinguished-name";
export { organizationNumberFromName } from "./organization-number";
export { certificatePemBlocks } from "./pem";

type CertificateInput = X509Certificate | Uint8Array | string;

const parse = (certificate: CertificateInput) => (certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate));

/** The organization number in a certificate's subject (PEM, DER or parsed). */
export function organizationNumberOfCertificate(certificate: CertificateInput): string | undefined {
  return organizationNumberFromName(readCertificateName(parse(certificate).raw, "subject"));
}

/** Whether a certificate (PEM, DER or parsed) is, by its issuer, a test or a production certificate. */
export function certificateKindOf(certificate: CertificateInput): CertificateKind {
  return certificateKindOfIssuer(readCertificateName(parse(certificate).raw, "issuer"));
}
