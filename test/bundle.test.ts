import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import JSZip from "jszip";
import { createDocumentBundle, documentFileName, safeFileNamePart } from "../src/core/bundle";
import { packageDirectJob } from "../src/core/job-bundle";
import { loadCredentials } from "../src/core/keys";
import { TestCertificateAuthority } from "../src/emulator/pki";
import { verifyWithXmlsec } from "./support/xmlsec";

const ca = TestCertificateAuthority.create(`Evil & <Co> "Quotes" 'x' æøå 🙂`);
const issued = ca.issueEnterpriseCertificate({ organizationNumber: "123456785" });
const credentials = loadCredentials({ certificatePem: issued.chainPem, privateKeyPem: issued.keyPem });
const workDir = mkdtempSync(path.join(tmpdir(), "bundle-test-"));
after(() => rmSync(workDir, { recursive: true, force: true }));

const pdf = (text: string) => Buffer.from(`%PDF-1.7\n% ${text}\n%%EOF\n`, "utf8");
const manifestXml = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><manifest>&amp; æøå</manifest>`;

interface Unpacked {
  dir: string;
  names: string[];
}

/** Unzips with jszip (as the emulator reads bundles) and puts signatures.xml beside the files. */
async function unpack(zip: Buffer, label: string): Promise<Unpacked> {
  const dir = mkdtempSync(path.join(workDir, `${label}-`));
  const archive = await JSZip.loadAsync(zip);
  const names = Object.keys(archive.files);
  for (const name of names) {
    const target = name === "META-INF/signatures.xml" ? "signatures.xml" : name;
    writeFileSync(path.join(dir, target), await archive.file(name)!.async("nodebuffer"));
  }
  return { dir, names };
}

async function bundleOf(titles: string[], label: string): Promise<Unpacked & { zip: Buffer; size: number }> {
  const bundle = createDocumentBundle({
    documents: titles.map((title, index) => ({
      fileName: documentFileName(index, title),
      content: pdf(title),
      mimeType: "application/pdf",
    })),
    manifestXml,
    credentials,
  });
  const zip = await bundle.toBuffer();
  zipPath = path.join(workDir, `${label}.asice`);
  writeFileSync(zipPath, zip);
  return { ...(await unpack(zip, label)), zip, size: bundle.size };
}
let zipPath = "";

describe("document bundle (ASiC-E) verified by xmlsec1", () => {
  const cases: [string, string[]][] = [
    ["one document", ["Contract"]],
    ["three documents with hostile titles", ["Avtale æøå ÆØÅ", `Tom & Jerry <"quoted"> 'single'`, "Emoji 🙂✍️ signature"]],
    ["twenty documents with long titles", Array.from({ length: 20 }, (_, i) => `${"Long title ".repeat(7)}${i}`.slice(0, 80))],
  ];

  for (const [label, titles] of cases) {
    it(`${label}: layout, size and a signature xmlsec1 accepts against the CA`, async () => {
      const { dir, names, zip, size } = await bundleOf(titles, label.replace(/\W+/g, "-"));
      assert.equal(zip.length, size, "size is known before streaming");
      assert.deepEqual(names, [...titles.map((title, i) => documentFileName(i, title)), "manifest.xml", "META-INF/signatures.xml"]);
      assert.equal(spawnSync("unzip", ["-tq", zipPath]).status, 0, "unzip -t accepts the archive");
      const caFile = path.join(workDir, "ca.pem");
      writeFileSync(caFile, ca.certificatePem);
      const result = verifyWithXmlsec(path.join(dir, "signatures.xml"), caFile);
      assert.ok(result.ok, result.output);
      const signatures = readFileSync(path.join(dir, "signatures.xml"), "utf8");
      assert.equal((signatures.match(/<X509Certificate>/g) ?? []).length, 2, "leaf and CA in KeyInfo");
      assert.match(
        signatures,
        /<ns2:X509IssuerName>CN=Evil &amp; \\&lt;Co\\&gt; \\"Quotes\\" 'x' æøå 🙂,O=Emulator,C=NO<\/ns2:X509IssuerName>/,
      );
    });
  }

  it("fails verification when a document, the manifest or the signing time is tampered with", async () => {
    const { dir, names } = await bundleOf(["Contract", "Appendix"], "tamper");
    const signatureFile = path.join(dir, "signatures.xml");
    assert.ok(verifyWithXmlsec(signatureFile).ok);

    const tamper = (file: string, change: (content: Buffer) => Buffer) => {
      const original = readFileSync(file);
      writeFileSync(file, change(Buffer.from(original)));
      const result = verifyWithXmlsec(signatureFile);
      writeFileSync(file, original);
      return result;
    };
    const flipLastByte = (content: Buffer) => {
      content.writeUInt8(content.readUInt8(content.length - 1) ^ 1, content.length - 1);
      return content;
    };
    assert.equal(tamper(path.join(dir, names[1] as string), flipLastByte).ok, false, "tampered document");
    assert.equal(tamper(path.join(dir, "manifest.xml"), flipLastByte).ok, false, "tampered manifest");
    const laterTime = (content: Buffer) =>
      Buffer.from(
        content.toString("utf8").replace(/(<SigningTime>\d{4})/, (_, year) => `${year.slice(0, -1)}9`),
        "utf8",
      );
    assert.equal(tamper(signatureFile, laterTime).ok, false, "tampered signing time");
    assert.ok(verifyWithXmlsec(signatureFile).ok, "the untouched files still verify");
  });

  it("streams without copying documents: the stream yields the document buffers themselves", async () => {
    const document = pdf("x".repeat(1000));
    const bundle = createDocumentBundle({
      documents: [{ fileName: "0000_a.pdf", content: document, mimeType: "application/pdf" }],
      manifestXml,
      credentials,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of bundle.stream()) chunks.push(chunk as Buffer);
    assert.ok(
      chunks.some((chunk) => chunk.buffer === document.buffer),
      "document passed through by reference",
    );
    assert.equal(Buffer.concat(chunks).length, bundle.size);
  });
});

describe("text documents in the bundle", () => {
  it("are named .txt and typed text/plain in the manifest and the signature, which xmlsec1 accepts", async () => {
    const terms = Buffer.from("Vilkår\r\nLinje 2\n", "utf8");
    const job = {
      title: "Avtale",
      documents: [
        { title: "Contract", content: pdf("contract") },
        { title: "Terms", content: terms, mimeType: "text/plain" as const },
      ],
      signers: [{ personalIdentificationNumber: "01019010046" }],
      exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no", error: "https://example.com/err" },
    };
    const packaged = packageDirectJob(job, { organizationNumber: "123456785" }, credentials);
    assert.match(
      packaged.manifestXml,
      /<document href="0000_contract.pdf" mime="application\/pdf">.*<document href="0001_terms.txt" mime="text\/plain">/,
    );
    const { dir, names } = await unpack(await packaged.bundle.toBuffer(), "text");
    assert.deepEqual(names, ["0000_contract.pdf", "0001_terms.txt", "manifest.xml", "META-INF/signatures.xml"]);
    assert.deepEqual(readFileSync(path.join(dir, "0001_terms.txt")), terms);
    const signatures = readFileSync(path.join(dir, "signatures.xml"), "utf8");
    assert.match(signatures, /<DataObjectFormat ObjectReference="#ID_1"><MimeType>text\/plain<\/MimeType><\/DataObjectFormat>/);
    assert.match(signatures, /<Reference Id="ID_1" URI="0001_terms.txt">/);
    const caFile = path.join(workDir, "ca.pem");
    writeFileSync(caFile, ca.certificatePem);
    const verified = verifyWithXmlsec(path.join(dir, "signatures.xml"), caFile);
    assert.ok(verified.ok, verified.output);
  });
});

describe("document file names (the Java client's rules)", () => {
  const expectations: [string, string][] = [
    ["Title", "title"],
    ["ÆØÅ", "aeoeaa"],
    ["æøå", "aeoeaa"],
    ["Hei   på \t  Deg", "hei_paa_deg"],
    [`:;&%$*?+=@,()[]{}#!"“”^\`´<>`, "_"],
    ["àáëêÈÉüÜïñÑ", "aaeeeeuuinn"],
    ["Morse ...---...", "morse_...---..."],
  ];
  for (const [title, expected] of expectations) {
    it(`${JSON.stringify(title)} → ${expected}`, () => assert.equal(safeFileNamePart(title), expected));
  }

  it("maps other characters per UTF-16 unit into the safe alphabet, so the name is URL-safe", () => {
    const name = safeFileNamePart("Smile 🙂 ß");
    assert.match(name, /^[-.0-9_a-z]+$/);
    assert.equal(name.length, "smile_".length + 2 + 1 + 1);
    assert.equal(encodeURIComponent(name), name);
  });

  it("prefixes the zero-padded index and stays within the schema's 100-character href", () => {
    assert.equal(documentFileName(0, "Document title"), "0000_document_title.pdf");
    assert.ok(documentFileName(19, "x".repeat(80)).length <= 100);
  });

  it("refuses an empty title", () => assert.throws(() => safeFileNamePart("")));
});
