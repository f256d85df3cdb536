import JSZip from "jszip";
import { badRequest } from "./rejection";

/**
 * A job's document bundle (an ASiC-E ZIP) opened without inflating anything: entries are inflated
 * one at a time when the intake asks for them by name, each streamed against its own limit and
 * all of them against one budget, so a small archive of highly compressed entries (a zip bomb)
 * costs no more than the largest job the service accepts.
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

  private constructor(private readonly files: ReadonlyMap<string, JSZip.JSZipObject>) {}

  static async open(bundle: Buffer): Promise<BundleArchive> {
    let zip: JSZip;
    try {
      zip = await JSZip.loadAsync(bundle);
    } catch {
      throw badRequest("INVALID_DOCUMENT_BUNDLE", "The document bundle is not a readable ZIP (ASiC-E) archive");
    }
    const files = Object.values(zip.files).filter((file) => !file.dir);
    if (files.length > MAX_ENTRIES) throw badRequest("INVALID_DOCUMENT_BUNDLE", `The document bundle has ${files.length} files; at most ${MAX_ENTRIES}`);
    return new BundleArchive(new Map(files.map((file) => [file.name, file])));
  }

  get names(): string[] {
    return [...this.files.keys()];
  }

  has(name: string): boolean {
    return this.files.has(name);
  }

  /** The entry's bytes; refused as soon as inflating passes `limitBytes` or the bundle's budget. */
  inflate(name: string, limitBytes: number): Promise<Buffer> {
    const file = this.files.get(name);
    if (!file) return Promise.reject(badRequest("INVALID_DOCUMENT_BUNDLE", `The document bundle has no ${name}`));
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      // JSZip's stream is an old-style Readable (events only, no async iteration).
      const stream = file.nodeStream("nodebuffer");
      const stop = (error: unknown) => {
        stream.pause();
        stream.removeAllListeners("data");
        reject(error);
      };
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        this.inflatedBytes += chunk.length;
        chunks.push(chunk);
        if (size > limitBytes) stop(badRequest("DOCUMENT_TOO_LARGE", `"${name}" is larger than ${limitBytes} bytes (${limitBytes / (1024 * 1024)} MB)`));
        else if (this.inflatedBytes > INFLATION_BUDGET_BYTES) stop(badRequest("DOCUMENT_TOO_LARGE", `The document bundle unpacks to more than ${INFLATION_BUDGET_BYTES} bytes`));
      });
      stream.on("end", () => resolve(Buffer.concat(chunks, size)));
      stream.on("error", () => reject(badRequest("INVALID_DOCUMENT_BUNDLE", `"${name}" in the document bundle cannot be unpacked`)));
    });
  }
}
