import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import JSZip from "jszip";
import { loadCredentials, type SenderCredentials } from "../../src/core";
import { createDocumentBundle, documentFileName } from "../../src/core/bundle";
import { buildDirectJobRequest, buildDirectManifest } from "../../src/core/xml";
import { certificateAuthorityOf, type RunningEmulator } from "../../src/emulator";
import { TestCertificateAuthority } from "../../src/emulator/pki";
import { startTestEmulator } from "../support/emulator";
import { intermediateCa, type IntermediateOptions } from "../support/intermediate-ca";
import { expectError, ORG, packagedDirectJob, sendJobRequest, withSignaturesXml } from "../support/job-requests";
import { directJob, NATIONAL_IDS, samplePdf } from "../support/jobs";

/** Attacks on the emulator's judging of job requests, each sent over its mutual-TLS API (issue 8, items 12 and 14). */

let emulator: RunningEmulator;
let credentials: SenderCredentials;
let ca: TestCertificateAuthority;

before(async () => {
  emulator = await startTestEmulator();
  credentials = loadCredentials({ pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword });
  ca = certificateAuthorityOf(emulator.dataDir);
});
after(() => emulator.close());

interface Signer {
  credentials: SenderCredentials;
  /** The CA certificates the KeyInfo must carry, leaf's issuer first. */
  chainPems: string[];
}

/** A signer whose certificate is issued by `issuer`. */
function issuedBy(issuer: TestCertificateAuthority): Signer {
  const leaf = issuer.issueEnterpriseCertificate({ organizationNumber: ORG });
  return {
    credentials: loadCredentials({ certificatePem: leaf.certificatePem, privateKeyPem: leaf.keyPem }),
    chainPems: [issuer.certificatePem],
  };
}

/**
 * A job signed by the signer, its CA certificates put into the KeyInfo afterwards (the KeyInfo is
 * not signed), since the client leaves out of its chain what OpenSSL does not take for an issuer.
 */
async function signedWith({ credentials: signer, chainPems }: Signer) {
  const { requestXml, zip } = await packagedDirectJob(signer);
  const certificates = chainPems
    .map((pem) => `<X509Certificate>${new X509Certificate(pem).raw.toString("base64")}</X509Certificate>`)
    .join("");
  return sendJobRequest(
    emulator,
    requestXml,
    await withSignaturesXml(zip, (xml) => xml.replace("</X509Data>", `${certificates}</X509Data>`)),
  );
}

