import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import JSZip from "jszip";
import { BrokerNotAuthorizedError, loadCredentials, type SenderCredentials, ServiceError, type SigneringClient } from "../../src/core";
import { createDocumentBundle, documentFileName } from "../../src/core/bundle";
import { packageDirectJob, packagePortalJob } from "../../src/core/job-bundle";
import type { DirectJob } from "../../src/core/model";
import { buildDirectJobRequest, buildDirectManifest } from "../../src/core/xml";
import { certificateAuthorityOf, type RunningEmulator } from "../../src/emulator";
import { TestCertificateAuthority } from "../../src/emulator/pki";
import { clientFor, rawApiRequest, startTestEmulator } from "../support/emulator";
import { expectError, ORG, packagedDirectJob, sendJobRequest, withSignaturesXml } from "../support/job-requests";
import { directJob, NATIONAL_IDS, portalJob, samplePdf } from "../support/jobs";

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

const sendDirect = (requestXml: string, zip: Buffer, organization = ORG, flow = "direct") =>
  sendJobRequest(emulator, requestXml, zip, organization, flow);
const packaged = (job: DirectJob = directJob(), signer: SenderCredentials = credentials) => packagedDirectJob(signer, job);

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
    const wrapped = signatures.replace(
      /<SignatureValue>([^<]+)<\/SignatureValue>/,
      (_, value: string) => `<SignatureValue>${value.match(/.{1,76}/g)!.join("&#13;\n")}</SignatureValue>`,
    );
    assert.notEqual(wrapped, signatures);
    archive.file("META-INF/signatures.xml", wrapped);
    const result = await sendDirect(requestXml, await archive.generateAsync({ type: "nodebuffer" }));
    assert.equal(result.status, 200, result.text);
  });

  it("a malformed multipart body", async () => {
    expectError(
      await rawApiRequest(emulator, "POST", `/${ORG}/direct/signature-jobs`, {
        contentType: "multipart/mixed; boundary=abc",
        content: "--abc\r\nContent-Type: application/xml\r\n\r\n<x/>",
      }),
      400,
      "INVALID_MULTIPART",
    );
    expectError(
      await rawApiRequest(emulator, "POST", `/${ORG}/direct/signature-jobs`, { contentType: "application/xml", content: "<x/>" }),
      400,
      "INVALID_MULTIPART",
    );
  });

  it("a bundle changed after signing", async () => {
    const { requestXml, zip } = await packaged();
    const archive = await JSZip.loadAsync(zip);
    archive.file("0000_contract.pdf", samplePdf("swapped after signing"));
    expectError(await sendDirect(requestXml, await archive.generateAsync({ type: "nodebuffer" })), 400, "INVALID_SIGNATURE");
  });

  it("a bundle signed with a certificate from a CA the service does not trust", async () => {
    const stranger = TestCertificateAuthority.create("Unknown CA").issueEnterpriseCertificate({ organizationNumber: ORG });
    const { requestXml, zip } = await packaged(
      directJob(),
      loadCredentials({ certificatePem: stranger.chainPem, privateKeyPem: stranger.keyPem }),
    );
    const result = await sendDirect(requestXml, zip);
    expectError(result, 400, "INVALID_SIGNATURE");
    assert.match(result.text, /not issued by a trusted CA/);
  });

  it("a bundle signed by another organization's certificate", async () => {
    const other = certificateAuthorityOf(emulator.dataDir).issueEnterpriseCertificate({ organizationNumber: "984661185" });
    const { requestXml, zip } = await packaged(
      directJob(),
      loadCredentials({ certificatePem: other.chainPem, privateKeyPem: other.keyPem }),
    );
    const result = await sendDirect(requestXml, zip);
    expectError(result, 403, "INVALID_SIGNATURE");
    assert.match(result.text, /signed by organization 984661185/);
  });

  it("a manifest that is not valid against the schema", async () => {
    const job = directJob();
    const manifestXml = buildDirectManifest(job, { organizationNumber: ORG }, [documentFileName(0, "Contract")]).replace(
      "<title>Employment contract</title>",
      `<title>${"x".repeat(81)}</title>`,
    );
    const bundle = createDocumentBundle({
      documents: [{ fileName: documentFileName(0, "Contract"), content: samplePdf(), mimeType: "application/pdf" }],
      manifestXml,
      credentials,
    });
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
    const documents = await packaged(
      directJob({ documents: Array.from({ length: 21 }, (_, i) => ({ title: `D${i}`, content: samplePdf(String(i)) })) }),
    );
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
    expectError(
      await rawApiRequest(emulator, "GET", `/${ORG}/direct/signature-jobs/99999/status?status_query_token=x`),
      404,
      "SIGNATURE_JOB_NOT_FOUND",
    );
    const created = await client.direct.createJob(directJob());
    expectError(
      await rawApiRequest(emulator, "POST", `/${ORG}/direct/signature-jobs/${created.jobId}/signers/7`, {
        contentType: "application/xml",
        content: "<x/>",
      }),
      404,
      "SIGNER_NOT_FOUND",
    );
    expectError(
      await rawApiRequest(emulator, "DELETE", `/${ORG}/direct/signature-jobs/${created.jobId}/documents`),
      409,
      "DOCUMENTS_NOT_DELETABLE",
    );
    expectError(await rawApiRequest(emulator, "GET", `/${ORG}/direct/signature-jobs/${created.jobId}/pades`), 404, "PADES_NOT_AVAILABLE");
    emulator.control.sign(Number(created.jobId), 1);
    expectError(
      await rawApiRequest(emulator, "POST", `/${ORG}/direct/signature-jobs/${created.jobId}/signers/1`, {
        contentType: "application/xml",
        content: "<x/>",
      }),
      409,
      "SIGNER_NOT_WAITING",
    );
    assert.throws(() => emulator.control.sign(Number(created.jobId), 1), /is COMPLETED_SUCCESSFULLY/);
  });

  it("an archive document id that is not validly percent-encoded: 400 naming it, not a server error", async () => {
    const result = await rawApiRequest(emulator, "GET", `/${ORG}/archive/documents/%E0%A4%A/pades`);
    assert.match(expectError(result, 400, "INVALID_INPUT"), /archive document id in the path is not validly percent-encoded/);
  });

  it("answers the connectivity check with the certificate's organization", async () => {
    const result = await rawApiRequest(emulator, "GET", `/${ORG}`);
    assert.equal(result.status, 200);
    assert.equal(result.text, `You are ${ORG}`);
  });
});

