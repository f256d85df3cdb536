import { createHash, verify, X509Certificate } from "node:crypto";
import { organizationNumberOfCertificate } from "../core/keys";
import { canonicalize, type C14nVersion, UnsupportedCanonicalizationError } from "./c14n";
import { CertificateFormatError, issuingConstraintsOf } from "./certificate-extensions";
import { badRequest } from "./rejection";
import { attributeOf, childElements, findById, isElement, parseXmlTree, textOf, type XmlElement } from "./xml-tree";

/**
 * Verifies an ASiC-E bundle's XAdES signature on its own terms, independently of how the client
 * made it: one Signature with one of each element it is judged by (a second SignedInfo is not
 * quietly ignored), every file but META-INF/signatures.xml signed exactly once with a matching
 * digest, the SignedProperties digest over their canonical form, the SignatureValue over the
 * canonical SignedInfo, a signing certificate valid now, issued through CA certificates that may
 * issue (basicConstraints, keyUsage, path length, validity) by a trusted CA, matching the signed
 * CertDigest and serial number, and a SigningTime close to now.
 */

const DSIG = "http://www.w3.org/2000/09/xmldsig#";
const XADES = "http://uri.etsi.org/01903/v1.3.2#";
const ASIC = "http://uri.etsi.org/2918/v1.2.1#";
const CANONICALIZATIONS: Record<string, C14nVersion> = {
  "http://www.w3.org/TR/2001/REC-xml-c14n-20010315": "1.0",
  "http://www.w3.org/2006/12/xml-c14n11": "1.1",
};
const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const DIGESTS: Record<string, string> = {
  "http://www.w3.org/2000/09/xmldsig#sha1": "sha1",
  "http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
  "http://www.w3.org/2001/04/xmlenc#sha512": "sha512",
};
/** SHA-1 is accepted only where the profile prescribes it: the CertDigest. */
const REFERENCE_DIGESTS = new Set(["sha256", "sha512"]);
const XS_DATE_TIME = /^-?\d{4,}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/;
/** The signing certificate and its CA certificates: a real chain has two or three. */
const MAX_KEY_INFO_CERTIFICATES = 8;
export const SIGNATURES_ENTRY = "META-INF/signatures.xml";

export interface VerifiedSignature {
  certificate: X509Certificate;
  organizationNumber: string | undefined;
  signingTime: Date;
  /** The bundle's files the signature covers: all but META-INF/signatures.xml. */
  signedFiles: ReadonlySet<string>;
}

export interface VerificationOptions {
  trustedCertificates: readonly X509Certificate[];
  /** The signer's clock is compared with this (and the certificate's validity). */
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
    throw invalid(`${SIGNATURES_ENTRY} is not well-formed XML: ${(error as Error).message}`);
  }
  if (root.namespace !== ASIC || root.localName !== "XAdESSignatures") throw invalid("the root element must be asic:XAdESSignatures");
  const elements = root.children.filter(isElement);
  if (elements.length !== 1 || !elements.every((element) => element.namespace === DSIG && element.localName === "Signature")) {
    throw invalid(
      `asic:XAdESSignatures must hold exactly one ds:Signature and nothing else, found ${elements.map((element) => element.name).join(", ") || "nothing"}`,
    );
  }
  const signature = elements[0] as XmlElement;
  const signedInfo = only(signature, DSIG, "SignedInfo");

  const canonicalizationUri = algorithmOf(signedInfo, "CanonicalizationMethod");
  const canonicalization = CANONICALIZATIONS[canonicalizationUri];
  if (!canonicalization) throw invalid(`unsupported canonicalization ${canonicalizationUri}`);
  const method = algorithmOf(signedInfo, "SignatureMethod");
  if (method !== RSA_SHA256) throw invalid(`the signature method must be rsa-sha256, was ${method}`);

  const { signedProperties, signedFiles } = checkReferences(signedInfo, root, signature, entries);
  const certificates = keyInfoCertificates(signature);
  const certificate = certificates[0] as X509Certificate;
  const signatureValue = Buffer.from(textOf(only(signature, DSIG, "SignatureValue")).replace(/\s+/g, ""), "base64");
  if (!verify("sha256", canonical(signedInfo, canonicalization), certificate.publicKey, signatureValue)) {
    throw invalid("the SignatureValue does not verify with the certificate in KeyInfo");
  }
  requireTrusted(certificate, certificates.slice(1), options);

  const signedSignatureProperties = only(signedProperties, XADES, "SignedSignatureProperties");
  checkSigningCertificate(signedSignatureProperties, certificate);
  const signingTime = readSigningTime(signedSignatureProperties);
  const skew = Math.abs(signingTime.getTime() - options.now.getTime());
  if (skew > options.signingTimeToleranceMs) {
    throw invalid(
      `the SigningTime ${signingTime.toISOString()} is ${Math.round(skew / 1000)} s from the service's clock; allowed ±${options.signingTimeToleranceMs / 1000} s (synchronize the clock)`,
    );
  }
  return { certificate, organizationNumber: organizationNumberOfCertificate(certificate), signingTime, signedFiles };
}

