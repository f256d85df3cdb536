import { createHash, verify, X509Certificate } from "node:crypto";
import { organizationNumberOfCertificate } from "../core/keys";
import { canonicalize } from "./c14n";
import { badRequest } from "./rejection";
import { childElement, childElements, findById, parseXmlTree, textOf, type XmlElement } from "./xml-tree";

/**
 * Verifies an ASiC-E bundle's XAdES signature on its own terms, independently of how the client
 * made it: every file outside META-INF/ signed exactly once with a matching digest, the
 * SignedProperties digest over their canonical form, the SignatureValue over the canonical
 * SignedInfo, a signing certificate issued by a trusted CA and matching the CertDigest, and a
 * SigningTime close to now.
 */

const DSIG = "http://www.w3.org/2000/09/xmldsig#";
const XADES = "http://uri.etsi.org/01903/v1.3.2#";
const ASIC = "http://uri.etsi.org/2918/v1.2.1#";
const C14N_METHODS = new Set(["http://www.w3.org/TR/2001/REC-xml-c14n-20010315", "http://www.w3.org/2006/12/xml-c14n11"]);
const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const DIGESTS: Record<string, string> = {
  "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
  "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
};
export const SIGNATURES_ENTRY = "META-INF/signatures.xml";

export interface VerifiedSignature {
  certificate: X509Certificate;
  organizationNumber: string | undefined;
  signingTime: Date;
}

export interface VerificationOptions {
  trustedCertificates: readonly X509Certificate[];
  now: Date;
  signingTimeToleranceMs: number;
}

