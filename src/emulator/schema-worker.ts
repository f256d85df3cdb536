import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";

/**
 * A long-lived worker that runs xmllint (libxml2 compiled to WebAssembly, from xmllint-wasm)
 * once per batch of documents. xmllint-wasm's own `validateXML` starts a worker and compiles the
 * 780 kB module on every call (about 70 ms); here the module is compiled once and only
 * instantiated per run (about 5 ms with the schema parse). It drives the package's Emscripten
 * module factory with the standard Emscripten options (`arguments`, `print`, `printErr`,
 * `onExit`, `instantiateWasm`) plus xmllint-wasm's `inputFiles`, the same way its own worker does.
 */

export interface SchemaFile {
  fileName: string;
  contents: string;
}

export interface ValidationRequest {
  id: number;
  /** Files to validate, named so that xmllint's messages can be told apart. */
  documents: SchemaFile[];
}

export interface ValidationOutcome {
  id: number;
  exitCode: number;
  stderr: string;
}

export interface SchemaWorkerData {
  /** The root schema first, then the schemas it includes. */
  schemas: SchemaFile[];
}

interface EmscriptenOptions {
  inputFiles: SchemaFile[];
  arguments: string[];
  print(text: string): void;
  printErr(text: string): void;
  onExit(code: number): void;
  onAbort(reason: unknown): void;
  instantiateWasm(
    imports: WebAssembly.Imports,
    done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  ): WebAssembly.Exports;
}

type ModuleFactory = (options: EmscriptenOptions) => Promise<unknown>;

async function serve(port: NonNullable<typeof parentPort>, { schemas }: SchemaWorkerData): Promise<void> {
  const packageDir = path.dirname(require.resolve("xmllint-wasm"));
  const loaded = (await import(pathToFileURL(path.join(packageDir, "xmllint-node.js")).href)) as { default: ModuleFactory };
  const createXmllint = loaded.default;
  const compiled = new WebAssembly.Module(readFileSync(path.join(packageDir, "xmllint.wasm")));
  const rootSchema = (schemas[0] as SchemaFile).fileName;

  port.on("message", (request: ValidationRequest) => {
    if (typeof request?.id !== "number") return; // xmllint-wasm's own listener shares this port
    let stderr = "";
    let answered = false;
    const answer = (exitCode: number) => {
      if (answered) return;
      answered = true;
      port.postMessage({ id: request.id, exitCode, stderr } satisfies ValidationOutcome);
    };
    createXmllint({
      inputFiles: [...request.documents, ...schemas],
      arguments: ["--noout", "--nonet", "--schema", rootSchema, ...request.documents.map((document) => document.fileName)],
      print: () => undefined,
      printErr: (text) => {
        stderr += `${text}\n`;
      },
      onExit: answer,
      onAbort: (reason) => {
        stderr += `xmllint aborted: ${String(reason)}\n`;
        answer(-1);
      },
      instantiateWasm: (imports, done) => {
        const instance = new WebAssembly.Instance(compiled, imports);
        done(instance, compiled);
        return instance.exports;
      },
    }).catch((error: unknown) => {
      stderr += `xmllint failed: ${String(error)}\n`;
      answer(-1);
    });
  });
  port.postMessage({ ready: true });
}

if (parentPort) void serve(parentPort, workerData as SchemaWorkerData);
