import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import JSZip from "jszip";
import { BrokerNotAuthorizedError, loadCredentials, type SenderCredentials, type SigneringClient } from "../../src/core";
import { createDocumentBundle, documentFileName } from "../../src/core/bundle";
import { jobRequestBody } from "../../src/core/http/multipart";
import { packageDirectJob } from "../../src/core/job-bundle";
import type { DirectJob } from "../../src/core/model";
import { buildDirectJobRequest, buildDirectManifest } from "../../src/core/xml";
import { certificateAuthorityOf, type RunningEmulator } from "../../src/emulator";
import { TestCertificateAuthority } from "../../src/emulator/pki";
import { clientFor, rawApiRequest, startTestEmulator } from "../support/emulator";
import { directJob, samplePdf } from "../support/jobs";

const ORG = "123456785";
let emulator: RunningEmulator;
let client: SigneringClient;
let credentials: SenderCredentials;

before(async () => {
  emulator = await startTestEmulator();
  client = clientFor(emulator);
  credentials = loadCredentials({ pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword });
});
after(async () => {
  await client.close();
  await emulator.close();
});

/** Sends a job request the way the client does, but from parts a test may have spoiled. */
async function sendDirect(requestXml: string, zip: Buffer, organization = ORG) {
  const body = jobRequestBody(requestXml, { size: zip.length, stream: () => Readable.from([zip]), toBuffer: async () => zip });
  const chunks: Buffer[] = [];
  for await (const chunk of body.stream()) chunks.push(chunk as Buffer);
  return rawApiRequest(emulator, "POST", `/${organization}/direct/signature-jobs`, { contentType: body.contentType, content: Buffer.concat(chunks) });
}

async function packaged(job: DirectJob = directJob(), signer: SenderCredentials = credentials) {
  const pkg = packageDirectJob(job, { organizationNumber: ORG }, signer);
  return { requestXml: pkg.requestXml, zip: await pkg.bundle.toBuffer() };
}

function expectError(result: { status: number; text: string }, status: number, code: string): void {
  assert.equal(result.status, status, result.text);
  assert.match(result.text, new RegExp(`<error-code>${code}</error-code>`));
  assert.match(result.text, /<error-type>CLIENT<\/error-type>/);
}

