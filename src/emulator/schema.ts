import { readFileSync } from "node:fs";
import path from "node:path";
import { validateXML } from "xmllint-wasm";
import { badRequest } from "./rejection";

/**
 * Validates job requests and manifests against the package's API schema with libxml2 (compiled
 * to WebAssembly). Each xmllint-wasm call starts a worker, which costs far more than validating,
 * so at most two calls run at once (one per core) and requests arriving meanwhile are validated
 * together in the next call, their errors told apart by file name.
 */

const SCHEMA_DIR = path.join(__dirname, "..", "..", "..", "schema");
const MAX_BATCH = 64;
const MAX_CALLS_IN_FLIGHT = 2;

interface SchemaFile {
  fileName: string;
  contents: string;
}

interface Pending {
  documents: { name: string; xml: string }[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

let schema: { root: SchemaFile; includes: SchemaFile[] } | undefined;
let queue: Pending[] = [];
let callsInFlight = 0;

export function validateAgainstSchema(documents: { name: string; xml: string }[]): Promise<void> {
  return new Promise((resolve, reject) => {
    queue.push({ documents, resolve, reject });
    flush();
  });
}

function flush(): void {
  if (callsInFlight >= MAX_CALLS_IN_FLIGHT || queue.length === 0) return;
  const batch = queue.slice(0, MAX_BATCH);
  queue = queue.slice(MAX_BATCH);
  callsInFlight += 1;
  void validateBatch(batch).finally(() => {
    callsInFlight -= 1;
    flush();
  });
}

async function validateBatch(batch: Pending[]): Promise<void> {
  const read = (fileName: string) => ({ fileName, contents: readFileSync(path.join(SCHEMA_DIR, fileName), "utf8") });
  schema ??= { root: read("signering.xsd"), includes: ["direct.xsd", "portal.xsd", "common.xsd"].map(read) };
  const fileName = (index: number, name: string) => `${index}/${name}`;
  try {
    const result = await validateXML({
      xml: batch.flatMap((pending, index) => pending.documents.map((document) => ({ fileName: fileName(index, document.name), contents: document.xml }))),
      schema: [schema.root],
      preload: schema.includes,
    });
    batch.forEach((pending, index) => {
      const errors = result.errors.filter((error) => error.loc?.fileName?.startsWith(`${index}/`) || error.rawMessage.startsWith(`${index}/`));
      if (errors.length === 0) return pending.resolve();
      const details = errors.map((error) => error.rawMessage.replace(`${index}/`, "").trim()).join("; ");
      pending.reject(badRequest("SCHEMA_VALIDATION_ERROR", `XML is not valid against the schema: ${details}`));
    });
  } catch (error) {
    for (const pending of batch) pending.reject(error);
  }
}
