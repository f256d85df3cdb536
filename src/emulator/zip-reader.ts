import zlib from "node:zlib";

/**
 * Reads the directory of a ZIP archive (PKWARE APPNOTE 6.3, §4.3) that is already in memory,
 * refusing before any work that grows with the archive what a document bundle never has: more
 * entries than `maxEntries`, ZIP64 directories, encryption, methods other than stored and
 * deflate, names given twice or differently in the local header, and entries that overlap (the
 * trick by which a small archive holds many large files). Entries are inflated in the thread
 * pool, stopped as soon as they pass the size their directory entry states (so the caller can
 * judge, and reserve memory for, that size before inflating), and checked against their CRC-32.
 */

export class ZipFormatError extends Error {}

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  headerOffset: number;
  dataOffset: number;
}

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_HEADER = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const END_OF_DIRECTORY_LENGTH = 22;
const DIRECTORY_HEADER_LENGTH = 46;
const LOCAL_HEADER_LENGTH = 30;
const MAX_COMMENT_LENGTH = 0xffff;
const ENCRYPTED = 0x1;
const UTF8_NAMES = 0x800;
const STORED = 0;
const DEFLATED = 8;
const ZIP64_MARK = 0xffffffff;

function inflateRaw(data: Buffer, maxOutputLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    zlib.inflateRaw(data, { maxOutputLength }, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

export function readZipDirectory(zip: Buffer, maxEntries: number): ZipEntry[] {
  const end = findEndOfDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  const directorySize = zip.readUInt32LE(end + 12);
  const directoryOffset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || directorySize === ZIP64_MARK || directoryOffset === ZIP64_MARK)
    throw new ZipFormatError("ZIP64 archives are not accepted");
  if (count > maxEntries) throw new ZipFormatError(`the archive has ${count} entries; at most ${maxEntries}`);
  if (directoryOffset + directorySize > end) throw new ZipFormatError("the central directory lies outside the archive");

  const entries: ZipEntry[] = [];
  let position = directoryOffset;
  for (let index = 0; index < count; index++) {
    if (position + DIRECTORY_HEADER_LENGTH > end || zip.readUInt32LE(position) !== DIRECTORY_HEADER)
      throw new ZipFormatError("the central directory is damaged");
    const flags = zip.readUInt16LE(position + 8);
    const nameLength = zip.readUInt16LE(position + 28);
    const next = position + DIRECTORY_HEADER_LENGTH + nameLength + zip.readUInt16LE(position + 30) + zip.readUInt16LE(position + 32);
    if (next > end) throw new ZipFormatError("the central directory is damaged");
    const nameBytes = zip.subarray(position + DIRECTORY_HEADER_LENGTH, position + DIRECTORY_HEADER_LENGTH + nameLength);
    const name = nameBytes.toString(flags & UTF8_NAMES ? "utf8" : "latin1");
    const entry = {
      name,
      method: zip.readUInt16LE(position + 10),
      crc32: zip.readUInt32LE(position + 16),
      compressedSize: zip.readUInt32LE(position + 20),
      size: zip.readUInt32LE(position + 24),
    };
    const localOffset = zip.readUInt32LE(position + 42);
    if (entry.compressedSize === ZIP64_MARK || entry.size === ZIP64_MARK || localOffset === ZIP64_MARK)
      throw new ZipFormatError(`"${name}" has ZIP64 sizes, which are not accepted`);
    if (flags & ENCRYPTED) throw new ZipFormatError(`"${name}" is encrypted`);
    if (entry.method !== STORED && entry.method !== DEFLATED)
      throw new ZipFormatError(`"${name}" is compressed with method ${entry.method}; only stored and deflate are accepted`);
    entries.push({ ...entry, headerOffset: localOffset, dataOffset: localDataOffset(zip, localOffset, nameBytes, directoryOffset) });
    position = next;
  }
  if (position !== directoryOffset + directorySize) throw new ZipFormatError(`the central directory holds more than its ${count} entries`);
  requireDistinct(entries, directoryOffset);
  return entries;
}

/** The entry's content, refused as soon as it inflates beyond the size its directory entry states. */
export async function inflateZipEntry(zip: Buffer, entry: ZipEntry): Promise<Buffer> {
  const data = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  let content: Buffer;
  if (entry.method === STORED) {
    content = data;
  } else {
    try {
      content = await inflateRaw(data, Math.max(1, entry.size));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
        throw new ZipFormatError(`"${entry.name}" inflates to more than the ${entry.size} bytes its directory entry states`);
      throw new ZipFormatError(`"${entry.name}" cannot be inflated: ${(error as Error).message}`);
    }
  }
  if (content.length !== entry.size || zlib.crc32(content) !== entry.crc32)
    throw new ZipFormatError(`"${entry.name}" is damaged: its size or CRC-32 does not match the directory`);
  return content;
}

function findEndOfDirectory(zip: Buffer): number {
  const earliest = Math.max(0, zip.length - END_OF_DIRECTORY_LENGTH - MAX_COMMENT_LENGTH);
  for (let position = zip.length - END_OF_DIRECTORY_LENGTH; position >= earliest; position--) {
    if (
      zip.readUInt32LE(position) === END_OF_DIRECTORY &&
      position + END_OF_DIRECTORY_LENGTH + zip.readUInt16LE(position + 20) === zip.length
    )
      return position;
  }
  throw new ZipFormatError("no end of central directory record");
}

/** Where the entry's data starts, after a local header that must name the entry as the directory does. */
function localDataOffset(zip: Buffer, offset: number, nameBytes: Buffer, directoryOffset: number): number {
  if (offset + LOCAL_HEADER_LENGTH > directoryOffset || zip.readUInt32LE(offset) !== LOCAL_HEADER)
    throw new ZipFormatError("a local file header is missing");
  const nameLength = zip.readUInt16LE(offset + 26);
  const name = zip.subarray(offset + LOCAL_HEADER_LENGTH, offset + LOCAL_HEADER_LENGTH + nameLength);
  if (!name.equals(nameBytes)) throw new ZipFormatError(`the local header of "${nameBytes.toString("utf8")}" names another file`);
  return offset + LOCAL_HEADER_LENGTH + nameLength + zip.readUInt16LE(offset + 28);
}

/** Each name once, and each entry's data in a place of its own, before the next entry's header and the central directory. */
function requireDistinct(entries: ZipEntry[], directoryOffset: number): void {
  const names = new Set<string>();
  for (const entry of entries) {
    if (names.has(entry.name)) throw new ZipFormatError(`"${entry.name}" is in the archive twice`);
    names.add(entry.name);
  }
  const byOffset = [...entries].sort((a, b) => a.headerOffset - b.headerOffset);
  byOffset.forEach((entry, index) => {
    const limit = byOffset[index + 1]?.headerOffset ?? directoryOffset;
    if (entry.dataOffset + entry.compressedSize > limit)
      throw new ZipFormatError(`"${entry.name}" overlaps another entry or the central directory`);
  });
}
