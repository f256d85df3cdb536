import { createHash, type KeyObject, sign, type X509Certificate } from "node:crypto";
import { formatRfc2253, readCertificateName } from "../core/keys";
import { escapeXml } from "../core/xml/writer";
import { canonicalize } from "./c14n";
import { childElement, findById, parseXmlTree, type XmlElement } from "./xml-tree";

/**
 * The XAdES signature the service hands out per signer: one ds:Signature over the job's
 * documents. The emulator has no signing service behind it, so its own certificate signs, and the
 * signer appears as a claimed role (the national identity number masked). Canonical forms are
 * computed with the emulator's own C14N over the document as written, so any standard verifier
 * (xmlsec1) accepts it.
 */

const DSIG = "http://www.w3.org/2000/09/xmldsig#";
const XADES = "http://uri.etsi.org/01903/v1.3.2#";
const ASIC = "http://uri.etsi.org/2918/v1.2.1#";
const C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";

export interface SignerXadesInput {
  /** The signer's position in the job (1-based), which makes the Ids unique per signer. */
  signerIndex: number;
  /** How the signer is named in the signature, e.g. `Signer 010190*****`. */
  signerLabel: string;
  signedAt: Date;
  /** The documents as named in the job's manifest. */
  documents: { href: string; mimeType: string; content: Uint8Array }[];
  /** The emulator's sealing key and certificate chain, leaf first. */
  seal: { privateKey: KeyObject; chain: readonly X509Certificate[] };
}

export function createSignerXades(input: SignerXadesInput): string {
  const signatureId = `Signature-${input.signerIndex}`;
  const propertiesId = `SignedProperties-${input.signerIndex}`;
  const leaf = input.seal.chain[0];
  if (!leaf) throw new Error("The seal needs a certificate");

  const references = input.documents.map(
    (document, index) =>
      `<ds:Reference Id="Reference-${index}" URI="${escapeXml(encodeURIComponent(document.href))}"><ds:DigestMethod Algorithm="${SHA256}"/>` +
      `<ds:DigestValue>${digest("sha256", document.content)}</ds:DigestValue></ds:Reference>`,
  );
  const signedProperties =
    `<xades:SignedProperties Id="${propertiesId}"><xades:SignedSignatureProperties>` +
    `<xades:SigningTime>${input.signedAt.toISOString()}</xades:SigningTime>` +
    `<xades:SigningCertificate><xades:Cert><xades:CertDigest><ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/><ds:DigestValue>${digest("sha1", leaf.raw)}</ds:DigestValue></xades:CertDigest>` +
    `<xades:IssuerSerial><ds:X509IssuerName>${escapeXml(formatRfc2253(readCertificateName(leaf.raw, "issuer")))}</ds:X509IssuerName>` +
    `<ds:X509SerialNumber>${BigInt(`0x${leaf.serialNumber}`).toString()}</ds:X509SerialNumber></xades:IssuerSerial></xades:Cert></xades:SigningCertificate>` +
    `<xades:SignerRole><xades:ClaimedRoles><xades:ClaimedRole>${escapeXml(input.signerLabel)}</xades:ClaimedRole></xades:ClaimedRoles></xades:SignerRole>` +
    `</xades:SignedSignatureProperties><xades:SignedDataObjectProperties>` +
    input.documents
      .map(
        (document, index) =>
          `<xades:DataObjectFormat ObjectReference="#Reference-${index}"><xades:MimeType>${escapeXml(document.mimeType)}</xades:MimeType></xades:DataObjectFormat>`,
      )
      .join("") +
    `</xades:SignedDataObjectProperties></xades:SignedProperties>`;
  const keyInfo = `<ds:KeyInfo><ds:X509Data>${input.seal.chain.map((certificate) => `<ds:X509Certificate>${certificate.raw.toString("base64")}</ds:X509Certificate>`).join("")}</ds:X509Data></ds:KeyInfo>`;

  const assemble = (signedInfo: string, signatureValue: string) =>
    `<?xml version="1.0" encoding="UTF-8"?><XAdESSignatures xmlns="${ASIC}"><ds:Signature xmlns:ds="${DSIG}" Id="${signatureId}">${signedInfo}` +
    `<ds:SignatureValue>${signatureValue}</ds:SignatureValue>${keyInfo}` +
    `<ds:Object><xades:QualifyingProperties xmlns:xades="${XADES}" Target="#${signatureId}">${signedProperties}</xades:QualifyingProperties></ds:Object></ds:Signature></XAdESSignatures>`;
  const signedInfoWith = (propertiesDigest: string) =>
    `<ds:SignedInfo><ds:CanonicalizationMethod Algorithm="${C14N}"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>${references.join("")}` +
    `<ds:Reference Type="http://uri.etsi.org/01903#SignedProperties" URI="#${propertiesId}"><ds:Transforms><ds:Transform Algorithm="${C14N}"/></ds:Transforms>` +
    `<ds:DigestMethod Algorithm="${SHA256}"/><ds:DigestValue>${propertiesDigest}</ds:DigestValue></ds:Reference></ds:SignedInfo>`;

  // The canonical forms depend on the namespaces in scope where the elements sit, so they are read back from the document.
  const propertiesDigest = digest("sha256", Buffer.from(canonicalize(elementById(assemble(signedInfoWith(""), ""), propertiesId)), "utf8"));
  const signedInfo = signedInfoWith(propertiesDigest);
  const signature = childElement(parseXmlTree(assemble(signedInfo, "")), DSIG, "Signature") as XmlElement;
  const canonicalSignedInfo = canonicalize(childElement(signature, DSIG, "SignedInfo") as XmlElement);
  return assemble(signedInfo, sign("sha256", Buffer.from(canonicalSignedInfo, "utf8"), input.seal.privateKey).toString("base64"));
}

function elementById(xml: string, id: string): XmlElement {
  return findById(parseXmlTree(xml), id)[0] as XmlElement;
}

function digest(algorithm: "sha1" | "sha256", data: Uint8Array): string {
  return createHash(algorithm).update(data).digest("base64");
}
