import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { describe, it } from "node:test";
import { request } from "undici";
import { loadCredentials } from "../../src/core";
import { createDocumentBundle } from "../../src/core/bundle";
import type { DirectJob } from "../../src/core/model";
import { buildDirectJobRequest, buildDirectManifest, parseDirectJobResponse } from "../../src/core/xml";
import { emulatorForFile } from "../support/emulator";
import { directJob, samplePdf } from "../support/jobs";
import { expectError, ORG, sendJobRequest } from "../support/job-requests";

const LONG_LINE = Array.from({ length: 60 }, (_, index) => `ord${index}`).join(" ");
const TEXT = [
  "Leieavtale for hytta på Røros",
  "",
  "Blåbærsyltetøy, ÆØÅ og 20 €.\tTabulert.",
  LONG_LINE,
  "Smilefjes 🙂 og 中 kan ikke skrives.",
  ...Array.from({ length: 80 }, (_, index) => `Linje ${index + 1}`),
].join("\r\n");

const running = emulatorForFile();

/** Packages a direct job as a sender does, with the given file names and, if asked, a manifest edited after writing. */
async function sendDirectJob(
  job: DirectJob,
  fileNames: string[],
  editManifest = (xml: string) => xml,
): Promise<Awaited<ReturnType<typeof sendJobRequest>>> {
  const { emulator } = running;
  const credentials = loadCredentials({ pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword });
  const manifestXml = editManifest(buildDirectManifest(job, { organizationNumber: ORG }, fileNames));
  const bundle = createDocumentBundle({
    documents: job.documents.map((document, index) => ({
      fileName: fileNames[index]!,
      content: document.content,
      mimeType: document.mimeType ?? "application/pdf",
    })),
    manifestXml,
    credentials,
  });
  return sendJobRequest(emulator, buildDirectJobRequest(job), await bundle.toBuffer());
}

/** A direct job with a PDF and a text document (file names and media types as the official clients give them). */
function sendPdfAndText(text: Buffer): ReturnType<typeof sendDirectJob> {
  const documents = [
    { title: "Kontrakt", content: samplePdf("kontrakt") },
    { title: "Vilkår", content: text, mimeType: "text/plain" as "application/pdf" },
  ];
  return sendDirectJob(directJob({ documents }), ["0000_kontrakt.pdf", "0001_vilkaar.txt"]);
}

describe("reading the job request", () => {
  it("reads text as XML defines it: character references decoded, CDATA and comments as in the document", async () => {
    const created = await sendDirectJob(directJob({ title: "Kontrakt" }), ["0000_kontrakt.pdf"], (xml) => {
      const edited = xml.replace(
        "<title>Kontrakt</title>",
        "<title>Kontrakt for &#230;&#248;&#229;<!-- a note --> <![CDATA[& co]]></title>",
      );
      assert.notEqual(edited, xml);
      return edited;
    });
    assert.equal(created.status, 200, created.text);
    const page = await request(parseDirectJobResponse(created.text).signers[0]!.redirectUrl);
    assert.match(await page.body.text(), /<h1>Kontrakt for æøå &#38; co<\/h1>/);
  });
});

describe("text/plain documents", () => {
  it("are accepted beside a PDF, shown to the signer as UTF-8 text, and typeset into the sealed PAdES", async () => {
    const { emulator, client } = running;
    const created = await sendPdfAndText(Buffer.from(TEXT, "utf8"));
    assert.equal(created.status, 200, created.text);
    const job = parseDirectJobResponse(created.text);

    const page = await request(job.signers[0]!.redirectUrl);
    const html = await page.body.text();
    const textLink = /href="([^"]+\/documents\/1)"/.exec(html)?.[1];
    assert.ok(textLink, html);
    const shown = await request(new URL(textLink, job.signers[0]!.redirectUrl));
    assert.equal(shown.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(shown.headers["x-content-type-options"], "nosniff");
    assert.equal(await shown.body.text(), TEXT);

    emulator.control.sign(Number(job.jobId), 1);
    const pades = await buffer(await client.downloadPades(`${emulator.apiRoot}/${ORG}/direct/signature-jobs/${job.jobId}/pades`));
    const dir = mkdtempSync(path.join(tmpdir(), "text-pades-"));
    try {
      const file = path.join(dir, "signed.pdf");
      writeFileSync(file, pades);
      const checked = spawnSync("pdfsig", [file], { encoding: "utf8" });
      assert.match(checked.stdout, /Signature Validation: Signature is Valid\./, checked.stdout + checked.stderr);
      const pages = Number(/Pages:\s+(\d+)/.exec(spawnSync("pdfinfo", [file], { encoding: "utf8" }).stdout)?.[1]);
      assert.equal(pages, 1 + 1 + 2, "front page, the PDF's page, and the text on two pages");
      const printed = spawnSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" }).stdout;
      assert.match(printed, /Leieavtale for hytta på Røros/);
      assert.match(printed, /Blåbærsyltetøy, ÆØÅ og 20 €\. {4}Tabulert\./, "Norwegian letters and the euro sign are kept; a tab is spaces");
      assert.match(printed, /Smilefjes \? og \? kan ikke skrives\./, "what the font cannot encode becomes ?");
      const wrapped = printed.split("\n").filter((line) => /ord\d/.test(line));
      assert.ok(wrapped.length >= 2, "the long line is wrapped");
      assert.ok(
        wrapped.every((line) => line.trim().length <= 81),
        wrapped.join("\n"),
      );
      assert.match(printed, /Linje 80/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("are refused when they are not UTF-8", async () => {
    const refused = await sendPdfAndText(Buffer.from([0x41, 0xe6, 0x42]));
    assert.match(expectError(refused, 400, "INVALID_DOCUMENT"), /"0001_vilkaar\.txt" is declared text\/plain but is not UTF-8 text/);
  });

  it("are refused when they would take more than 500 pages (56 lines a page), before anything is typeset", async () => {
    assert.equal((await sendPdfAndText(Buffer.from("\n".repeat(500 * 56 - 1)))).status, 200, "500 pages of empty lines");
    const refused = await sendPdfAndText(Buffer.from("\n".repeat(500 * 56)));
    assert.match(expectError(refused, 400, "INVALID_DOCUMENT"), /"0001_vilkaar\.txt" would take more than 500 pages in the signed PDF/);
  });
});