/** Checks every Reference's digest; returns the referenced SignedProperties and the signed files. */
function checkReferences(
  signedInfo: XmlElement,
  root: XmlElement,
  signature: XmlElement,
  entries: ReadonlyMap<string, Buffer>,
): { signedProperties: XmlElement; signedFiles: ReadonlySet<string> } {
  const signedFiles = new Set<string>();
  let signedProperties: XmlElement | undefined;
  for (const reference of childElements(signedInfo, DSIG, "Reference")) {
    const uri = attributeOf(reference, "URI") ?? "";
    const algorithm = DIGESTS[algorithmOf(reference, "DigestMethod")];
    if (!algorithm || !REFERENCE_DIGESTS.has(algorithm)) throw invalid(`unsupported digest method in the reference to "${uri}"`);
    const transforms = optional(reference, DSIG, "Transforms");
    const transformAlgorithms = transforms
      ? childElements(transforms, DSIG, "Transform").map((transform) => attributeOf(transform, "Algorithm") ?? "")
      : [];
    let content: Uint8Array;
    if (uri.startsWith("#")) {
      if (signedProperties) throw invalid("the signed properties are referenced twice");
      signedProperties = signedPropertiesOf(root, signature, uri.slice(1));
      // Without transforms a same-document reference is canonicalized with C14N 1.0 (XMLDSig §4.3.3.2).
      const version =
        transformAlgorithms.length === 0
          ? "1.0"
          : transformAlgorithms.length === 1
            ? CANONICALIZATIONS[transformAlgorithms[0] as string]
            : undefined;
      if (!version) throw invalid(`the reference "${uri}" may have only a canonicalization transform`);
      content = canonical(signedProperties, version);
    } else {
      if (transformAlgorithms.length > 0) throw invalid(`the reference to "${uri}" must not have transforms: files are signed as they are`);
      const name = decodeReferenceUri(uri);
      const file = entries.get(name);
      if (!file || name === SIGNATURES_ENTRY)
        throw invalid(`the signature refers to "${name}", which is not a document or manifest in the bundle`);
      if (signedFiles.has(name)) throw invalid(`"${name}" is signed twice`);
      signedFiles.add(name);
      content = file;
    }
    const expected = textOf(only(reference, DSIG, "DigestValue")).replace(/\s+/g, "");
    if (digest(algorithm, content) !== expected)
      throw invalid(`the digest of "${uri}" does not match: the file or the signed properties were changed after signing`);
  }
  if (!signedProperties) throw invalid("the signed properties are not referenced");
  for (const name of entries.keys()) {
    if (name !== SIGNATURES_ENTRY && !signedFiles.has(name)) throw invalid(`"${name}" is in the bundle but not signed`);
  }
  return { signedProperties, signedFiles };
}

