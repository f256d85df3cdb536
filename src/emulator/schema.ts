import { readFileSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { badRequest, Rejection } from "./rejection";
import type { SchemaFile, SchemaWorkerData, ValidationOutcome, ValidationRequest } from "./schema-worker";

/**
 * Validates job requests and manifests against the package's API schema (`schema/signering.xsd`)
 * with libxml2, in up to two long-lived workers. Requests that arrive while the workers are busy
 * are validated together in the next run, their messages told apart by file name.
 */

const SCHEMA_DIR = path.join(__dirname, "..", "..", "..", "schema");
const SCHEMA_FILES = ["signering.xsd", "direct.xsd", "portal.xsd", "common.xsd"];
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

interface PooledWorker {
  worker: Worker;
  busy: boolean;
}

export class SchemaValidator {
  private readonly workers: PooledWorker[] = [];
  private readonly pending: Pending[] = [];
  private readonly inFlight = new Map<number, Pending[]>();
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

  private run(pooled: PooledWorker, batch: Pending[]): void {
    const id = this.nextRunId++;
    pooled.busy = true;
    this.inFlight.set(id, batch);
    const documents = batch.flatMap((pending, index) => pending.documents.map((document) => ({ fileName: fileNameOf(index, document.name), contents: document.xml })));
    pooled.worker.postMessage({ id, documents } satisfies ValidationRequest);
  }

  private startWorker(): PooledWorker | undefined {
    if (this.workers.length >= this.maxWorkers) return undefined;
    this.schemas ??= SCHEMA_FILES.map((fileName) => ({ fileName, contents: readFileSync(path.join(SCHEMA_DIR, fileName), "utf8") }));
    const worker = new Worker(path.join(__dirname, "schema-worker.js"), { workerData: { schemas: this.schemas } satisfies SchemaWorkerData });
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
    for (const batch of this.inFlight.values()) for (const pending of batch) pending.reject(error);
    this.inFlight.clear();
    for (const pending of this.pending.splice(0)) pending.reject(error);
  }
}

const fileNameOf = (batchIndex: number, name: string) => `${batchIndex}/${name}`;

/** xmllint writes `NAME validates` for each valid file, and `NAME:LINE: …` lines for each problem. */
function settle(batch: Pending[], outcome: ValidationOutcome): void {
  const lines = outcome.stderr.split("\n");
  batch.forEach((pending, index) => {
    const problems: string[] = [];
    for (const document of pending.documents) {
      const fileName = fileNameOf(index, document.name);
      if (lines.includes(`${fileName} validates`)) continue;
      const messages = lines.filter((line) => line.startsWith(`${fileName}:`)).map((line) => line.slice(`${index}/`.length));
      problems.push(...(messages.length > 0 ? messages : [`${document.name}: ${outcome.exitCode === -1 ? outcome.stderr.trim() : "not valid"}`]));
    }
    if (problems.length === 0) pending.resolve();
    else if (outcome.exitCode === -1) pending.reject(new Rejection(500, "SCHEMA_VALIDATOR_FAILED", problems.join("; ")));
    else pending.reject(badRequest("SCHEMA_VALIDATION_ERROR", `XML is not valid against the schema: ${problems.join("; ")}`));
  });
}
