import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { maskSecrets } from "../http/redact";
import type { JobPackage } from "../job-bundle";

/**
 * Writes each sent job's ASiC-E to a folder for support cases (the `dumpBundles` option, as the
 * Java client's `enableDocumentBundleDiskDump`): `20261201T101500Z-<reference>.asice`. The
 * reference comes from the caller, so only [A-Za-z0-9._-] of it is kept, with any national
 * identity number masked. A bundle holds documents and signers' national identity numbers, so
 * the files are readable by their owner only (0600), as are the folders made for them (0700).
 */
export function bundleDumper(directory: string, now: () => number): (job: JobPackage, reference: string | undefined) => Promise<void> {
  return async (job, reference) => {
    await mkdir(directory, { recursive: true, mode: OWNER_ONLY_FOLDER });
    const stem = `${timestamp(now())}-${safeName(reference)}`;
    for (let attempt = 1; ; attempt++) {
      const file = path.join(directory, `${stem}${attempt > 1 ? `-${attempt}` : ""}.asice`);
      try {
        await pipeline(job.bundle.stream(), createWriteStream(file, { flags: "wx", mode: OWNER_ONLY_FILE }));
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
    }
  };
}

const OWNER_ONLY_FOLDER = 0o700;
const OWNER_ONLY_FILE = 0o600;

function timestamp(time: number): string {
  return new Date(time)
    .toISOString()
    .replace(/\.\d{3}Z$/, "Z")
    .replace(/[-:]/g, "");
}

function safeName(reference: string | undefined): string {
  const safe = maskSecrets(reference ?? "")
    .replace(/[^A-Za-z0-9._-]/g, "_")
    .replace(/^[.]+/, "")
    .slice(0, 80);
  return safe === "" ? "job" : safe;
}