/** The one element with the Id, which must be this signature's Object/QualifyingProperties/SignedProperties. */
function signedPropertiesOf(root: XmlElement, signature: XmlElement, id: string): XmlElement {
  const targets = findById(root, id);
  if (targets.length !== 1) throw invalid(targets.length === 0 ? `nothing has the Id "${id}"` : `more than one element has the Id "${id}"`);
  const target = targets[0] as XmlElement;
  const qualifyingProperties = target.parent;
  const object = qualifyingProperties?.parent;
  const inPlace =
    target.namespace === XADES &&
    target.localName === "SignedProperties" &&
    qualifyingProperties?.namespace === XADES &&
    qualifyingProperties.localName === "QualifyingProperties" &&
    object?.namespace === DSIG &&
    object.localName === "Object" &&
    object.parent === signature;
  if (!inPlace) throw invalid(`the reference "#${id}" does not point at the signature's xades:SignedProperties`);
  return target;
}

function keyInfoCertificates(signature: XmlElement): X509Certificate[] {
  const x509Data = only(only(signature, DSIG, "KeyInfo"), DSIG, "X509Data");
  const elements = childElements(x509Data, DSIG, "X509Certificate");
  if (elements.length > MAX_KEY_INFO_CERTIFICATES)
    throw invalid(`ds:KeyInfo has ${elements.length} certificates; at most ${MAX_KEY_INFO_CERTIFICATES}`);
  const certificates = elements.map((element, index) => {
    try {
      return new X509Certificate(Buffer.from(textOf(element).replace(/\s+/g, ""), "base64"));
    } catch {
      throw invalid(`X509Certificate number ${index + 1} in ds:KeyInfo is not a certificate`);
    }
  });
  if (certificates.length === 0) throw invalid("ds:KeyInfo has no X509Certificate");
  return certificates;
}

const MAX_SERIAL_DIGITS = 49;

/** The signed reference to the signing certificate must name the certificate that verified. */
function checkSigningCertificate(signedSignatureProperties: XmlElement, certificate: X509Certificate): void {
  const cert = only(only(signedSignatureProperties, XADES, "SigningCertificate"), XADES, "Cert");
  const certDigest = only(cert, XADES, "CertDigest");
  const algorithm = DIGESTS[algorithmOf(certDigest, "DigestMethod")];
  if (!algorithm) throw invalid("unsupported CertDigest algorithm");
  if (textOf(only(certDigest, DSIG, "DigestValue")).replace(/\s+/g, "") !== digest(algorithm, certificate.raw)) {
    throw invalid("the CertDigest does not match the signing certificate");
  }
  const serial = textOf(only(only(cert, XADES, "IssuerSerial"), DSIG, "X509SerialNumber")).trim();
  // RFC 5280 caps a serial at 20 octets: 49 decimal digits. Longer text is refused before BigInt reads it.
  if (serial.length > MAX_SERIAL_DIGITS) {
    throw invalid(`the X509SerialNumber has ${serial.length} digits; a certificate's serial has at most ${MAX_SERIAL_DIGITS}`);
  }
  if (!/^\d+$/.test(serial) || BigInt(serial) !== BigInt(`0x${certificate.serialNumber}`)) {
    throw invalid("the X509SerialNumber does not match the signing certificate");
  }
}

function readSigningTime(signedSignatureProperties: XmlElement): Date {
  const text = textOf(only(signedSignatureProperties, XADES, "SigningTime")).trim();
  const signingTime = new Date(text);
  if (!XS_DATE_TIME.test(text) || Number.isNaN(signingTime.getTime()))
    throw invalid(`the SigningTime "${text}" is not a date and time with a UTC offset`);
  return signingTime;
}

/**
 * Finds a path from the signing certificate through the KeyInfo's certificates to a trusted CA,
 * then requires of each certificate on it (the trusted CA included) what RFC 5280 §6.1.4 requires
 * of an issuer: valid now, a CA (basicConstraints cA), allowed to sign certificates (keyUsage
 * keyCertSign, when it has a keyUsage) and no more CA certificates below it than its path length.
 */
