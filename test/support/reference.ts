import path from "node:path";

/** Root of the repository (tests run from dist/test/…, so climb out of dist). */
export const repositoryRoot = path.resolve(__dirname, "..", "..", "..");

/** The shared reference data (official XSDs, examples, test PDFs, the XAdES test vector). */
export const referenceRoot = path.resolve(repositoryRoot, "..", "shared", "reference");

export const officialApi = path.join(referenceRoot, "posten-signering-api");
export const officialXsdDir = path.join(officialApi, "xsd");
export const officialExamplesDir = path.join(officialApi, "examples");
export const testDocumentsDir = path.join(referenceRoot, "test-documents");
export const xadesTestVectorDir = path.join(referenceRoot, "xades-test-vector");

/** Our own XSDs. */
export const schemaDir = path.join(repositoryRoot, "schema");
