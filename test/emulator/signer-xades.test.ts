import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { loadCredentials } from "../../src/core/keys";
import { TestCertificateAuthority } from "../../src/emulator/pki";
import { createSignerXades } from "../../src/emulator/signer-xades";
import { verifyBundleSignature } from "../../src/emulator/verify-bundle";
import { samplePdf } from "../support/jobs";
import { verifyWithXmlsec } from "../support/xmlsec";

const ca = TestCertificateAuthority.create();
const server = ca.issueServerCertificate();
const seal = loadCredentials({ certificatePem: server.chainPem, privateKeyPem: server.keyPem });
const documents = [
  { href: "0000_avtale_&_vilkaar.pdf", mimeType: "application/pdf", content: samplePdf("one") },
  { href: "0001_vedlegg.pdf", mimeType: "application/pdf", content: samplePdf("two") },
];
const signedAt = new Date(Date.now() - 3_600_000); // within the certificates' validity
const xadesOf = (signerIndex: number, signerLabel: string) => createSignerXades({ signerIndex, signerLabel, signedAt, documents, seal });

const dir = mkdtempSync(path.join(tmpdir(), "signer-xades-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the signer's XAdES the emulator hands out", () => {
  it("verifies with xmlsec1 against the emulator's CA, over the documents as they are", () => {
    for (const document of documents) writeFileSync(path.join(dir, document.href), document.content);
    const file = path.join(dir, "xades.xml");
    writeFileSync(file, xadesOf(2, "Signer 010190***** <Ærlig & Redelig>"));
    const caFile = path.join(dir, "ca.pem");
    writeFileSync(caFile, ca.certificatePem);
    const checked = verifyWithXmlsec(file, caFile);
    assert.ok(checked.ok, checked.output);
    writeFileSync(path.join(dir, documents[1]!.href), samplePdf("changed"));
    assert.equal(verifyWithXmlsec(file, caFile).ok, false, "a changed document no longer verifies");
  });

  it("verifies with the emulator's own verifier, naming the signer and the signing time", () => {
    const xades = xadesOf(1, "Signer 010190*****");
    assert.match(xades, /<xades:ClaimedRole>Signer 010190\*\*\*\*\*<\/xades:ClaimedRole>/);
    const entries = new Map<string, Buffer>([
      ...documents.map((document) => [document.href, document.content] as [string, Buffer]),
      ["META-INF/signatures.xml", Buffer.from(xades)],
    ]);
    const verified = verifyBundleSignature(entries, { trustedCertificates: [seal.chain[1]!], now: signedAt, signingTimeToleranceMs: 0 });
    assert.equal(verified.signingTime.toISOString(), signedAt.toISOString());
    assert.equal(verified.organizationNumber, "984661185");
  });

  it("differs per signer", () => {
    assert.notEqual(xadesOf(1, "a"), xadesOf(2, "a"));
    assert.match(xadesOf(3, "a"), /Id="Signature-3"/);
  });
});
