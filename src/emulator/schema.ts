import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { maskNationalIdentityNumber } from "../core/identifiers";
import { badRequest, Rejection } from "./rejection";
import type { SchemaFile, SchemaWorkerData, ValidationOutcome, ValidationRequest } from "./schema-worker";

/**
 * Validates job requests and manifests against the package's API schema (`schema/signering.xsd`)
 * with libxml2, in up to two long-lived workers. Requests that arrive while the workers are busy
 * are validated together in the next run (instantiating xmllint costs more than validating a
 * request). xmllint's messages echo the documents' values, so a value with a line break in it
 * can print any line, "X validates" included: each document is therefore named, for one run
 * only, by 128 random bits that no document can know, and a document counts as valid only when
 * the whole run succeeded or its own name is reported valid and never in error.
 */

const SCHEMA_DIR = path.join(__dirname, "..", "..", "..", "schema");
const SCHEMA_FILES = ["signering.xsd", "direct.xsd", "portal.xsd", "common.xsd"];
/** A national identity number is 11 digits; any run this long in a message is shown masked. */
const IDENTITY_NUMBER_LIKE = /\d{10,}/g;
const MAX_BATCH = 64;

export interface XmlDocument {
  /** Named in error messages, e.g. `manifest.xml`. */
  name: string;
  xml: string;
}

interface Pending {
  documents: XmlDocument[];
  resolve(): void;
  reject(error: unknown): void;
}

/** The requests of one run, each with the names its documents have in that run. */
type Batch = { pending: Pending; names: string[] }[];

interface PooledWorker {
  worker: Worker;
  busy: boolean;
}

export class SchemaValidator {
  private readonly workers: PooledWorker[] = [];
  private readonly pending: Pending[] = [];
  private readonly inFlight = new Map<number, Batch>();
  private nextRunId = 0;
  private schemas: SchemaFile[] | undefined;

  constructor(private readonly maxWorkers = 2) {}

  /** Resolves when every document is valid; otherwise rejects with SCHEMA_VALIDATION_ERROR naming the documents and the problems. */
  validate(documents: XmlDocument[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ documents, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
    this.failAll(new Rejection(503, "SERVICE_UNAVAILABLE", "The emulator is shutting down"));
  }

  private dispatch(): void {
    while (this.pending.length > 0) {
      const idle = this.workers.find((candidate) => !candidate.busy) ?? this.startWorker();
      if (!idle) return;
      this.run(idle, this.pending.splice(0, MAX_BATCH));
    }
  }

  private run(pooled: PooledWorker, requests: Pending[]): void {
    const id = this.nextRunId++;
    pooled.busy = true;
    const batch = requests.map((pending) => ({
      pending,
      names: pending.documents.map((document) => `${randomBytes(16).toString("hex")}/${document.name}`),
    }));
    this.inFlight.set(id, batch);
    const documents = batch.flatMap(({ pending, names }) =>
      pending.documents.map((document, index) => ({ fileName: names[index] as string, contents: document.xml })),
    );
    pooled.worker.postMessage({ id, documents } satisfies ValidationRequest);
  }

  private startWorker(): PooledWorker | undefined {
    if (this.workers.length >= this.maxWorkers) return undefined;
    this.schemas ??= SCHEMA_FILES.map((fileName) => ({ fileName, contents: readFileSync(path.join(SCHEMA_DIR, fileName), "utf8") }));
    const worker = new Worker(path.join(__dirname, "schema-worker.js"), {
      workerData: { schemas: this.schemas } satisfies SchemaWorkerData,
    });
    const pooled: PooledWorker = { worker, busy: false };
    worker.on("message", (message: ValidationOutcome | { ready: true }) => {
      if (!("id" in message)) return;
      const batch = this.inFlight.get(message.id) ?? [];
      this.inFlight.delete(message.id);
      pooled.busy = false;
      settle(batch, message);
      this.dispatch();
    });
    worker.on("error", (error) => {
      this.workers.splice(this.workers.indexOf(pooled), 1);
      this.failAll(new Rejection(500, "SCHEMA_VALIDATOR_FAILED", `Schema validation failed: ${error.message}`));
    });
    worker.unref();
    this.workers.push(pooled);
    return pooled;
  }

  private failAll(error: Rejection): void {
    for (const batch of this.inFlight.values()) for (const { pending } of batch) pending.reject(error);
    this.inFlight.clear();
    for (const pending of this.pending.splice(0)) pending.reject(error);
  }
}

/**
 * xmllint exits with 0 only when every file validates; otherwise it writes `NAME validates` or
 * `NAME fails to validate` for each file, and `NAME:LINE: …` for each problem.
 */
function settle(batch: Batch, outcome: ValidationOutcome): void {
  const lines = outcome.stderr.split("\n");
  for (const { pending, names } of batch) {
    const problems: string[] = [];
    names.forEach((name, index) => {
      const messages = lines.filter((line) => line.startsWith(`${name}:`));
      if (
        outcome.exitCode === 0 ||
        (messages.length === 0 && lines.includes(`${name} validates`) && !lines.includes(`${name} fails to validate`))
      )
        return;
      const documentName = (pending.documents[index] as XmlDocument).name;
      const explained = messages.map((line) => documentName + line.slice(name.length));
      problems.push(
        ...(explained.length > 0 ? explained : [`${documentName}: ${outcome.exitCode === -1 ? outcome.stderr.trim() : "not valid"}`]),
      );
    });
    const masked = problems.map((problem) => problem.replace(IDENTITY_NUMBER_LIKE, maskNationalIdentityNumber));
    if (masked.length === 0) pending.resolve();
    else if (outcome.exitCode === -1) pending.reject(new Rejection(500, "SCHEMA_VALIDATOR_FAILED", masked.join("; ")));
    else pending.reject(badRequest("SCHEMA_VALIDATION_ERROR", `XML is not valid against the schema: ${masked.join("; ")}`));
  }
}
