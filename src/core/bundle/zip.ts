import { Readable } from "node:stream";
import { crc32 } from "node:zlib";

/**
 * A minimal ZIP writer for the document bundle. Entries are STORED (not deflated): the PDFs are
 * compressed already and the service does not care, and with stored entries the whole archive's
 * size is known before the first byte is sent, so it streams into the request body without
 * ever being held whole in memory: the documents' own buffers are passed through, not copied.
 * (jszip, which the emulator uses to read bundles, cannot tell an archive's size before it has
 * generated it.)
 */

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** The data's CRC-32 when it is known already (taken while a file was read, with its bytes in cache). */
  crc32?: number;
}

export interface ZipArchive {
  /** Exact byte length of the archive. */
  readonly size: number;
  /** A fresh stream of the archive's bytes; may be called more than once. */
  stream(): Readable;
}

const LOCAL_HEADER_SIZE = 30;
const CENTRAL_HEADER_SIZE = 46;
const END_OF_CENTRAL_DIRECTORY_SIZE = 22;
const VERSION_NEEDED = 20;
const FLAG_UTF8_NAMES = 0x0800;
const MAX_ZIP32 = 0xffffffff;

interface PreparedEntry {
  name: Buffer;
  data: Uint8Array;
  crc: number;
  offset: number;
}

export function createZip(entries: readonly ZipEntry[], modified: Date): ZipArchive {
  const { time, date } = dosDateTime(modified);
  let offset = 0;
  const prepared: PreparedEntry[] = entries.map((entry) => {
    const name = Buffer.from(entry.name, "utf8");
    const prepared = { name, data: entry.data, crc: entry.crc32 ?? crc32(entry.data), offset };
    offset += LOCAL_HEADER_SIZE + name.length + entry.data.length;
    return prepared;
  });
  const centralDirectoryOffset = offset;
  const centralDirectorySize = prepared.reduce((sum, entry) => sum + CENTRAL_HEADER_SIZE + entry.name.length, 0);
  const size = centralDirectoryOffset + centralDirectorySize + END_OF_CENTRAL_DIRECTORY_SIZE;
  if (size > MAX_ZIP32 || prepared.length > 0xffff) throw new Error("The document bundle is too large for a ZIP archive");

  function* chunks(): Generator<Uint8Array> {
    for (const entry of prepared) {
      yield localHeader(entry, time, date);
      yield entry.data;
    }
    const central = Buffer.alloc(centralDirectorySize + END_OF_CENTRAL_DIRECTORY_SIZE);
    let position = 0;
    for (const entry of prepared) position = writeCentralHeader(central, position, entry, time, date);
    central.writeUInt32LE(0x06054b50, position);
    central.writeUInt16LE(0, position + 4);
    central.writeUInt16LE(0, position + 6);
    central.writeUInt16LE(prepared.length, position + 8);
    central.writeUInt16LE(prepared.length, position + 10);
    central.writeUInt32LE(centralDirectorySize, position + 12);
    central.writeUInt32LE(centralDirectoryOffset, position + 16);
    central.writeUInt16LE(0, position + 20);
    yield central;
  }

  return { size, stream: () => Readable.from(chunks(), { objectMode: false }) };
}

function localHeader(entry: PreparedEntry, time: number, date: number): Buffer {
  const header = Buffer.alloc(LOCAL_HEADER_SIZE + entry.name.length);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(FLAG_UTF8_NAMES, 6);
  header.writeUInt16LE(0, 8); // method: stored
  header.writeUInt16LE(time, 10);
  header.writeUInt16LE(date, 12);
  header.writeUInt32LE(entry.crc, 14);
  header.writeUInt32LE(entry.data.length, 18);
  header.writeUInt32LE(entry.data.length, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(0, 28);
  entry.name.copy(header, LOCAL_HEADER_SIZE);
  return header;
}

function writeCentralHeader(target: Buffer, position: number, entry: PreparedEntry, time: number, date: number): number {
  target.writeUInt32LE(0x02014b50, position);
  target.writeUInt16LE(VERSION_NEEDED, position + 4); // made by
  target.writeUInt16LE(VERSION_NEEDED, position + 6);
  target.writeUInt16LE(FLAG_UTF8_NAMES, position + 8);
  target.writeUInt16LE(0, position + 10);
  target.writeUInt16LE(time, position + 12);
  target.writeUInt16LE(date, position + 14);
  target.writeUInt32LE(entry.crc, position + 16);
  target.writeUInt32LE(entry.data.length, position + 20);
  target.writeUInt32LE(entry.data.length, position + 24);
  target.writeUInt16LE(entry.name.length, position + 28);
  // extra length, comment length, disk number, internal and external attributes stay zero
  target.writeUInt32LE(entry.offset, position + 42);
  entry.name.copy(target, position + CENTRAL_HEADER_SIZE);
  return position + CENTRAL_HEADER_SIZE + entry.name.length;
}

function dosDateTime(instant: Date): { time: number; date: number } {
  const year = Math.min(Math.max(instant.getUTCFullYear(), 1980), 2107);
  return {
    time: (instant.getUTCHours() << 11) | (instant.getUTCMinutes() << 5) | (instant.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((instant.getUTCMonth() + 1) << 5) | instant.getUTCDate(),
  };
}
