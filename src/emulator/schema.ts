import { readFileSync } from "node:fs";
import path from "node:path";
import { validateXML } from "xmllint-wasm";
import { badRequest } from "./rejection";

/** The package's API schema, read once: signering.xsd first, then what it includes. */
const SCHEMA_DIR = path.join(__dirname, "..", "..", "..", "schema");
const schemaFile = (fileName: string) => ({ fileName, contents: readFileSync(path.join(SCHEMA_DIR, fileName), "utf8") });
let schemaFiles: { root: ReturnType<typeof schemaFile>; includes: ReturnType<typeof schemaFile>[] } | undefined;

/**
 * Validates the job request and the manifest against the schema, as the service does before
 * anything else. libxml2 (compiled to WebAssembly) does the validating.
 */
export async function validateAgainstSchema(documents: { name: string; xml: string }[]): Promise<void> {
  schemaFiles ??= { root: schemaFile("signering.xsd"), includes: ["direct.xsd", "portal.xsd", "common.xsd"].map(schemaFile) };
  const result = await validateXML({
    xml: documents.map((document) => ({ fileName: document.name, contents: document.xml })),
    schema: [schemaFiles.root],
    preload: schemaFiles.includes,
  });
  if (!result.valid) {
    const details = result.errors.map((error) => error.rawMessage.trim()).join("; ");
    throw badRequest("SCHEMA_VALIDATION_ERROR", `XML is not valid against the schema: ${details}`);
  }
}
