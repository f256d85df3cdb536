import type { X509Certificate } from "node:crypto";

/**
 * The two extensions that say whether a certificate may issue others (RFC 5280 §4.2.1.3 and
 * §4.2.1.9), read from the DER, since node:crypto exposes basicConstraints' cA flag but neither
 * the key usage bits nor the path length.
 */

export interface IssuingConstraints {
  /** basicConstraints cA (false when the extension is absent). */
  ca: boolean;
  /** basicConstraints pathLenConstraint: how many CA certificates may follow below this one. */
  pathLength: number | undefined;
  /** The keyUsage bits asserted, or undefined when the certificate has no keyUsage extension. */
  keyUsage: ReadonlySet<KeyUsage> | undefined;
}

export type KeyUsage =
  | "digitalSignature"
  | "nonRepudiation"
  | "keyEncipherment"
  | "dataEncipherment"
  | "keyAgreement"
  | "keyCertSign"
  | "cRLSign"
  | "encipherOnly"
  | "decipherOnly";

/** In the order of the bits of the KeyUsage BIT STRING. */
const KEY_USAGE_BITS: readonly KeyUsage[] = [
  "digitalSignature",
  "nonRepudiation",
  "keyEncipherment",
  "dataEncipherment",
  "keyAgreement",
  "keyCertSign",
  "cRLSign",
  "encipherOnly",
  "decipherOnly",
];
const KEY_USAGE_OID = "551d0f"; // 2.5.29.15
const BASIC_CONSTRAINTS_OID = "551d13"; // 2.5.29.19

const SEQUENCE = 0x30;
const BOOLEAN = 0x01;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const OCTET_STRING = 0x04;
const OID = 0x06;
const EXTENSIONS = 0xa3; // [3] EXPLICIT in TBSCertificate

interface DerValue {
  tag: number;
  content: Buffer;
}

export class CertificateFormatError extends Error {}

export function issuingConstraintsOf(certificate: X509Certificate): IssuingConstraints {
  const constraints: IssuingConstraints = { ca: false, pathLength: undefined, keyUsage: undefined };
  for (const { oid, value } of extensionsOf(certificate.raw)) {
    if (oid === KEY_USAGE_OID) constraints.keyUsage = keyUsageOf(expect(single(value), BIT_STRING));
    if (oid === BASIC_CONSTRAINTS_OID) Object.assign(constraints, basicConstraintsOf(expect(single(value), SEQUENCE)));
  }
  return constraints;
}

function extensionsOf(der: Buffer): { oid: string; value: Buffer }[] {
  const certificate = expect(single(der), SEQUENCE);
  const tbs = expect(children(certificate.content)[0], SEQUENCE);
  const wrapper = children(tbs.content).find((field) => field.tag === EXTENSIONS);
  if (!wrapper) return [];
  return children(expect(single(wrapper.content), SEQUENCE).content).map((extension) => {
    const fields = children(expect(extension, SEQUENCE).content);
    const oid = expect(fields[0], OID).content.toString("hex");
    return { oid, value: expect(fields.at(-1), OCTET_STRING).content };
  });
}

function keyUsageOf(bits: DerValue): Set<KeyUsage> {
  const usage = new Set<KeyUsage>();
  KEY_USAGE_BITS.forEach((name, bit) => {
    const byte = bits.content[1 + Math.floor(bit / 8)];
    if (byte !== undefined && (byte & (0x80 >> (bit % 8))) !== 0) usage.add(name);
  });
  return usage;
}

function basicConstraintsOf(sequence: DerValue): Pick<IssuingConstraints, "ca" | "pathLength"> {
  const fields = children(sequence.content);
  const ca = fields[0]?.tag === BOOLEAN && fields[0].content[0] !== 0;
  const length = fields.find((field) => field.tag === INTEGER);
  // A path length beyond what fits in a few bytes limits nothing a real chain has.
  const pathLength =
    length === undefined
      ? undefined
      : length.content.length > 4
        ? Number.MAX_SAFE_INTEGER
        : length.content.readUIntBE(0, length.content.length);
  return { ca, pathLength };
}

function children(content: Buffer): DerValue[] {
  const values: DerValue[] = [];
  for (let offset = 0; offset < content.length;) {
    const { value, end } = read(content, offset);
    values.push(value);
    offset = end;
  }
  return values;
}

function single(content: Buffer): DerValue {
  const { value, end } = read(content, 0);
  if (end !== content.length) throw new CertificateFormatError("trailing bytes after a DER value");
  return value;
}

function read(buffer: Buffer, offset: number): { value: DerValue; end: number } {
  const tag = buffer[offset];
  let length = buffer[offset + 1];
  if (tag === undefined || length === undefined) throw new CertificateFormatError("a DER value is cut short");
  let start = offset + 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0 || lengthBytes > 4 || start + lengthBytes > buffer.length)
      throw new CertificateFormatError("a DER length is not valid");
    length = buffer.readUIntBE(start, lengthBytes);
    start += lengthBytes;
  }
  const end = start + length;
  if (end > buffer.length) throw new CertificateFormatError("a DER value is cut short");
  return { value: { tag, content: buffer.subarray(start, end) }, end };
}

function expect(value: DerValue | undefined, tag: number): DerValue {
  if (value?.tag !== tag) throw new CertificateFormatError(`expected DER tag 0x${tag.toString(16)}`);
  return value;
}
