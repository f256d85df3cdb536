import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";
import type { DocumentDigests } from "../core/bundle";

/** Large enough that a read is few system calls, small enough that the slice is still in cache when it is hashed. */
const SLICE_BYTES = 1024 * 1024;

export interface DocumentFile {
  content: Buffer;
  digests: DocumentDigests;
}

/**
 * Reads a document file once: slice by slice into one buffer of the file's size, each slice
 * hashed (SHA-256 for the signature, CRC-32 for the zip) right after it is read, while it is in
 * the CPU's cache, so the bundle does not walk the bytes again. A file larger than `maxBytes` is
 * not read; its size is returned for the message.
 */
export function readDocumentFile(file: string, maxBytes: number): DocumentFile | { tooLarge: number } {
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) return { tooLarge: size };
    const content = Buffer.allocUnsafe(size);
    const sha256 = createHash("sha256");
    let crc = 0;
    let length = 0;
    while (length < size) {
      const read = readSync(fd, content, length, Math.min(SLICE_BYTES, size - length), null);
      if (read === 0) break; // the file shrank since fstat: take what is there
      const slice = content.subarray(length, length + read);
      sha256.update(slice);
      crc = crc32(slice, crc);
      length += read;
    }
    return { content: content.subarray(0, length), digests: { sha256: sha256.digest(), crc32: crc } };
  } finally {
    closeSync(fd);
  }
}
