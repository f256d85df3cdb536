import path from "node:path";

/** Root of the repository (tests run from dist/test/…, so climb out of dist). */
export const repositoryRoot = path.resolve(__dirname, "..", "..", "..");

/** Fixtures copied into the repository (official XSDs, examples, test PDFs, the XAdES test vector, real-CA certificates). */
export const referenceRoot = path.join(repositoryRoot, "test", "fixtures");

export const officialApi = path.join(referenceRoot, "posten-signering-api");
export const officialXsdDir = path.join(officialApi, "xsd");
export const officialExamplesDir = path.join(officialApi, "examples");
export const testDocumentsDir = path.join(referenceRoot, "test-documents");
export const xadesTestVectorDir = path.join(referenceRoot, "xades-test-vector");
export const realCertificatesDir = path.join(referenceRoot, "real-certificates");

/** Our own XSDs. */
export const schemaDir = path.join(repositoryRoot, "schema");