function requireTrusted(leaf: X509Certificate, intermediates: X509Certificate[], options: VerificationOptions): void {
  requireValidNow(leaf, "the signing certificate", options.now);
  const issuers: X509Certificate[] = [];
  let current = leaf;
  for (;;) {
    const subject = current;
    const anchor = options.trustedCertificates.find((candidate) => signedBy(subject, candidate));
    if (anchor) {
      issuers.push(anchor);
      break;
    }
    const next = intermediates.find((candidate) => !issuers.includes(candidate) && candidate !== leaf && signedBy(subject, candidate));
    if (!next) throw invalid("the signing certificate is not issued by a trusted CA");
    issuers.push(next);
    current = next;
  }
  issuers.forEach((issuer, index) => requireIssuer(issuer, index, options.now));
}

/**
 * Issued by name and signature only: whether the issuer may issue is judged afterwards, so that a
 * refusal can say why (OpenSSL's checkIssued would also refuse some, but only as "not issued").
 */
function signedBy(subject: X509Certificate, issuer: X509Certificate): boolean {
  return subject.issuer === issuer.subject && subject.verify(issuer.publicKey);
}

/** `caCertificatesBelow`: the CA certificates between this issuer and the signing certificate. */
function requireIssuer(issuer: X509Certificate, caCertificatesBelow: number, now: Date): void {
  const what = `the CA certificate ${nameOf(issuer)}`;
  requireValidNow(issuer, what, now);
  let constraints;
  try {
    constraints = issuingConstraintsOf(issuer);
  } catch (error) {
    if (error instanceof CertificateFormatError) throw invalid(`${what} cannot be read: ${error.message}`);
    throw error;
  }
  if (!constraints.ca) throw invalid(`${what} is not a CA certificate (basicConstraints CA:FALSE) and cannot issue certificates`);
  if (constraints.keyUsage && !constraints.keyUsage.has("keyCertSign"))
    throw invalid(`${what} may not sign certificates (its keyUsage lacks keyCertSign)`);
  if (constraints.pathLength !== undefined && caCertificatesBelow > constraints.pathLength) {
    throw invalid(
      `${what} allows ${constraints.pathLength} CA certificates below it (pathLenConstraint), the chain has ${caCertificatesBelow}`,
    );
  }
}

function requireValidNow(certificate: X509Certificate, what: string, now: Date): void {
  const from = Date.parse(certificate.validFrom);
  const to = Date.parse(certificate.validTo);
  if (now.getTime() < from || now.getTime() > to) {
    throw invalid(`${what} is not valid now (valid from ${new Date(from).toISOString()} to ${new Date(to).toISOString()})`);
  }
}

function nameOf(certificate: X509Certificate): string {
  return `"${certificate.subject.split("\n").join(", ")}"`;
}

/** The Java client form-encodes file names into Reference URIs. */
function decodeReferenceUri(uri: string): string {
  try {
    return decodeURIComponent(uri.replace(/\+/g, " "));
  } catch {
    return uri;
  }
}

function canonical(element: XmlElement, version: C14nVersion): Buffer {
  try {
    return Buffer.from(canonicalize(element, version), "utf8");
  } catch (error) {
    if (error instanceof UnsupportedCanonicalizationError) throw invalid(error.message);
    throw error;
  }
}

function algorithmOf(parent: XmlElement, methodElement: string): string {
  return attributeOf(only(parent, DSIG, methodElement), "Algorithm") ?? "";
}

function digest(algorithm: string, data: Uint8Array): string {
  return createHash(algorithm).update(data).digest("base64");
}

/** The one child element of its kind: a second one (a second SignedInfo, say) is refused, not ignored. */
function only(parent: XmlElement, namespace: string, localName: string): XmlElement {
  const found = childElements(parent, namespace, localName);
  if (found.length !== 1) throw invalid(`${parent.name} must have one ${prefixOf(namespace)}:${localName}, has ${found.length}`);
  return found[0] as XmlElement;
}

function optional(parent: XmlElement, namespace: string, localName: string): XmlElement | undefined {
  return childElements(parent, namespace, localName).length === 0 ? undefined : only(parent, namespace, localName);
}

function prefixOf(namespace: string): string {
  return namespace === XADES ? "xades" : namespace === DSIG ? "ds" : "asic";
}

function invalid(reason: string) {
  return badRequest("INVALID_SIGNATURE", `The document bundle's signature is invalid: ${reason}`);
}
