/**
 * A strict DER reader for the few structures the client reads itself (certificate names,
 * PKCS#12). Only definite lengths and one-byte tags: anything else is a `DerError`, so a caller
 * can fall back to a fuller parser. Every length is checked against the bytes that are there, and
 * nothing recurses on its own: callers walk fixed paths, so the work is linear in the input.
 */

export class DerError extends Error {}

export const TAG = {
  INTEGER: 0x02,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  BMP_STRING: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
  /** `[0]` constructed: an EXPLICIT tag 0 (or an IMPLICIT constructed one). */
  CONTEXT_0: 0xa0,
  /** `[0]` primitive: an IMPLICIT tag 0 on a primitive type. */
  CONTEXT_0_PRIMITIVE: 0x80,
} as const;

export interface DerNode {
  /** The identifier octet: class, constructed bit and tag number. */
  readonly tag: number;
  /** The whole encoding: tag, length and contents. */
  readonly encoded: Buffer;
  readonly content: Buffer;
}

/** Reads the one element that must fill `bytes` exactly. */
export function readDer(bytes: Uint8Array): DerNode {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const node = readAt(buffer, 0);
  if (node.encoded.length !== buffer.length) throw new DerError("trailing bytes after the DER element");
  return node;
}

/** The elements inside a constructed element (a SEQUENCE's or SET's fields). */
export function childrenOf(node: DerNode): DerNode[] {
  if ((node.tag & 0x20) === 0) throw new DerError(`element with tag 0x${node.tag.toString(16)} is not constructed`);
  const children: DerNode[] = [];
  for (let offset = 0; offset < node.content.length;) {
    const child = readAt(node.content, offset);
    children.push(child);
    offset += child.encoded.length;
  }
  return children;
}

/** The node, checked to carry the expected tag. */
export function expectTag(node: DerNode | undefined, tag: number, what: string): DerNode {
  if (!node || node.tag !== tag)
    throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found ${node ? `0x${node.tag.toString(16)}` : "nothing"}`);
  return node;
}

/** The fields of a SEQUENCE, at least `count` of them. */
export function sequence(node: DerNode | undefined, what: string, count = 0): DerNode[] {
  const fields = childrenOf(expectTag(node, TAG.SEQUENCE, what));
  if (fields.length < count) throw new DerError(`${what}: expected at least ${count} fields, found ${fields.length}`);
  return fields;
}

/** The dotted form of an OBJECT IDENTIFIER. */
export function readOid(node: DerNode | undefined, what = "object identifier"): string {
  const { content } = expectTag(node, TAG.OID, what);
  if (content.length === 0 || content.length > 64) throw new DerError(`${what}: bad length ${content.length}`);
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError(`${what}: arc too large`);
    if ((byte & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  if ((content.at(-1) as number) & 0x80) throw new DerError(`${what}: truncated arc`);
  return arcs.join(".");
}

/** A small non-negative INTEGER (an iteration count, a version, a key length). */
export function readSmallInteger(node: DerNode | undefined, what: string): number {
  const { content } = expectTag(node, TAG.INTEGER, what);
  if (content.length === 0 || content.length > 6 || (content[0] as number) & 0x80)
    throw new DerError(`${what}: not a small positive integer`);
  return content.readUIntBE(0, content.length);
}

function readAt(buffer: Buffer, offset: number): DerNode {
  if (offset + 2 > buffer.length) throw new DerError("truncated DER element");
  const tag = buffer[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError("multi-byte tags are not supported");
  let length = buffer[offset + 1] as number;
  let headerLength = 2;
  if (length & 0x80) {
    const lengthBytes = length & 0x7f;
    if (lengthBytes === 0) throw new DerError("indefinite lengths are not DER");
    if (lengthBytes > 4 || offset + 2 + lengthBytes > buffer.length) throw new DerError("bad DER length");
    length = buffer.readUIntBE(offset + 2, lengthBytes);
    headerLength += lengthBytes;
  }
  const end = offset + headerLength + length;
  if (end > buffer.length) throw new DerError("DER element longer than its container");
  return { tag, encoded: buffer.subarray(offset, end), content: buffer.subarray(offset + headerLength, end) };
}
