import { closeSync, fchmodSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import path from "node:path";

/**
 * Files the CLI writes hold personal data (signed documents, national identity numbers in a
 * bundle's manifest): they are made 0600, in folders made 0700, whatever the umask. An existing
 * file is overwritten and narrowed to 0600; existing folders are left as they are. A write that
 * fails leaves no partial file behind.
 *
 * The chunks are written with synchronous writes (no hand-off to the thread pool per chunk), and
 * the stream is awaited first, so a refused download creates no file.
 */
export async function writeStreamToPrivateFile(out: string, download: Promise<NodeJS.ReadableStream>): Promise<number> {
  const stream = await download;
  const fd = openPrivateFile(out);
  try {
    let bytes = 0;
    for await (const chunk of stream) bytes += writeAll(fd, typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    closeSync(fd);
    return bytes;
  } catch (error) {
    discard(out, fd);
    throw error;
  }
}

function openPrivateFile(out: string): number {
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true, mode: 0o700 });
  const fd = openSync(out, "w", 0o600);
  fchmodSync(fd, 0o600);
  return fd;
}

function discard(out: string, fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed: the close itself failed
  }
  rmSync(out, { force: true });
}

function writeAll(fd: number, chunk: Uint8Array): number {
  for (let written = 0; written < chunk.length;) written += writeSync(fd, chunk, written);
  return chunk.length;
}
