import { readFileSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { maskNationalIdentityNumber } from "../core/identifiers";
import { badRequest, Rejection } from "./rejection";
import type { SchemaFile, SchemaWorkerData, ValidationOutcome, ValidationRequest } from "./schema-worker";

/**
 * Validates job requests and manifests against the package's API schema (`schema/signering.xsd`)
 * with libxml2, in up to two long-lived workers. Each call gets a run of xmllint of its own, and
 * the verdict is xmllint's exit status: its messages only explain a refusal. (Messages are text
 * that echoes the documents' values, so a value with a line break in it could print any verdict
 * line; one request never shares a run with, or vouches for, another.)
 */

const SCHEMA_DIR = path.join(__dirname, "..", "..", "..", "schema");
const SCHEMA_FILES = ["signering.xsd", "direct.xsd", "portal.xsd", "common.xsd"];
/** A national identity number is 11 digits; any run this long in a message is shown masked. */
const IDENTITY_NUMBER_LIKE = /\d{10,}/g;

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

interface PooledWorker {
  worker: Worker;
  busy: boolean;
}

export class SchemaValidator {
  private readonly workers: PooledWorker[] = [];
  private readonly pending: Pending[] = [];
  private readonly inFlight = new Map<number, Pending>();
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
      this.run(idle, this.pending.shift() as Pending);
    }
  }

  private run(pooled: PooledWorker, pending: Pending): void {
    const id = this.nextRunId++;
    pooled.busy = true;
    this.inFlight.set(id, pending);
    const documents = pending.documents.map((document) => ({ fileName: document.name, contents: document.xml }));
    pooled.worker.postMessage({ id, documents } satisfies ValidationRequest);
  }

  private startWorker(): PooledWorker | undefined {
    if (this.workers.length >= this.maxWorkers) return undefined;
    this.schemas ??= SCHEMA_FILES.map((fileName) => ({ fileName, contents: readFileSync(path.join(SCHEMA_DIR, fileName), "utf8") }));
    const worker = new Worker(path.join(__dirname, "schema-worker.js"), { workerData: { schemas: this.schemas } satisfies SchemaWorkerData });
    const pooled: PooledWorker = { worker, busy: false };
    worker.on("message", (message: ValidationOutcome | { ready: true }) => {
      if (!("id" in message)) return;
      const pending = this.inFlight.get(message.id);
      this.inFlight.delete(message.id);
      pooled.busy = false;
      if (pending) settle(pending, message);
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
    for (const pending of this.inFlight.values()) pending.reject(error);
    this.inFlight.clear();
    for (const pending of this.pending.splice(0)) pending.reject(error);
  }
}

/** xmllint exits with 0 only when every file validates; its `NAME:LINE: …` lines say why not. */
function settle(pending: Pending, outcome: ValidationOutcome): void {
  if (outcome.exitCode === 0) return pending.resolve();
  const lines = outcome.stderr.split("\n");
  const problems = pending.documents.flatMap((document) => lines.filter((line) => line.startsWith(`${document.name}:`)));
  const explained = (problems.length > 0 ? problems : [outcome.exitCode === -1 ? outcome.stderr.trim() : "not valid"]).map((problem) =>
    problem.replace(IDENTITY_NUMBER_LIKE, maskNationalIdentityNumber),
  );
  if (outcome.exitCode === -1) pending.reject(new Rejection(500, "SCHEMA_VALIDATOR_FAILED", explained.join("; ")));
  else pending.reject(badRequest("SCHEMA_VALIDATION_ERROR", `XML is not valid against the schema: ${explained.join("; ")}`));
}
