import { readFileSync } from "node:fs";
import path from "node:path";
import { InvalidInputError } from "../core/errors";
import type { DocumentMimeType, Job, JobDocument } from "../core/model";

/**
 * Reads a job JSON file: the core's job shape, with `documents[].file` (a path relative to the
 * job file) in place of the bytes. A `.txt` file is a text document unless `mimeType` says
 * otherwise; validation checks the rest.
 */
export function readJobFile(file: string): Job {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InvalidInputError("--job", `cannot read ${file}: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object") throw new InvalidInputError("--job", "must hold a JSON object");
  const job = parsed as Record<string, unknown>;
  if (job.flow !== "direct" && job.flow !== "portal") {
    throw new InvalidInputError("flow", `must be "direct" or "portal", was ${JSON.stringify(job.flow)}`);
  }
  if (!Array.isArray(job.documents)) throw new InvalidInputError("documents", "must be a list of { title, file }");
  const baseDir = path.dirname(path.resolve(file));
  job.documents = job.documents.map((document: unknown, index: number): JobDocument => {
    const { title, file: documentFile, mimeType } = (document ?? {}) as { title?: unknown; file?: unknown; mimeType?: unknown };
    if (typeof documentFile !== "string")
      throw new InvalidInputError(`documents[${index}].file`, "is required: the PDF's or text file's path, relative to the job file");
    let content: Buffer;
    try {
      content = readFileSync(path.resolve(baseDir, documentFile));
    } catch (error) {
      throw new InvalidInputError(
        `documents[${index}].file`,
        `cannot read ${documentFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    const type = mimeType ?? (path.extname(documentFile).toLowerCase() === ".txt" ? "text/plain" : undefined);
    return { title: title as string, content, ...(type === undefined ? {} : { mimeType: type as DocumentMimeType }) };
  });
  return job as unknown as Job;
}
