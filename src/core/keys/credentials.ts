import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { CertificateError } from "../errors";
import { readPkcs12 as readPkcs12Natively, UnsupportedPkcs12Error, type Pkcs12Contents } from "./pkcs12";
import { readPkcs12WithForge } from "./pkcs12-forge";
import { certificateKindOfIssuer, type CertificateKind } from "./certificate-kind";
import { formatForDisplay, readCertificateName } from "./distinguished-name";
import { organizationNumberFromName } from "./organization-number";
import { certificatePemBlocks } from "./pem";

/** Where the sender's enterprise certificate and key come from. */
export type KeystoreSource =
  { pkcs12: Uint8Array; password: string; alias?: string } | { certificatePem: string; privateKeyPem: string; privateKeyPassword?: string };

export interface LoadCredentialsOptions {
  /** The instant validity is checked against (default: now). */
  now?: Date;
  /** Accept an expired or not yet valid certificate (only for known-answer tests). */
  allowOutsideValidity?: boolean;
  /** Require an organization number in the subject (default true). */
  requireOrganizationNumber?: boolean;
}

/** What can be shown of an enterprise certificate: nothing secret. */
export interface CertificateSummary {
  readonly subject: string;
  /** Empty when the certificate has none and none was required. */
  readonly organizationNumber: string;
  readonly issuer: string;
  /** By its issuer: a certificate for Posten's test environments or for production. */
  readonly kind: CertificateKind;
  readonly validFrom: Date;
  readonly validTo: Date;
  /** Whether the certificate is expired by, or expires within, `days` days of `now`. */
  expiresWithinDays(days: number, now?: Date): boolean;
}

/** What a client needs of the enterprise certificate, parsed once. */
export interface SenderCredentials extends CertificateSummary {
  readonly privateKey: KeyObject;
  /** The signing certificate. */
  readonly certificate: X509Certificate;
  /** The certificate chain, leaf first. */
  readonly chain: readonly X509Certificate[];
  /** PEM key and chain for the TLS client handshake. */
  readonly tls: { readonly key: string; readonly cert: string };
}

export function loadCredentials(source: KeystoreSource, options: LoadCredentialsOptions = {}): SenderCredentials {
  const material = "pkcs12" in source ? readPkcs12(source) : readPem(source);
  const [leaf] = material.chain;
  if (!leaf) throw new CertificateError("NO_CERTIFICATE", "The keystore holds no certificate for the private key");

  const subjectName = readCertificateName(leaf.raw, "subject");
  const subject = formatForDisplay(subjectName);
  const issuerName = readCertificateName(leaf.raw, "issuer");
  const validFrom = new Date(leaf.validFrom);
  const validTo = new Date(leaf.validTo);
  const now = options.now ?? new Date();
  if (!options.allowOutsideValidity) {
    if (now > validTo) {
      throw new CertificateError("CERTIFICATE_EXPIRED", `The certificate "${subject}" expired ${validTo.toISOString()}`);
    }
    if (now < validFrom) {
      throw new CertificateError("CERTIFICATE_NOT_YET_VALID", `The certificate "${subject}" is valid from ${validFrom.toISOString()}`);
    }
  }
  const organizationNumber = organizationNumberFromName(subjectName) ?? "";
  if (!organizationNumber && options.requireOrganizationNumber !== false) {
    throw new CertificateError(
      "NO_ORGANIZATION_NUMBER",
      `The certificate "${subject}" has no organization number (organizationIdentifier, serialNumber or CN); is it an enterprise certificate?`,
    );
  }

  const summary = summarize({
    subject,
    organizationNumber,
    issuer: formatForDisplay(issuerName),
    kind: certificateKindOfIssuer(issuerName),
    validFrom,
    validTo,
  });
  const credentials: SenderCredentials = {
    ...summary,
    privateKey: material.privateKey,
    certificate: leaf,
    chain: material.chain,
    tls: {
      key: material.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      cert: material.chain.map((certificate) => certificate.toString()).join(""),
    },
  };
  // Keep key material out of JSON.stringify, util.inspect-based logs and Node-RED debug output.
  Object.defineProperty(credentials, "toJSON", {
    enumerable: false,
    value: () => summary,
  });
  Object.defineProperty(credentials, "tls", { enumerable: false });
  Object.defineProperty(credentials, "privateKey", { enumerable: false });
  return Object.freeze(credentials);
}

/** A summary with its expiry helper; JSON shows the data fields only. */
export function summarize(fields: Omit<CertificateSummary, "expiresWithinDays">): CertificateSummary {
  return {
    ...fields,
    expiresWithinDays: (days, now = new Date()) => fields.validTo.getTime() - now.getTime() <= days * 24 * 60 * 60 * 1000,
  };
}

interface KeyMaterial {
  privateKey: KeyObject;
  chain: X509Certificate[];
}

function readPkcs12(source: { pkcs12: Uint8Array; password: string; alias?: string }): KeyMaterial {
  let contents: Pkcs12Contents;
  try {
    contents = readPkcs12Natively(source.pkcs12, source.password);
  } catch (error) {
    if (!(error instanceof UnsupportedPkcs12Error)) throw error;
    contents = readPkcs12WithForge(source.pkcs12, source.password);
  }
  if (contents.keys.length === 0) throw new CertificateError("NO_PRIVATE_KEY", "The keystore holds no private key");
  const key = source.alias === undefined ? contents.keys[0] : contents.keys.find((candidate) => candidate.alias === source.alias);
  if (!key) {
    const aliases = contents.keys.map((candidate) => candidate.alias ?? "(no alias)").join(", ");
    throw new CertificateError("ALIAS_NOT_FOUND", `The keystore has no key with alias "${source.alias}"; it has: ${aliases}`);
  }
  return { privateKey: key.privateKey, chain: orderChain(key.privateKey, contents.certificates) };
}

function readPem(source: { certificatePem: string; privateKeyPem: string; privateKeyPassword?: string }): KeyMaterial {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(
      source.privateKeyPassword === undefined ? source.privateKeyPem : { key: source.privateKeyPem, passphrase: source.privateKeyPassword },
    );
  } catch {
    throw new CertificateError(
      source.privateKeyPassword === undefined ? "UNREADABLE_KEY" : "WRONG_PASSWORD",
      "The private key PEM could not be read (wrong password, or not a PEM private key)",
    );
  }
  const blocks = certificatePemBlocks(source.certificatePem);
  if (blocks.length === 0) throw new CertificateError("NO_CERTIFICATE", "The certificate PEM holds no certificate");
  return {
    privateKey,
    chain: orderChain(
      privateKey,
      blocks.map((block) => new X509Certificate(block)),
    ),
  };
}

/** Leaf (the certificate of the private key) first, then each issuer in turn. */
function orderChain(privateKey: KeyObject, certificates: X509Certificate[]): X509Certificate[] {
  const leaf = certificates.find((certificate) => certificate.checkPrivateKey(privateKey));
  if (!leaf) throw new CertificateError("NO_CERTIFICATE", "No certificate in the keystore matches the private key");
  const chain = [leaf];
  let current = leaf;
  for (let depth = 0; depth < certificates.length; depth++) {
    if (current.checkIssued(current)) break; // self-signed: the root
    const issuer = certificates.find((candidate) => !chain.includes(candidate) && current.checkIssued(candidate));
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  return chain;
}
