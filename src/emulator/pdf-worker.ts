import { parentPort } from "node:worker_threads";
import { createPades, type PadesInput } from "./pades";
import { loadBoundedPdf, UnreadablePdfError } from "./pdf-structure";

/** A PDF worker's side: reads documents from outside and makes signed PDFs, one task at a time (see pdf-workers.ts). */

export type PdfTask = { kind: "inspect"; content: Uint8Array } | { kind: "pades"; input: PadesInput };

export interface PdfTaskRequest {
  id: number;
  task: PdfTask;
}

export type PdfTaskResult = { pages: number } | { pdf: Uint8Array } | { unreadable: string } | { failed: string };

export type PdfTaskOutcome = PdfTaskResult & { id: number };

async function perform(task: PdfTask): Promise<PdfTaskResult> {
  try {
    if (task.kind === "inspect") return { pages: (await loadBoundedPdf(task.content)).pages };
    return { pdf: await createPades(task.input) };
  } catch (error) {
    if (error instanceof UnreadablePdfError) return { unreadable: error.message };
    return { failed: error instanceof Error ? error.message : String(error) };
  }
}

/** The bytes alone in an ArrayBuffer of their own, so that handing them over moves no more than they are. */
function ownBuffer(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}

if (parentPort) {
  const port = parentPort;
  // pdf-lib prints a line for each damaged object it skips: a visitor's document, not the emulator's output.
  for (const method of ["log", "info", "warn", "error", "debug"] as const) console[method] = () => undefined;
  port.on("message", ({ id, task }: PdfTaskRequest) => {
    void perform(task).then((result) => {
      if ("pdf" in result) {
        const pdf = ownBuffer(result.pdf);
        port.postMessage({ id, pdf } satisfies PdfTaskOutcome, [pdf.buffer as ArrayBuffer]);
      } else {
        port.postMessage({ id, ...result } satisfies PdfTaskOutcome);
      }
    });
  });
}
