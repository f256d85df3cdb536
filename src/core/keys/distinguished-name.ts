import { childrenOf, expectTag, readDer, readOid, sequence, TAG, type DerNode } from "./der";

/** One attribute of a distinguished name, in DER order. */
export interface NameAttribute {
  oid: string;
  /** The decoded string value. */
  value: string;
  /** Hex of the DER encoding of the value (tag, length and contents). */
  valueDerHex: string;
}

/** A distinguished name as its relative distinguished names, in DER order (most general first). */
export type DistinguishedName = NameAttribute[][];

/** The attribute keywords Java's RFC 2253 printer uses; every other type is printed as a dotted OID. */
const RFC2253_KEYWORDS: Record<string, string> = {
  "2.5.4.3": "CN",
  "2.5.4.6": "C",
  "2.5.4.7": "L",
  "2.5.4.8": "ST",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.9": "STREET",
  "0.9.2342.19200300.100.1.25": "DC",
  "0.9.2342.19200300.100.1.1": "UID",
};

export type CertificateNameField = "issuer" | "subject";

/** Reads the issuer or subject name of a DER certificate. */
export function readCertificateName(certificateDer: Uint8Array, field: CertificateNameField): DistinguishedName {
  let tbsFields: DerNode[];
  try {
    tbsFields = sequence(sequence(readDer(certificateDer), "certificate", 1)[0], "tbsCertificate", 6);
  } catch {
    throw new Error("Not an X.509 certificate");
  }
  // The optional [0] version tag shifts every later field by one.
  const offset = tbsFields[0]?.tag === TAG.CONTEXT_0 ? 1 : 0;
  const name = tbsFields[offset + (field === "issuer" ? 2 : 4)];
  if (!name) throw new Error(`Certificate has no ${field} name`);
  try {
    return sequence(name, field).map((rdn) =>
      childrenOf(expectTag(rdn, TAG.SET, "relative distinguished name")).map((attribute) => {
        const [type, value] = sequence(attribute, "attribute", 2);
        return {
          oid: readOid(type),
          value: decodeDirectoryString(value as DerNode),
          valueDerHex: (value as DerNode).encoded.toString("hex"),
        };
      }),
    );
  } catch {
    throw new Error("Malformed distinguished name");
  }
}

function decodeDirectoryString(node: DerNode): string {
  switch (node.tag) {
    case TAG.UTF8_STRING:
      return node.content.toString("utf8");
    case TAG.BMP_STRING: {
      let text = "";
      for (let i = 0; i + 1 < node.content.length; i += 2) text += String.fromCharCode(node.content.readUInt16BE(i));
      return text;
    }
    default:
      // PrintableString, IA5String, TeletexString: single-byte encodings.
      return node.content.toString("latin1");
  }
}

/**
 * The name exactly as Java's `X500Principal.getName()` prints it (RFC 2253): RDNs most specific
 * first, separated by "," without spaces, keywords only for the RFC 2253 set, every other type as
 * `OID=#hex`. The XAdES IssuerName must match what the Java client writes.
 */
export function formatRfc2253(name: DistinguishedName): string {
  return [...name]
    .reverse()
    .map((rdn) =>
      rdn
        .map((attribute) => {
          const keyword = RFC2253_KEYWORDS[attribute.oid];
          return keyword ? `${keyword}=${escapeRfc2253Value(attribute.value)}` : `${attribute.oid}=#${attribute.valueDerHex}`;
        })
        .join("+"),
    )
    .join(",");
}

/** A readable one-line form for messages: `CN=…, O=…, …`, most specific first, OIDs by short name. */
export function formatForDisplay(name: DistinguishedName): string {
  const shortNames: Record<string, string> = { ...RFC2253_KEYWORDS, "2.5.4.5": "SERIALNUMBER", "2.5.4.97": "organizationIdentifier" };
  return [...name]
    .reverse()
    .map((rdn) => rdn.map((attribute) => `${shortNames[attribute.oid] ?? attribute.oid}=${attribute.value}`).join("+"))
    .join(", ");
}

function escapeRfc2253Value(value: string): string {
  let escaped = value.replace(/[,+"\\<>;]/g, (character) => `\\${character}`);
  if (escaped.startsWith("#") || escaped.startsWith(" ")) escaped = `\\${escaped}`;
  if (escaped.endsWith(" ") && escaped.length > 1) escaped = `${escaped.slice(0, -1)}\\ `;
  return escaped;
}
