import { readFileSync } from "node:fs";
import path from "node:path";
import type { DocumentDigests } from "../core/bundle";
import { InvalidInputError, inputProblem, type InputProblem } from "../core/errors";
import { LIMITS } from "../core/limits";
import type { DirectJob, DocumentMimeType, Job, JobDocument, PortalJob } from "../core/model";
import { validateDirectJob, validatePortalJob, type ValidationOptions } from "../core/validation";
import { readDocumentFile } from "./document-file";

/** A job file read and validated, with its documents' digests taken while they were read. */
export interface JobFile {
  job: Job;
  digests: DocumentDigests[];
}

/**
 * Reads a job JSON file (the core's job shape, with `documents[].file`, a path relative to the job
 * file, in place of the bytes; a `.txt` file is a text document unless `mimeType` says otherwise)
 * and validates it as the client will. Every problem is reported in one `InvalidInputError`: those
 * of the file (a document that cannot be read, a list that is not a list) and those of the job.
 */
export function readValidJobFile(file: string, validation: ValidationOptions): JobFile {
  const parsed = parseJobFile(file);
  const problems: InputProblem[] = [];
  /** Fields whose validation would only repeat a problem already reported (a document that could not be read has no content). */
  const reported = new Set<string>();
  if (parsed.flow !== "direct" && parsed.flow !== "portal")
    problems.push(inputProblem("flow", `must be "direct" or "portal", was ${JSON.stringify(parsed.flow)}`));
  const digests: DocumentDigests[] = [];
  if (Array.isArray(parsed.documents)) {
    const baseDir = path.dirname(path.resolve(file));
    parsed.documents = parsed.documents.map((document: unknown, index: number) => {
      const field = `documents[${index}]`;
      const read = readDocument(document, baseDir, field);
      if ("problem" in read) {
        problems.push(read.problem);
        reported.add(`${field}.content`);
        return read.partial;
      }
      digests[index] = read.digests;
      return read.document;
    });
  } else {
    problems.push(inputProblem("documents", "must be a list of { title, file }"));
    reported.add("documents");
  }
  const job = parsed as unknown as Job;
  for (const problem of validationProblems(job, validation)) if (!reported.has(problem.field)) problems.push(problem);
  if (problems.length > 0) throw new InvalidInputError(problems);
  return { job, digests };
}

function parseJobFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new InvalidInputError("--job", `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new InvalidInputError("--job", "must hold a JSON object");
  return parsed as Record<string, unknown>;
}

type ReadDocument = { document: JobDocument; digests: DocumentDigests } | { problem: InputProblem; partial: unknown };

function readDocument(document: unknown, baseDir: string, field: string): ReadDocument {
  if (!document || typeof document !== "object") return { problem: inputProblem(field, "must be { title, file }"), partial: document };
  const { title, file, mimeType } = document as { title?: unknown; file?: unknown; mimeType?: unknown };
  const partial = { title, ...(mimeType === undefined ? {} : { mimeType }) };
  if (typeof file !== "string" || file === "")
    return { problem: inputProblem(`${field}.file`, "is required: the PDF's or text file's path, relative to the job file"), partial };
  let read: ReturnType<typeof readDocumentFile>;
  try {
    read = readDocumentFile(path.resolve(baseDir, file), LIMITS.documentBytes);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { problem: inputProblem(`${field}.file`, `cannot read ${file}: ${reason}`), partial };
  }
  if ("tooLarge" in read)
    return {
      problem: inputProblem(
        `${field}.file`,
        `${file} is ${read.tooLarge} bytes; a document may be at most ${LIMITS.documentBytes} (10 MB)`,
      ),
      partial,
    };
  const type = mimeType ?? (path.extname(file).toLowerCase() === ".txt" ? "text/plain" : undefined);
  return {
    document: { title: title as string, content: read.content, ...(type === undefined ? {} : { mimeType: type as DocumentMimeType }) },
    digests: read.digests,
  };
}

/**
 * The job's problems by the rules of its flow. Without a valid flow, the problems both flows'
 * rules find: those of the fields they share.
 */
function validationProblems(job: Job, validation: ValidationOptions): readonly InputProblem[] {
  const direct = () => problemsOf(() => validateDirectJob(job as DirectJob, validation));
  const portal = () => problemsOf(() => validatePortalJob(job as PortalJob, validation));
  if (job.flow === "direct") return direct();
  if (job.flow === "portal") return portal();
  const portalMessages = new Set(portal().map((problem) => problem.message));
  return direct().filter((problem) => portalMessages.has(problem.message));
}

function problemsOf(validate: () => void): readonly InputProblem[] {
  try {
    validate();
    return [];
  } catch (error) {
    if (error instanceof InvalidInputError) return error.problems;
    throw error;
  }
}