export function verifyBundleSignature(entries: ReadonlyMap<string, Buffer>, options: VerificationOptions): VerifiedSignature {
  const signaturesXml = entries.get(SIGNATURES_ENTRY);
  if (!signaturesXml) throw badRequest("INVALID_DOCUMENT_BUNDLE", `The document bundle has no ${SIGNATURES_ENTRY}`);
  let root: XmlElement;
  try {
    root = parseXmlTree(signaturesXml.toString("utf8"));
  } catch (error) {
    throw badRequest("INVALID_SIGNATURE", `${SIGNATURES_ENTRY} is not well-formed XML: ${(error as Error).message}`);
  }
  if (root.namespace !== ASIC || root.localName !== "XAdESSignatures") throw invalid("the root element must be asic:XAdESSignatures");
  const signatures = childElements(root, DSIG, "Signature");
  if (signatures.length !== 1) throw invalid(`exactly one ds:Signature is required, found ${signatures.length}`);
  const signature = signatures[0] as XmlElement;
  const signedInfo = required(childElement(signature, DSIG, "SignedInfo"), "ds:SignedInfo");

  const canonicalization = required(childElement(signedInfo, DSIG, "CanonicalizationMethod"), "ds:CanonicalizationMethod").attributes.get("Algorithm") ?? "";
  if (!C14N_METHODS.has(canonicalization)) throw invalid(`unsupported canonicalization ${canonicalization}`);
  const method = required(childElement(signedInfo, DSIG, "SignatureMethod"), "ds:SignatureMethod").attributes.get("Algorithm");
  if (method !== RSA_SHA256) throw invalid(`the signature method must be rsa-sha256, was ${method}`);

  const signedFiles = new Set<string>();
  let signedProperties: XmlElement | undefined;
  for (const reference of childElements(signedInfo, DSIG, "Reference")) {
    const uri = reference.attributes.get("URI") ?? "";
    const algorithm = DIGESTS[required(childElement(reference, DSIG, "DigestMethod"), "ds:DigestMethod").attributes.get("Algorithm") ?? ""];
    if (!algorithm) throw invalid(`unsupported digest method in the reference to "${uri}"`);
    const expected = textOf(childElement(reference, DSIG, "DigestValue")).replace(/\s+/g, "");
    let actual: string;
    if (uri.startsWith("#")) {
      const target = findById(signature, uri.slice(1));
      if (!target || target.namespace !== XADES || target.localName !== "SignedProperties") throw invalid(`the reference "${uri}" does not point at xades:SignedProperties`);
      actual = digest(algorithm, Buffer.from(canonicalize(target), "utf8"));
      signedProperties = target;
    } else {
      const name = decodeReferenceUri(uri);
      const content = entries.get(name);
      if (!content) throw invalid(`the signature refers to "${name}", which is not in the bundle`);
      if (signedFiles.has(name)) throw invalid(`"${name}" is signed twice`);
      signedFiles.add(name);
      actual = digest(algorithm, content);
    }
    if (actual !== expected) throw invalid(`the digest of "${uri}" does not match: the file or the signed properties were changed after signing`);
  }
  if (!signedProperties) throw invalid("the signed properties are not referenced");
  for (const name of entries.keys()) {
    if (!name.startsWith("META-INF/") && !signedFiles.has(name)) throw invalid(`"${name}" is in the bundle but not signed`);
  }

  const keyInfo = required(childElement(signature, DSIG, "KeyInfo"), "ds:KeyInfo");
  const x509Data = required(childElement(keyInfo, DSIG, "X509Data"), "ds:X509Data");
  const certificates = childElements(x509Data, DSIG, "X509Certificate").map(
    (element) => new X509Certificate(Buffer.from(textOf(element).replace(/\s+/g, ""), "base64")),
  );
  const certificate = certificates[0];
  if (!certificate) throw invalid("ds:KeyInfo has no X509Certificate");
  const signatureValue = Buffer.from(textOf(childElement(signature, DSIG, "SignatureValue")).replace(/\s+/g, ""), "base64");
  if (!verify("sha256", Buffer.from(canonicalize(signedInfo), "utf8"), certificate.publicKey, signatureValue)) {
    throw invalid("the SignatureValue does not verify with the certificate in KeyInfo");
  }
  requireTrusted(certificate, certificates.slice(1), options);

  const signedSignatureProperties = required(childElement(signedProperties, XADES, "SignedSignatureProperties"), "xades:SignedSignatureProperties");
  const signingCertificate = required(childElement(signedSignatureProperties, XADES, "SigningCertificate"), "xades:SigningCertificate");
  const cert = required(childElement(signingCertificate, XADES, "Cert"), "xades:Cert");
  const certDigest = childElement(required(childElement(cert, XADES, "CertDigest"), "xades:CertDigest"), DSIG, "DigestValue");
  if (textOf(certDigest).trim() !== digest("sha1", certificate.raw)) throw invalid("the CertDigest does not match the signing certificate");
  const signingTime = new Date(textOf(childElement(signedSignatureProperties, XADES, "SigningTime")).trim());
  if (Number.isNaN(signingTime.getTime())) throw invalid("the SigningTime is missing or not a date");
  const skew = Math.abs(signingTime.getTime() - options.now.getTime());
  if (skew > options.signingTimeToleranceMs) {
    throw invalid(`the SigningTime ${signingTime.toISOString()} is ${Math.round(skew / 1000)} s from the service's clock; allowed ±${options.signingTimeToleranceMs / 1000} s (synchronize the clock)`);
  }
  return { certificate, organizationNumber: organizationNumberOfCertificate(certificate), signingTime };
}

function requireTrusted(leaf: X509Certificate, intermediates: X509Certificate[], options: VerificationOptions): void {
  const now = options.now.getTime();
  if (now < Date.parse(leaf.validFrom) || now > Date.parse(leaf.validTo)) throw invalid("the signing certificate is not valid now");
  let current = leaf;
  for (let depth = 0; depth < 5; depth++) {
    const anchor = options.trustedCertificates.find((candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey));
    if (anchor) return;
    const next = intermediates.find((candidate) => candidate !== current && current.checkIssued(candidate) && current.verify(candidate.publicKey));
    if (!next) break;
    current = next;
  }
  throw invalid("the signing certificate is not issued by a trusted CA");
}

/** The Java client form-encodes file names into Reference URIs. */
function decodeReferenceUri(uri: string): string {
  try {
    return decodeURIComponent(uri.replace(/\+/g, " "));
  } catch {
    return uri;
  }
}

function digest(algorithm: string, data: Uint8Array): string {
  return createHash(algorithm).update(data).digest("base64");
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw invalid(`${what} is missing`);
  return value;
}

function invalid(reason: string) {
  return badRequest("INVALID_SIGNATURE", `The document bundle's signature is invalid: ${reason}`);
}
