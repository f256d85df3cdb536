import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { describe, it } from "node:test";
import { request } from "undici";
import { loadCredentials } from "../../src/core";
import { MAX_REQUEST_XML_BYTES, parseJobRequest } from "../../src/emulator/multipart";
import { Rejection } from "../../src/emulator/rejection";
import { parseXmlTree } from "../../src/emulator/xml-tree";
import { emulatorForFile } from "../support/emulator";
import { placeholderLookalikePdf } from "../support/hostile-pdfs";
import { expectError, packagedDirectJob, sendJobRequest } from "../support/job-requests";
import { directJob } from "../support/jobs";

/**
 * The emulator's audit for issue 14: every structure it reads from outside (multipart bodies, XML,
 * the control API's JSON, documents that end up in the signed PDF) is read with work bounded by
 * its size, and nothing in it can reach into the emulator's own objects.
 */

const running = emulatorForFile();

function refusedMultipart(contentType: string, body: Buffer, message: RegExp): void {
  assert.throws(
    () => parseJobRequest(contentType, body),
    (error: unknown) => error instanceof Rejection && error.httpStatus === 400 && message.test(error.message),
  );
}

const xmlPart = "--b\r\nContent-Type: application/xml\r\n\r\n<a/>\r\n";
const bundlePart = "--b\r\nContent-Type: application/octet-stream\r\n\r\nPK\r\n";

describe("multipart bodies", () => {
  it("stop at a third part, however many follow (a million empty parts were each read and kept)", () => {
    const body = Buffer.concat([
      Buffer.from(xmlPart + bundlePart),
      Buffer.from("--b\r\n\r\n\r\n".repeat(1_000_000)),
      Buffer.from("--b--\r\n"),
    ]);
    refusedMultipart("multipart/mixed; boundary=b", body, /Expected two parts \(job XML and document bundle\), got 3 or more$/);
  });

  it("refuse part headers beyond 8 kB (megabytes of header lines were split and kept)", () => {
    const headerLines = "X-Padding: x\r\n".repeat(100_000);
    const body = Buffer.from(`--b\r\n${headerLines}Content-Type: application/xml\r\n\r\n<a/>\r\n${bundlePart}--b--\r\n`);
    refusedMultipart("multipart/mixed; boundary=b", body, /A multipart part's headers are longer than 8192 bytes/);
  });

  it("refuse a boundary longer than RFC 2046 allows, and a Content-Type longer than any real one", () => {
    const boundary = "b".repeat(71);
    refusedMultipart(`multipart/mixed; boundary=${boundary}`, Buffer.from(`--${boundary}--\r\n`), /boundary is longer than 70 characters/);
    refusedMultipart(`multipart/mixed; boundary=b; x=${"y".repeat(2000)}`, Buffer.from(xmlPart), /Expected Content-Type multipart\/mixed/);
  });

  it("refuse a job request XML over 1 MB before it reaches the schema validator", async () => {
    const { emulator } = running;
    const credentials = loadCredentials({ pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword });
    const { requestXml, zip } = await packagedDirectJob(credentials);
    const padded = requestXml.replace(/(<\?xml[^>]*\?>)?/, (declaration) => `${declaration}<!--${" ".repeat(MAX_REQUEST_XML_BYTES)}-->`);
    const message = expectError(await sendJobRequest(emulator, padded, zip), 400, "INVALID_REQUEST");
    assert.match(message, /The job request XML is larger than 1048576 bytes/);
  });
});

describe("XML", () => {
  it("knows only the five predefined entities, not the names of a JavaScript object's properties", () => {
    for (const name of ["constructor", "toString", "__proto__", "hasOwnProperty"])
      assert.throws(() => parseXmlTree(`<a>&${name};</a>`), new RegExp(`the entity &${name}; is not defined`));
    assert.equal((parseXmlTree("<a>&lt;&amp;&#x41;&#66;&quot;&apos;&gt;</a>").children[0] as { text: string }).text, `<&AB"'>`);
  });

  it("refuses a reference that does not end, and one with an ampersand inside", () => {
    assert.throws(() => parseXmlTree("<a>x &amp</a>"), /"&" must start a reference ending in ";"/);
    assert.throws(() => parseXmlTree("<a>&am&p;</a>"), /"&" must start a reference ending in ";"/);
  });
});

describe("the control API's JSON", () => {
  it("takes only a JSON object as a body (null made a 500)", async () => {
    for (const body of ["null", "[]", "42", '"text"']) {
      const response = await request(`${running.emulator.controlUrl}/clock`, {
        method: "POST",
        body,
        headers: { "content-type": "application/json" },
      });
      assert.equal(response.statusCode, 400, body);
      assert.deepEqual(await response.body.json(), { errorCode: "INVALID_INPUT", errorMessage: "The body must be a JSON object" });
    }
  });
});

describe("the signed PDF", () => {
  it("seals its own signature when a document carries the text of the signature's placeholders", async () => {
    const { emulator, client } = running;
    const created = await client.direct.createJob(directJob({ documents: [{ title: "Lookalike", content: placeholderLookalikePdf() }] }));
    emulator.control.sign(Number(created.jobId), 1);
    const pades = await buffer(await client.archive.getPades(created.jobId));
    const dir = mkdtempSync(path.join(tmpdir(), "pades-lookalike-"));
    try {
      writeFileSync(path.join(dir, "signed.pdf"), pades);
      const checked = spawnSync("pdfsig", [path.join(dir, "signed.pdf")], { encoding: "utf8" });
      assert.match(checked.stdout, /Signature Validation: Signature is Valid\./, checked.stdout + checked.stderr);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
