import path from "node:path";
import { Worker } from "node:worker_threads";
import type { PadesInput } from "./pades";
import type { PdfTask, PdfTaskOutcome, PdfTaskRequest, PdfTaskResult } from "./pdf-worker";
import { Rejection } from "./rejection";

/**
 * Every PDF the emulator reads comes from outside, and pdf-lib runs on whatever thread calls it:
 * so reading a job's documents and making its signed PDF happen in up to two long-lived workers,
 * never on the thread that answers requests. Besides the structural bounds the worker applies
 * (pdf-structure.ts), each task has a deadline and each worker a heap limit; a worker past
 * either is ended (and replaced when next needed) and its task refused, so no document can stall
 * or kill the emulator, or a Node-RED that runs it in-process.
 */

/** Reading a 10 MB document takes well under a second. */
export const INSPECTION_DEADLINE_MS = 10_000;
/** Twenty 10 MB documents copied, typeset and sealed. */
const PADES_DEADLINE_MS = 120_000;
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 32 };

export type PdfVerdict = { readable: true; pages: number } | { readable: false; reason: string };

interface Pending {
  task: PdfTask;
  transfer: ArrayBuffer[];
  deadlineMs: number;
  resolve(result: PdfTaskResult): void;
  reject(error: unknown): void;
}

interface PooledWorker {
  worker: Worker;
  running?: { id: number; pending: Pending; timer: NodeJS.Timeout };
}

/** A task ended for passing its deadline or its worker's heap limit, or because its worker died. */
export class PdfWorkLimitError extends Error {}

export class PdfWorkers {
  private readonly workers: PooledWorker[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;

  constructor(private readonly maxWorkers = 2) {}

  /** Whether the document is a PDF the emulator can read, and its pages. */
  async inspect(content: Uint8Array): Promise<PdfVerdict> {
    const copy = new Uint8Array(content); // only the document, not the request body it may be a view of
    try {
      const result = await this.run({ kind: "inspect", content: copy }, [copy.buffer], INSPECTION_DEADLINE_MS);
      if ("pages" in result) return { readable: true, pages: result.pages };
      if ("unreadable" in result) return { readable: false, reason: result.unreadable };
      return { readable: false, reason: "failed" in result ? result.failed : "it cannot be read" };
    } catch (error) {
      if (error instanceof PdfWorkLimitError) return { readable: false, reason: error.message };
      throw error;
    }
  }

  async createPades(input: PadesInput): Promise<Uint8Array> {
    const documents = input.documents.map((document) => ({ ...document, content: new Uint8Array(document.content) }));
    const result = await this.run(
      { kind: "pades", input: { ...input, documents } },
      documents.map((document) => document.content.buffer),
      PADES_DEADLINE_MS,
    );
    if ("pdf" in result) return result.pdf;
    throw new Error(
      "unreadable" in result ? `a document is not a readable PDF: ${result.unreadable}` : (result as { failed: string }).failed,
    );
  }

  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    for (const pooled of workers) if (pooled.running) clearTimeout(pooled.running.timer);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
    const closing = new Rejection(503, "SERVICE_UNAVAILABLE", "The emulator is shutting down");
    for (const { running } of workers) running?.pending.reject(closing);
    for (const pending of this.queue.splice(0)) pending.reject(closing);
  }

  private run(task: PdfTask, transfer: ArrayBuffer[], deadlineMs: number): Promise<PdfTaskResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ task, transfer, deadlineMs, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const idle = this.workers.find((candidate) => !candidate.running) ?? this.startWorker();
      if (!idle) return;
      const pending = this.queue.shift() as Pending;
      const id = this.nextId++;
      // The deadline counts from when a worker takes the task, not from when it was queued.
      const timer = setTimeout(
        () => this.retire(idle, new PdfWorkLimitError(`it could not be read within ${pending.deadlineMs / 1000} s`)),
        pending.deadlineMs,
      );
      idle.running = { id, pending, timer };
      idle.worker.postMessage({ id, task: pending.task } satisfies PdfTaskRequest, pending.transfer);
    }
  }

  private startWorker(): PooledWorker | undefined {
    if (this.workers.length >= this.maxWorkers) return undefined;
    // The worker silences pdf-lib's console itself: piped stdio would hold a referenced port and keep
    // the process (a Node-RED with the built-in emulator) from exiting.
    const worker = new Worker(path.join(__dirname, "pdf-worker.js"), { resourceLimits: RESOURCE_LIMITS });
    const pooled: PooledWorker = { worker };
    worker.on("message", ({ id, ...result }: PdfTaskOutcome) => {
      const running = pooled.running;
      if (running?.id !== id) return;
      clearTimeout(running.timer);
      pooled.running = undefined;
      running.pending.resolve(result);
      this.dispatch();
    });
    worker.on("error", (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === "ERR_WORKER_OUT_OF_MEMORY"
          ? `reading it needs more than ${RESOURCE_LIMITS.maxOldGenerationSizeMb} MB`
          : `the PDF worker failed: ${error.message}`;
      this.retire(pooled, new PdfWorkLimitError(reason));
    });
    worker.on("exit", () => this.retire(pooled, new PdfWorkLimitError("the PDF worker stopped")));
    worker.unref();
    this.workers.push(pooled);
    return pooled;
  }

  /** Ends a worker (once), refuses its task and lets the queue go on with a new worker. */
  private retire(pooled: PooledWorker, error: PdfWorkLimitError): void {
    const index = this.workers.indexOf(pooled);
    if (index === -1) return;
    this.workers.splice(index, 1);
    void pooled.worker.terminate();
    if (pooled.running) {
      clearTimeout(pooled.running.timer);
      pooled.running.pending.reject(error);
      pooled.running = undefined;
    }
    this.dispatch();
  }
}