describe("the emulator's own signature verification refuses", () => {
  it("a SigningTime further than 5 seconds from the service's clock", async () => {
    const job = directJob();
    const pkg = packageDirectJob(job, { organizationNumber: ORG }, credentials, { signingTime: new Date(Date.now() - 60_000) });
    const message = expectError(await sendDirect(pkg.requestXml, await pkg.bundle.toBuffer()), 400, "INVALID_SIGNATURE");
    assert.match(message, /SigningTime .* is 60 s from the service's clock; allowed ±5 s/);
  });

  it("a second element with the signed Id (signature wrapping)", async () => {
    const { requestXml, zip } = await packaged();
    const wrapped = await withSignaturesXml(zip, (xml) =>
      xml.replace(
        "</Object>",
        `</Object><Object><QualifyingProperties xmlns="http://uri.etsi.org/01903/v1.3.2#"><SignedProperties Id="SignedProperties"/></QualifyingProperties></Object>`,
      ),
    );
    assert.match(
      expectError(await sendDirect(requestXml, wrapped), 400, "INVALID_SIGNATURE"),
      /more than one element has the Id "SignedProperties"/,
    );
  });

  it("an X509SerialNumber longer than any certificate's, signed by a trusted sender, before reading it as a number", async () => {
    // A sender whose signing code writes 200,000 digits: the serial the XAdES names is its own and signed.
    const certificate = new Proxy(credentials.certificate, {
      get: (target, property) => (property === "serialNumber" ? "f".repeat(166_000) : Reflect.get(target, property, target)),
    });
    const { requestXml, zip } = await packaged(directJob(), {
      ...credentials,
      privateKey: credentials.privateKey,
      tls: credentials.tls,
      certificate,
    });
    const message = expectError(await sendDirect(requestXml, zip), 400, "INVALID_SIGNATURE");
    assert.match(message, /X509SerialNumber has \d+ digits; a certificate's serial has at most 49/);
  });

  it("a signature document with a document type declaration", async () => {
    const { requestXml, zip } = await packaged();
    const result = await sendDirect(
      requestXml,
      await withSignaturesXml(zip, (xml) => xml.replace("?>", '?><!DOCTYPE XAdESSignatures [<!ENTITY x "y">]>')),
    );
    expectError(result, 400, "INVALID_SIGNATURE");
    assert.match(result.text, /not well-formed XML: line 1: document type declarations are not accepted/);
  });

  it("a transform on a file reference", async () => {
    const { requestXml, zip } = await packaged();
    const changed = await withSignaturesXml(zip, (xml) =>
      xml.replace(
        'URI="manifest.xml">',
        'URI="manifest.xml"><Transforms><Transform Algorithm="http://www.w3.org/2000/09/xmldsig#base64"/></Transforms>',
      ),
    );
    expectError(await sendDirect(requestXml, changed), 400, "INVALID_SIGNATURE");
  });

  it("a bundle without manifest, or that is no ZIP at all", async () => {
    const { requestXml, zip } = await packaged();
    const archive = await JSZip.loadAsync(zip);
    archive.remove("manifest.xml");
    const withoutManifest = await sendDirect(requestXml, await archive.generateAsync({ type: "nodebuffer" }));
    expectError(withoutManifest, 400, "INVALID_DOCUMENT_BUNDLE");
    assert.match(withoutManifest.text, /no manifest\.xml/);
    expectError(await sendDirect(requestXml, Buffer.from("PK but not really a zip")), 400, "INVALID_DOCUMENT_BUNDLE");
  });

  it("a named document that inflates beyond 10 MB, stopped while inflating", async () => {
    const { requestXml, zip } = await packaged(
      directJob({ documents: [{ title: "Contract", content: Buffer.concat([samplePdf(), Buffer.alloc(11 * 1024 * 1024)]) }] }),
    );
    const bomb = await (await JSZip.loadAsync(zip)).generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
    assert.ok(bomb.length < 100_000, "a small archive");
    assert.match(
      expectError(await sendDirect(requestXml, bomb), 400, "DOCUMENT_TOO_LARGE"),
      /"0000_contract\.pdf" is larger than 10485760 bytes \(10 MB\)/,
    );
  });

  it("a PDF header in front of something that is not a readable PDF", async () => {
    const broken = await packaged(directJob({ documents: [{ title: "Contract", content: Buffer.from("%PDF-1.7\nnot really a pdf") }] }));
    const result = await sendDirect(broken.requestXml, broken.zip);
    expectError(result, 400, "INVALID_DOCUMENT");
    assert.match(result.text, /not a readable PDF/);
  });
});

describe("the emulator's rules beyond the schema", () => {
  it("the same signer twice", async () => {
    const twice = await packaged(
      directJob({ signers: [{ personalIdentificationNumber: NATIONAL_IDS[0] }, { personalIdentificationNumber: NATIONAL_IDS[0] }] }),
    );
    expectError(await sendDirect(twice.requestXml, twice.zip), 400, "DUPLICATE_SIGNER");
  });

  it("a manifest whose sender is not the organization in the URL", async () => {
    const pkg = packageDirectJob(directJob(), { organizationNumber: "910000004" }, credentials);
    const result = await sendDirect(pkg.requestXml, await pkg.bundle.toBuffer());
    expectError(result, 400, "SENDER_MISMATCH");
  });

  it("a portal job sent to the direct endpoint", async () => {
    const pkg = packagePortalJob(portalJob(), { organizationNumber: ORG }, credentials);
    expectError(await sendDirect(pkg.requestXml, await pkg.bundle.toBuffer()), 400, "INVALID_REQUEST");
  });

  it("authenticated signatures and contact-register lookup from a private-sector organization", async () => {
    await assert.rejects(
      client.direct.createJob(
        directJob({ signers: [{ personalIdentificationNumber: NATIONAL_IDS[0], signatureType: "AUTHENTICATED_ELECTRONIC_SIGNATURE" }] }),
      ),
      (error: unknown) => error instanceof ServiceError && error.errorCode === "SIGNATURE_TYPE_NOT_ALLOWED" && error.httpStatus === 403,
    );
    await assert.rejects(
      client.portal.createJob(
        portalJob({ signers: [{ personalIdentificationNumber: NATIONAL_IDS[0], notificationsUsingLookup: { email: true } }] }),
      ),
      (error: unknown) => error instanceof ServiceError && error.errorCode === "CONTACT_INFORMATION_LOOKUP_NOT_ALLOWED",
    );
  });

  it("available-seconds above 90 days (which the client itself refuses to send)", async () => {
    const pkg = packagePortalJob(portalJob({ availability: { availableSeconds: 7_776_001 } }), { organizationNumber: ORG }, credentials);
    const message = expectError(await sendDirect(pkg.requestXml, await pkg.bundle.toBuffer(), ORG, "portal"), 400, "INVALID_AVAILABILITY");
    assert.match(message, /at most 7776000/);
  });
});

describe("a public-sector organization", () => {
  let publicEmulator: RunningEmulator;
  let publicClient: SigneringClient;
  before(async () => {
    publicEmulator = await startTestEmulator({ sectors: { [ORG]: "public" } });
    publicClient = clientFor(publicEmulator);
  });
  after(async () => {
    await publicClient.close();
    await publicEmulator.close();
  });

  it("may use contact-register lookup, and gets authenticated signatures by default", async () => {
    const created = await publicClient.portal.createJob(
      portalJob({
        pollingQueue: "lookup",
        signers: [{ personalIdentificationNumber: NATIONAL_IDS[0], notificationsUsingLookup: { email: true, sms: true } }],
      }),
    );
    const notified = publicEmulator.control.outbox().filter((notification) => notification.jobId === Number(created.jobId));
    assert.deepEqual(
      notified.map((notification) => notification.channel),
      ["email", "sms"],
    );
    assert.ok(
      notified.every((notification) => !notification.to.includes(NATIONAL_IDS[0])),
      "the national identity number is not written out",
    );
    const direct = await publicClient.direct.createJob(directJob());
    assert.equal(publicEmulator.control.jobSummary(Number(direct.jobId)).signers[0]?.signatureType, "AUTHENTICATED_ELECTRONIC_SIGNATURE");
  });

  it("cannot send several documents for an advanced signature", async () => {
    const documents = [1, 2].map((n) => ({ title: `Part ${n}`, content: samplePdf(String(n)) }));
    await assert.rejects(
      publicClient.direct.createJob(
        directJob({
          documents,
          signers: [{ personalIdentificationNumber: NATIONAL_IDS[0], signatureType: "ADVANCED_ELECTRONIC_SIGNATURE" }],
        }),
      ),
      (error: unknown) => error instanceof ServiceError && error.errorCode === "MULTIPLE_DOCUMENTS_NOT_SUPPORTED",
    );
    await publicClient.direct.createJob(directJob({ documents }));
  });
});

describe("who may call", () => {
  const SENDER = "910000004";
  let brokerEmulator: RunningEmulator;
  before(async () => {
    brokerEmulator = await startTestEmulator({ brokers: [{ broker: ORG, onBehalfOf: [SENDER] }] });
  });
  after(() => brokerEmulator.close());

  it("a broker acts for the organizations it is authorized for, signing with its own certificate", async () => {
    const greeting = await rawApiRequest(brokerEmulator, "GET", `/${SENDER}`);
    assert.equal(greeting.text, `You are ${ORG}, operating on behalf of ${SENDER}`);
    const broker = clientFor(brokerEmulator);
    try {
      const created = await broker.portal.createJob(portalJob({ sender: { organizationNumber: SENDER } }));
      assert.match(created.cancellationUrl, new RegExp(`/api/${SENDER}/portal/signature-jobs/\\d+/cancel$`));
      await assert.rejects(broker.direct.createJob(directJob({ sender: { organizationNumber: "910000012" } })), BrokerNotAuthorizedError);
    } finally {
      await broker.close();
    }
  });

  it("a certificate without an organization number is not authorized", async () => {
    const anonymous = certificateAuthorityOf(brokerEmulator.dataDir).issueEnterpriseCertificate({ withoutOrganizationNumber: true });
    const result = await rawApiRequest(brokerEmulator, "GET", `/${ORG}`, undefined, { key: anonymous.keyPem, cert: anonymous.chainPem });
    assert.equal(result.status, 403);
    assert.match(result.text, /<error-code>NOT_AUTHORIZED<\/error-code>/);
  });

  it("a client certificate from another CA does not get through the TLS handshake", async () => {
    const stranger = TestCertificateAuthority.create("Unknown CA").issueEnterpriseCertificate({ organizationNumber: ORG });
    await assert.rejects(rawApiRequest(brokerEmulator, "GET", `/${ORG}`, undefined, { key: stranger.keyPem, cert: stranger.chainPem }));
  });
});
