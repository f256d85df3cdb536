import { createHash, sign } from "node:crypto";
import type { SenderCredentials } from "../keys/credentials";
import { formatRfc2253, readCertificateName } from "../keys/distinguished-name";
import { formatSigningTime } from "./signing-time";

/**
 * META-INF/signatures.xml: an XAdES-B signature laid out byte for byte as the official Java client
 * writes it (reproduced by the known-answer test). The XML is written as text with no whitespace
 * between elements, attributes in canonical order and canonical escaping, so the canonical
 * (C14N 1.0) forms of SignedInfo and SignedProperties are the serialized text plus the namespace
 * declarations in scope on their start tags — no general canonicalizer is needed.
 */

const ASIC_NS = "http://uri.etsi.org/2918/v1.2.1#";
const DSIG_NS = "http://www.w3.org/2000/09/xmldsig#";
const XADES_NS = "http://uri.etsi.org/01903/v1.3.2#";
const C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1";
const SIGNED_PROPERTIES_TYPE = "http://uri.etsi.org/01903#SignedProperties";

export interface SignedFile {
  /** Zip entry name. */
  name: string;
  content: Uint8Array;
  mimeType: string;
  /** The content's SHA-256 when it is known already (taken while a file was read). */
  sha256?: Uint8Array;
}

export interface SignaturesInput {
  /** Documents in job order, then manifest.xml. */
  files: readonly SignedFile[];
  credentials: SenderCredentials;
  signingTime?: Date;
  /** IANA zone the SigningTime is written in (default: the process's zone). */
  timeZone?: string;
}

export function createSignaturesXml(input: SignaturesInput): string {
  const { credentials } = input;
  const signingTime = formatSigningTime(input.signingTime ?? new Date(), input.timeZone);
  const certificateDer = credentials.certificate.raw;

  const signedProperties =
    `<SignedSignatureProperties><SigningTime>${escapeText(signingTime)}</SigningTime>` +
    `<SigningCertificate><Cert><CertDigest><ns2:DigestMethod Algorithm="${SHA1}"></ns2:DigestMethod>` +
    `<ns2:DigestValue>${digest("sha1", certificateDer)}</ns2:DigestValue></CertDigest>` +
    `<IssuerSerial><ns2:X509IssuerName>${escapeText(formatRfc2253(readCertificateName(certificateDer, "issuer")))}</ns2:X509IssuerName>` +
    `<ns2:X509SerialNumber>${BigInt(`0x${credentials.certificate.serialNumber}`).toString(10)}</ns2:X509SerialNumber></IssuerSerial>` +
    `</Cert></SigningCertificate></SignedSignatureProperties><SignedDataObjectProperties>` +
    input.files
      .map(
        (file, index) =>
          `<DataObjectFormat ObjectReference="#ID_${index}"><MimeType>${escapeText(file.mimeType)}</MimeType></DataObjectFormat>`,
      )
      .join("") +
    `</SignedDataObjectProperties></SignedProperties>`;
  const canonicalSignedProperties = `<SignedProperties xmlns="${XADES_NS}" xmlns:ns2="${DSIG_NS}" Id="SignedProperties">${signedProperties}`;

  const signedInfo =
    `<CanonicalizationMethod Algorithm="${C14N}"></CanonicalizationMethod><SignatureMethod Algorithm="${RSA_SHA256}"></SignatureMethod>` +
    input.files
      .map(
        (file, index) =>
          `<Reference Id="ID_${index}" URI="${escapeAttribute(formEncode(file.name))}"><DigestMethod Algorithm="${SHA256}"></DigestMethod>` +
          `<DigestValue>${file.sha256 ? Buffer.from(file.sha256).toString("base64") : digest("sha256", file.content)}</DigestValue></Reference>`,
      )
      .join("") +
    `<Reference Type="${SIGNED_PROPERTIES_TYPE}" URI="#SignedProperties"><Transforms><Transform Algorithm="${C14N}"></Transform></Transforms>` +
    `<DigestMethod Algorithm="${SHA256}"></DigestMethod><DigestValue>${digest("sha256", Buffer.from(canonicalSignedProperties, "utf8"))}</DigestValue></Reference>` +
    `</SignedInfo>`;
  const canonicalSignedInfo = `<SignedInfo xmlns="${DSIG_NS}">${signedInfo}`;
  const signatureValue = sign("sha256", Buffer.from(canonicalSignedInfo, "utf8"), credentials.privateKey).toString("base64");

  const certificates = credentials.chain
    .map((certificate) => `<X509Certificate>${certificate.raw.toString("base64")}</X509Certificate>`)
    .join("");
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="no"?><XAdESSignatures xmlns="${ASIC_NS}">` +
    `<Signature xmlns="${DSIG_NS}" Id="Signature"><SignedInfo>${signedInfo}<SignatureValue>${signatureValue}</SignatureValue>` +
    `<KeyInfo><X509Data>${certificates}</X509Data></KeyInfo>` +
    `<Object><QualifyingProperties xmlns="${XADES_NS}" xmlns:ns2="${DSIG_NS}" Target="#Signature">` +
    `<SignedProperties Id="SignedProperties">${signedProperties}</QualifyingProperties></Object></Signature></XAdESSignatures>`
  );
}

function digest(algorithm: "sha1" | "sha256", data: Uint8Array): string {
  return createHash(algorithm).update(data).digest("base64");
}

/** Text escaping as C14N 1.0 writes it, so serialized text is already canonical. */
function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");
}

/** Attribute escaping as C14N 1.0 writes it. */
function escapeAttribute(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#x9;")
    .replace(/\n/g, "&#xA;")
    .replace(/\r/g, "&#xD;");
}

/** Java's `URLEncoder.encode(name, "UTF-8")`: what the Java client puts in Reference/@URI. */
function formEncode(name: string): string {
  return encodeURIComponent(name)
    .replace(/[!'()~]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+");
}
