import type { MemoryReservation } from "./memory-budget";
import { badRequest } from "./rejection";
import { inflateZipEntry, readZipDirectory, type ZipEntry, ZipFormatError } from "./zip-reader";

/**
 * A job's document bundle (an ASiC-E ZIP) opened without inflating anything: entries are inflated
 * one at a time when the intake asks for them by name, each against its own limit and all of
 * them against one budget, so a small archive of highly compressed entries (a zip bomb) costs
 * no more than the largest job the service accepts; what is inflated is added to the request's
 * memory reservation first.
 */

const MAX_DOCUMENTS = 20;
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** manifest.xml and META-INF/signatures.xml are a few kB; a megabyte leaves room for any real one. */
export const MAX_XML_ENTRY_BYTES = 1024 * 1024;
/** The documents of the largest job and the two XML entries. */
const INFLATION_BUDGET_BYTES = MAX_DOCUMENTS * MAX_DOCUMENT_BYTES + 2 * MAX_XML_ENTRY_BYTES;
/** Documents, manifest and signature, with room to spare: only keeps the directory small. */
const MAX_ENTRIES = 100;

export class BundleArchive {
  private inflatedBytes = 0;

  private constructor(
    private readonly zip: Buffer,
    private readonly entries: ReadonlyMap<string, ZipEntry>,
    private readonly memory: MemoryReservation,
  ) {}

  static open(bundle: Buffer, memory: MemoryReservation): BundleArchive {
    let entries: ZipEntry[];
    try {
      entries = readZipDirectory(bundle, MAX_ENTRIES);
    } catch (error) {
      if (error instanceof ZipFormatError)
        throw badRequest("INVALID_DOCUMENT_BUNDLE", `The document bundle is not a readable ZIP (ASiC-E) archive: ${error.message}`);
      throw error;
    }
    // Folder entries carry nothing; some ZIP writers add them.
    const files = entries.filter((entry) => !(entry.name.endsWith("/") && entry.size === 0));
    return new BundleArchive(bundle, new Map(files.map((entry) => [entry.name, entry])), memory);
  }

  get names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry's bytes, refused before inflating when its size passes `limitBytes` or the bundle's budget. */
  async inflate(name: string, limitBytes: number): Promise<Buffer> {
    const entry = this.entries.get(name);
    if (!entry) throw badRequest("INVALID_DOCUMENT_BUNDLE", `The document bundle has no ${name}`);
    if (entry.size > limitBytes)
      throw badRequest("DOCUMENT_TOO_LARGE", `"${name}" is larger than ${limitBytes} bytes (${limitBytes / (1024 * 1024)} MB)`);
    if (this.inflatedBytes + entry.size > INFLATION_BUDGET_BYTES)
      throw badRequest("DOCUMENT_TOO_LARGE", `The document bundle unpacks to more than ${INFLATION_BUDGET_BYTES} bytes`);
    this.memory.grow(entry.size);
    let content: Buffer;
    try {
      content = await inflateZipEntry(this.zip, entry);
    } catch (error) {
      if (error instanceof ZipFormatError)
        throw badRequest("INVALID_DOCUMENT_BUNDLE", `"${name}" in the document bundle cannot be unpacked: ${error.message}`);
      throw error;
    }
    this.inflatedBytes += content.length;
    return content;
  }
}
