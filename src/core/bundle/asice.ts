import type { Readable } from "node:stream";
import type { SenderCredentials } from "../keys/credentials";
import { createSignaturesXml, type SignedFile } from "./xades";
import { createZip } from "./zip";

export interface BundleDocument {
  /** Zip entry name, also the manifest's `href`. */
  fileName: string;
  content: Uint8Array;
  mimeType: string;
  /** The content's digests when they are known already, so the bytes are not read again for them. */
  digests?: DocumentDigests;
}

/** A document's SHA-256 (for the signature) and CRC-32 (for the zip), taken in one pass over its bytes. */
export interface DocumentDigests {
  sha256: Uint8Array;
  crc32: number;
}

export interface DocumentBundleInput {
  documents: readonly BundleDocument[];
  manifestXml: string;
  credentials: SenderCredentials;
  signingTime?: Date;
  timeZone?: string;
}

/** An ASiC-E container ready to stream into a request body. */
export interface DocumentBundle {
  /** Exact byte length, known before streaming. */
  readonly size: number;
  stream(): Readable;
  toBuffer(): Promise<Buffer>;
}

const MANIFEST = "manifest.xml";
const SIGNATURES = "META-INF/signatures.xml";

/**
 * Documents, then manifest.xml, then META-INF/signatures.xml signing all of them — the Java
 * client's order. No `mimetype` entry and no META-INF/manifest.xml, as the service's profile asks.
 */
export function createDocumentBundle(input: DocumentBundleInput): DocumentBundle {
  const signingTime = input.signingTime ?? new Date();
  const manifest = Buffer.from(input.manifestXml, "utf8");
  const files: (SignedFile & { crc32?: number })[] = [
    ...input.documents.map((document) => ({
      name: document.fileName,
      content: document.content,
      mimeType: document.mimeType,
      sha256: document.digests?.sha256,
      crc32: document.digests?.crc32,
    })),
    { name: MANIFEST, content: manifest, mimeType: "application/xml" },
  ];
  const signatures = createSignaturesXml({
    files,
    credentials: input.credentials,
    signingTime,
    ...(input.timeZone === undefined ? {} : { timeZone: input.timeZone }),
  });
  const zip = createZip(
    [
      ...files.map((file) => ({ name: file.name, data: file.content, crc32: file.crc32 })),
      { name: SIGNATURES, data: Buffer.from(signatures, "utf8") },
    ],
    signingTime,
  );
  return {
    size: zip.size,
    stream: () => zip.stream(),
    toBuffer: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of zip.stream()) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks, zip.size);
    },
  };
}