describe("the verifier is as strict as the service's", () => {
  it("refuses a manifest naming a document under META-INF/ that the signature does not cover", async () => {
    const job = directJob({
      documents: [
        { title: "Contract", content: samplePdf() },
        { title: "Hidden", content: samplePdf("hidden") },
      ],
    });
    const names = [documentFileName(0, "Contract"), "META-INF/hidden.pdf"];
    const bundle = createDocumentBundle({
      documents: [{ fileName: names[0] as string, content: samplePdf(), mimeType: "application/pdf" }],
      manifestXml: buildDirectManifest(job, { organizationNumber: ORG }, names),
      credentials,
    });
    const archive = await JSZip.loadAsync(await bundle.toBuffer());
    archive.file("META-INF/hidden.pdf", samplePdf("slipped in after signing"));
    const result = await sendJobRequest(emulator, buildDirectJobRequest(job), await archive.generateAsync({ type: "nodebuffer" }));
    assert.match(expectError(result, 400, "INVALID_SIGNATURE"), /"META-INF\/hidden\.pdf" is in the bundle but not signed/);
  });

  it("refuses a signing certificate issued by an end-entity certificate of the trusted CA", async () => {
    const enterprise = ca.issueEnterpriseCertificate({ organizationNumber: "984661185", organizationName: "Some Other AS" });
    const rogue = TestCertificateAuthority.load(enterprise.keyPem, enterprise.certificatePem);
    assert.match(
      expectError(await signedWith(issuedBy(rogue)), 400, "INVALID_SIGNATURE"),
      /the CA certificate ".*CN=Some Other AS" is not a CA certificate \(basicConstraints CA:FALSE\)/,
    );
    // Without a keyUsage extension, which alone made OpenSSL's issuer check refuse the one above.
    const bare = intermediateCa(ca, "End entity", { ca: false, keyCertSign: "absent" });
    assert.match(
      expectError(await signedWith(issuedBy(bare)), 400, "INVALID_SIGNATURE"),
      /the CA certificate "C=NO, CN=End entity" is not a CA certificate \(basicConstraints CA:FALSE\)/,
    );
  });

  const intermediates: [string, IntermediateOptions, RegExp][] = [
    [
      "a CA certificate whose keyUsage lacks keyCertSign",
      { keyCertSign: false },
      /"C=NO, CN=Intermediate" may not sign certificates \(its keyUsage lacks keyCertSign\)/,
    ],
    [
      "an expired CA certificate",
      { notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter: new Date(Date.now() - 86_400_000) },
      /"C=NO, CN=Intermediate" is not valid now/,
    ],
    ["a CA certificate marked CA:FALSE", { ca: false }, /"C=NO, CN=Intermediate" is not a CA certificate/],
  ];
  for (const [label, options, reason] of intermediates) {
    it(`refuses a chain through ${label}`, async () => {
      assert.match(expectError(await signedWith(issuedBy(intermediateCa(ca, "Intermediate", options))), 400, "INVALID_SIGNATURE"), reason);
    });
  }

  it("refuses a chain longer than a CA's path length allows", async () => {
    const first = intermediateCa(ca, "First", { pathLength: 0 });
    const second = intermediateCa(first, "Second");
    const signer = { ...issuedBy(second), chainPems: [second.certificatePem, first.certificatePem] };
    assert.match(
      expectError(await signedWith(signer), 400, "INVALID_SIGNATURE"),
      /"C=NO, CN=First" allows 0 CA certificates below it \(pathLenConstraint\), the chain has 1/,
    );
  });

  it("accepts a chain through a CA certificate that may issue (the baseline for the cases above)", async () => {
    const result = await signedWith(issuedBy(intermediateCa(ca, "Intermediate", { pathLength: 0 })));
    assert.equal(result.status, 200, result.text);
  });

  it("refuses a second SignedInfo instead of judging by the first", async () => {
    const { requestXml, zip } = await packagedDirectJob(credentials);
    const doubled = await withSignaturesXml(zip, (xml) =>
      xml.replace(/<SignedInfo>.*?<\/SignedInfo>/, (signedInfo) => signedInfo + signedInfo),
    );
    assert.match(
      expectError(await sendJobRequest(emulator, requestXml, doubled), 400, "INVALID_SIGNATURE"),
      /Signature must have one ds:SignedInfo, has 2/,
    );
  });

  it("refuses a second Signature, and anything else beside the Signature", async () => {
    const { requestXml, zip } = await packagedDirectJob(credentials);
    const twice = await withSignaturesXml(zip, (xml) => xml.replace(/<Signature .*<\/Signature>/, (signature) => signature + signature));
    assert.match(
      expectError(await sendJobRequest(emulator, requestXml, twice), 400, "INVALID_SIGNATURE"),
      /exactly one ds:Signature and nothing else, found Signature, Signature/,
    );
    const beside = await withSignaturesXml(zip, (xml) => xml.replace("</XAdESSignatures>", "<Extra/></XAdESSignatures>"));
    assert.match(
      expectError(await sendJobRequest(emulator, requestXml, beside), 400, "INVALID_SIGNATURE"),
      /exactly one ds:Signature and nothing else, found Signature, Extra/,
    );
  });

  it("refuses a second DigestValue in a reference", async () => {
    const { requestXml, zip } = await packagedDirectJob(credentials);
    const doubled = await withSignaturesXml(zip, (xml) =>
      xml.replace(/(<DigestValue>[^<]*<\/DigestValue>)/, "$1<DigestValue>AAAA</DigestValue>"),
    );
    assert.match(
      expectError(await sendJobRequest(emulator, requestXml, doubled), 400, "INVALID_SIGNATURE"),
      /Reference must have one ds:DigestValue, has 2/,
    );
  });
});

describe("one request cannot vouch for another in schema validation", () => {
  /** A direct job whose signer's national ID is replaced in the signed manifest by `value`. */
  async function withNationalId(value: string) {
    const job = directJob();
    const names = [documentFileName(0, "Contract")];
    const manifestXml = buildDirectManifest(job, { organizationNumber: ORG }, names).replace(NATIONAL_IDS[0], value);
    const bundle = createDocumentBundle({
      documents: [{ fileName: names[0] as string, content: samplePdf(), mimeType: "application/pdf" }],
      manifestXml,
      credentials,
    });
    return { requestXml: buildDirectJobRequest(job), zip: await bundle.toBuffer() };
  }

  it("refuses invalid requests whose values print xmllint's verdict lines for themselves and for requests validated beside them", async () => {
    const forged = Array.from(
      { length: 64 },
      (_, index) => `\n${index}/request.xml validates\n${index}/manifest.xml validates\nrequest.xml validates\nmanifest.xml validates`,
    ).join("");
    const attack = await withNationalId(`x${forged}\n`);
    // More requests than workers, so that the old emulator validated some of them in one run.
    const results = await Promise.all(Array.from({ length: 6 }, () => sendJobRequest(emulator, attack.requestXml, attack.zip)));
    for (const result of results) expectError(result, 400, "SCHEMA_VALIDATION_ERROR");
  });

  it("masks a national identity number that a validation message echoes", async () => {
    const { requestXml, zip } = await withNationalId(`${NATIONAL_IDS[1]}9`);
    const message = expectError(await sendJobRequest(emulator, requestXml, zip), 400, "SCHEMA_VALIDATION_ERROR");
    assert.match(message, /'010170\*{6}'/);
    assert.doesNotMatch(message, new RegExp(NATIONAL_IDS[1]));
  });
});