describe("the emulator rejects what the service rejects", () => {
  it("accepts a well-made job (the baseline for the cases below)", async () => {
    const { requestXml, zip } = await packaged();
    const result = await sendDirect(requestXml, zip);
    assert.equal(result.status, 200, result.text);
  });

  it("accepts the SignatureValue wrapped the Java client's way (&#13; and a newline every 76 characters)", async () => {
    const { requestXml, zip } = await packaged();
    const archive = await JSZip.loadAsync(zip);
    const signatures = await archive.file("META-INF/signatures.xml")!.async("string");
    const wrapped = signatures.replace(/<SignatureValue>([^<]+)<\/SignatureValue>/, (_, value: string) => `<SignatureValue>${value.match(/.{1,76}/g)!.join("&#13;\n")}</SignatureValue>`);
    assert.notEqual(wrapped, signatures);
    archive.file("META-INF/signatures.xml", wrapped);
    const result = await sendDirect(requestXml, await archive.generateAsync({ type: "nodebuffer" }));
    assert.equal(result.status, 200, result.text);
  });

  it("a malformed multipart body", async () => {
    expectError(await rawApiRequest(emulator, "POST", `/${ORG}/direct/signature-jobs`, { contentType: "multipart/mixed; boundary=abc", content: "--abc\r\nContent-Type: application/xml\r\n\r\n<x/>" }), 400, "INVALID_MULTIPART");
    expectError(await rawApiRequest(emulator, "POST", `/${ORG}/direct/signature-jobs`, { contentType: "application/xml", content: "<x/>" }), 400, "INVALID_MULTIPART");
  });

  it("a bundle changed after signing", async () => {
    const { requestXml, zip } = await packaged();
    const archive = await JSZip.loadAsync(zip);
    archive.file("0000_contract.pdf", samplePdf("swapped after signing"));
    expectError(await sendDirect(requestXml, await archive.generateAsync({ type: "nodebuffer" })), 400, "INVALID_SIGNATURE");
  });

  it("a bundle signed with a certificate from a CA the service does not trust", async () => {
    const stranger = TestCertificateAuthority.create("Unknown CA").issueEnterpriseCertificate({ organizationNumber: ORG });
    const { requestXml, zip } = await packaged(directJob(), loadCredentials({ certificatePem: stranger.chainPem, privateKeyPem: stranger.keyPem }));
    const result = await sendDirect(requestXml, zip);
    expectError(result, 400, "INVALID_SIGNATURE");
    assert.match(result.text, /not issued by a trusted CA/);
  });

  it("a bundle signed by another organization's certificate", async () => {
    const other = certificateAuthorityOf(emulator.dataDir).issueEnterpriseCertificate({ organizationNumber: "984661185" });
    const { requestXml, zip } = await packaged(directJob(), loadCredentials({ certificatePem: other.chainPem, privateKeyPem: other.keyPem }));
    const result = await sendDirect(requestXml, zip);
    expectError(result, 403, "INVALID_SIGNATURE");
    assert.match(result.text, /signed by organization 984661185/);
  });

  it("a manifest that is not valid against the schema", async () => {
    const job = directJob();
    const manifestXml = buildDirectManifest(job, { organizationNumber: ORG }, [documentFileName(0, "Contract")]).replace("<title>Employment contract</title>", `<title>${"x".repeat(81)}</title>`);
    const bundle = createDocumentBundle({ documents: [{ fileName: documentFileName(0, "Contract"), content: samplePdf(), mimeType: "application/pdf" }], manifestXml, credentials });
    const result = await sendDirect(buildDirectJobRequest(job), await bundle.toBuffer());
    expectError(result, 400, "SCHEMA_VALIDATION_ERROR");
  });

  it("documents that are not PDFs, and documents over 10 MB", async () => {
    const notPdf = await packaged(directJob({ documents: [{ title: "Contract", content: Buffer.from("plain text") }] }));
    expectError(await sendDirect(notPdf.requestXml, notPdf.zip), 400, "INVALID_DOCUMENT");
    const huge = Buffer.concat([samplePdf(), Buffer.alloc(10 * 1024 * 1024)]);
    const tooLarge = await packaged(directJob({ documents: [{ title: "Contract", content: huge }] }));
    expectError(await sendDirect(tooLarge.requestXml, tooLarge.zip), 400, "DOCUMENT_TOO_LARGE");
  });

  it("too many signers and too many documents", async () => {
    const signers = await packaged(directJob({ signers: Array.from({ length: 11 }, (_, i) => ({ customIdentifier: `s${i}` })) }));
    expectError(await sendDirect(signers.requestXml, signers.zip), 400, "SCHEMA_VALIDATION_ERROR");
    const documents = await packaged(directJob({ documents: Array.from({ length: 21 }, (_, i) => ({ title: `D${i}`, content: samplePdf(String(i)) })) }));
    expectError(await sendDirect(documents.requestXml, documents.zip), 400, "SCHEMA_VALIDATION_ERROR");
  });

  it("a bundle with a file the manifest does not name, even when signed", async () => {
    const job = directJob();
    const names = [documentFileName(0, "Contract"), documentFileName(1, "Extra")];
    const bundle = createDocumentBundle({
      documents: names.map((fileName) => ({ fileName, content: samplePdf(fileName), mimeType: "application/pdf" })),
      manifestXml: buildDirectManifest(job, { organizationNumber: ORG }, names.slice(0, 1)),
      credentials,
    });
    const result = await sendDirect(buildDirectJobRequest(job), await bundle.toBuffer());
    expectError(result, 400, "INVALID_DOCUMENT_BUNDLE");
  });

  it("a sender the certificate may not act for", async () => {
    await assert.rejects(client.direct.createJob(directJob({ sender: { organizationNumber: "984661185" } })), BrokerNotAuthorizedError);
  });

  it("unknown jobs and signers, and operations in the wrong state", async () => {
    expectError(await rawApiRequest(emulator, "GET", `/${ORG}/direct/signature-jobs/99999/status?status_query_token=x`), 404, "SIGNATURE_JOB_NOT_FOUND");
    const created = await client.direct.createJob(directJob());
    expectError(await rawApiRequest(emulator, "POST", `/${ORG}/direct/signature-jobs/${created.jobId}/signers/7`, { contentType: "application/xml", content: "<x/>" }), 404, "SIGNER_NOT_FOUND");
    expectError(await rawApiRequest(emulator, "DELETE", `/${ORG}/direct/signature-jobs/${created.jobId}/documents`), 409, "DOCUMENTS_NOT_DELETABLE");
    expectError(await rawApiRequest(emulator, "GET", `/${ORG}/direct/signature-jobs/${created.jobId}/pades`), 404, "PADES_NOT_AVAILABLE");
    emulator.control.sign(Number(created.jobId), 1);
    expectError(await rawApiRequest(emulator, "POST", `/${ORG}/direct/signature-jobs/${created.jobId}/signers/1`, { contentType: "application/xml", content: "<x/>" }), 409, "SIGNER_NOT_WAITING");
    assert.throws(() => emulator.control.sign(Number(created.jobId), 1), /is COMPLETED_SUCCESSFULLY/);
  });

  it("answers the connectivity check with the certificate's organization", async () => {
    const result = await rawApiRequest(emulator, "GET", `/${ORG}`);
    assert.equal(result.status, 200);
    assert.equal(result.text, `You are ${ORG}`);
  });
});
