import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { type JobDocument, loadCredentials, type SenderCredentials, type SigneringClient } from "../../src/core";
import { validateDirectJob } from "../../src/core/validation";
import { PDF_LIMITS } from "../../src/emulator/pdf-structure";
import { type ChildEmulator, peakResidentBytes, startChildEmulator, whileAsking } from "../support/child-emulator";
import { clientFor, controlRequest, rawApiRequest } from "../support/emulator";
import { countLiePdf, cyclicPageTreePdf, deeplyNestedPdf, objectStreamBombPdf, sharedKidsPdf } from "../support/hostile-pdfs";
import { expectError, ORG, packagedDirectJob, sendJobRequest } from "../support/job-requests";
import { directJob } from "../support/jobs";

/**
 * Documents built to make a reader's work explode (issue 14, points 1 and 6), sent as the client
 * sends jobs: its own document checks pass them. The emulator runs in a child process, since
 * before the fix the page-tree bomb stalled it for good; each document must be refused (or
 * typeset) promptly while the control API keeps answering. Before the fix it stopped answering
 * for good; the bound below is the other attack tests', and leaves room for a machine shared with
 * other work (on an idle one the slowest answers are under 100 ms: see `npm run bench`).
 */

let emulator: ChildEmulator;
let client: SigneringClient;
let credentials: SenderCredentials;

before(async () => {
  emulator = await startChildEmulator("emulator-hostile-");
  credentials = loadCredentials({ pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword });
  client = clientFor(emulator, { timeouts: { connect: 5000, response: 60_000, download: 60_000 } });
  // The first job starts the schema and PDF workers; the times measured below are of the documents alone.
  await client.direct.createJob(directJob());
});
after(async () => {
  await client?.close();
  await emulator?.stop();
});

function assertResponsive(t: TestContext, what: string, { slowestMs, tookMs }: { slowestMs: number; tookMs: number }): void {
  t.diagnostic(`${what}: answered in ${Math.round(tookMs)} ms; slowest control API answer meanwhile ${Math.round(slowestMs)} ms`);
  assert.ok(slowestMs < 2000, `the control API took ${Math.round(slowestMs)} ms to answer`);
}

/**
 * Sends a one-document job, packaged and signed by the client after its own checks passed it
 * (before the clock starts: only the emulator's work is timed), and returns the refusal's message.
 */
async function refusal(t: TestContext, what: string, document: Omit<JobDocument, "title">): Promise<string> {
  const job = directJob({ documents: [{ title: "Hostile", ...document }] });
  validateDirectJob(job);
  const { requestXml, zip } = await packagedDirectJob(credentials, job);
  const timing = await whileAsking(emulator, () => sendJobRequest(emulator, requestXml, zip));
  assertResponsive(t, what, timing);
  return expectError(timing.result, 400, "INVALID_DOCUMENT");
}

describe("PDFs whose structure makes a reader's work explode", () => {
  it("refuses a page tree that lists one child twice on each of 34 levels (17 billion pages from 3.8 kB)", async (t) => {
    const bomb = sharedKidsPdf(34);
    assert.ok(bomb.length < 4096, `${bomb.length} bytes`);
    const message = await refusal(t, "shared kids, depth 34", { content: bomb });
    assert.match(message, /"0000_hostile\.pdf" is not a readable PDF: its page tree reaches object 3 0 R more than once/);
  });

  it("refuses a page tree with a cycle", async (t) => {
    const message = await refusal(t, "cyclic page tree", { content: cyclicPageTreePdf() });
    assert.match(message, /its page tree reaches object 2 0 R more than once \(a shared or cyclic page tree\)/);
  });

  it("refuses a page count that lies", async (t) => {
    const message = await refusal(t, "/Count 2147483647 over one page", { content: countLiePdf() });
    assert.match(message, /its page tree's \/Count is 2147483647, but it has 1 pages/);
  });

  it("refuses an array nested 100,000 deep", async (t) => {
    const message = await refusal(t, "array nested 100,000 deep", { content: deeplyNestedPdf(100_000) });
    assert.match(message, /not a readable PDF/);
  });

  it("refuses an object stream that inflates to 1 GB, without inflating more than the budget", async (t) => {
    const bomb = objectStreamBombPdf(1024 * 1024 * 1024);
    assert.ok(bomb.length < 1.1 * 1024 * 1024, `${bomb.length} bytes`);
    const message = await refusal(t, "object stream of 1 GB", { content: bomb });
    assert.match(
      message,
      new RegExp(`object and cross-reference streams inflate to more than ${PDF_LIMITS.decodedStreamBytes / (1024 * 1024)} MB`),
    );
    const peak = peakResidentBytes(emulator.child);
    t.diagnostic(`peak resident memory so far ${Math.round(peak / (1024 * 1024))} MB`);
    assert.ok(peak < 512 * 1024 * 1024, `the emulator's peak resident memory was ${Math.round(peak / (1024 * 1024))} MB`);
  });

  it("still takes a good job afterwards", async () => {
    const created = await client.direct.createJob(directJob());
    assert.match(created.jobId, /^\d+$/);
  });

  it("makes no signed PDF from a stored document that stalls a reader, and keeps answering", async (t) => {
    // A document stored by an emulator from before these checks: PAdES reads it within the same bounds.
    const created = await client.direct.createJob(directJob());
    writeFileSync(path.join(emulator.dataDir, "documents", created.jobId, "0.pdf"), sharedKidsPdf(34));
    assert.equal((await controlRequest(emulator, "POST", `/jobs/${created.jobId}/signers/1/sign`)).status, 200);
    const timing = await whileAsking(emulator, () =>
      rawApiRequest(emulator, "GET", `/${ORG}/direct/signature-jobs/${created.jobId}/pades`),
    );
    assertResponsive(t, "PAdES of a stored page-tree bomb", timing);
    assert.equal(timing.result.status, 500);
    assert.match(timing.result.text, /PADES_FAILED/);
    assert.match(timing.result.text, /page tree reaches object 3 0 R more than once/);
  });
});

describe("a text document of one 10 MB line", () => {
  const line = (megabytes: number) => Buffer.alloc(megabytes * 1024 * 1024, "x");

  it("is refused for its pages at once, counted without typesetting (wrapping was quadratic: 700 kB took 11 s)", async (t) => {
    const message = await refusal(t, "10 MB single-line text", { content: line(10), mimeType: "text/plain" });
    assert.match(message, /would take more than 500 pages/);
  });

  it("is typeset, as the longest line that fits, into the signed PDF while the emulator keeps answering", async (t) => {
    const created = await client.direct.createJob(
      directJob({ documents: [{ title: "Long line", content: line(2), mimeType: "text/plain" }] }),
    );
    assert.equal((await controlRequest(emulator, "POST", `/jobs/${created.jobId}/signers/1/sign`)).status, 200);
    const timing = await whileAsking(emulator, () =>
      rawApiRequest(emulator, "GET", `/${ORG}/direct/signature-jobs/${created.jobId}/pades`),
    );
    assertResponsive(t, "PAdES of a 2 MB single-line text (411 pages)", timing);
    assert.equal(timing.result.status, 200);
  });
});
