import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { request } from "undici";
import {
  InvalidStatusQueryTokenError,
  JobNotCancellableError,
  type PortalJobStatus,
  type SigneringClient,
  SigningCeremonyNotCompletedError,
  TooEagerPollingError,
} from "../../src/core";
import type { RunningEmulator } from "../../src/emulator";
import { clientFor, controlRequest, startTestEmulator } from "../support/emulator";
import { directJob, NATIONAL_IDS, portalJob } from "../support/jobs";
import { testDocumentsDir } from "../support/reference";

const pdf = readFileSync(path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf"));
let emulator: RunningEmulator;
let client: SigneringClient;
const MINUTE = 60_000;

before(async () => {
  emulator = await startTestEmulator();
  client = clientFor(emulator);
});
after(async () => {
  await client.close();
  await emulator.close();
});

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Polls a queue until it is empty, moving the emulator's clock past each wait. */
async function nextPortalChange(queue?: string): Promise<PortalJobStatus | undefined> {
  emulator.control.advanceClock(10_000);
  const result = await client.portal.nextStatusChange(queue === undefined ? {} : { pollingQueue: queue });
  return result.status === "NO_CHANGES" ? undefined : result;
}

describe("direct flow through the emulator", () => {
  it("signs: redirect URL, status by token, XAdES and a sealed PAdES that pdfsig accepts, confirm", async () => {
    const created = await client.direct.createJob(directJob({ documents: [{ title: "Contract", content: pdf }] }));
    assert.match(created.signers[0]!.redirectUrl, new RegExp(`^${emulator.signerWebUrl}/redirect/[\\w-]+$`));
    await assert.rejects(client.direct.getStatus(created.statusUrl!, "anything"), SigningCeremonyNotCompletedError);

    const action = emulator.control.sign(Number(created.jobId), 1);
    const exit = new URL(action.redirectUrl!);
    assert.equal(`${exit.origin}${exit.pathname}`, "https://example.com/ok");
    await assert.rejects(client.direct.getStatus(created.statusUrl!, "wrong-token"), InvalidStatusQueryTokenError);
    const status = await client.direct.getStatus(created.statusUrl!, exit.searchParams.get("status_query_token")!);
    assert.equal(status.status, "COMPLETED_SUCCESSFULLY");
    assert.deepEqual(
      status.signers.map((signer) => [signer.signer, signer.status]),
      [[NATIONAL_IDS[0], "SIGNED"]],
    );

    const xades = (await drain(await client.downloadXades(status.xadesUrls[0]!.url))).toString("utf8");
    assert.match(xades, /<XAdESSignatures xmlns="http:\/\/uri\.etsi\.org\/2918\/v1\.2\.1#">/);
    const pades = await drain(await client.downloadPades(status.padesUrl!));
    const dir = mkdtempSync(path.join(tmpdir(), "pades-"));
    try {
      writeFileSync(path.join(dir, "signed.pdf"), pades);
      const checked = spawnSync("pdfsig", [path.join(dir, "signed.pdf")], { encoding: "utf8" });
      assert.match(checked.stdout, /Signature Validation: Signature is Valid\./, checked.stdout + checked.stderr);
      assert.match(checked.stdout, /Total document signed/);
      const info = spawnSync("pdfinfo", [path.join(dir, "signed.pdf")], { encoding: "utf8" });
      const sourcePages = Number(
        /Pages:\s+(\d+)/.exec(
          spawnSync("pdfinfo", [path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf")], { encoding: "utf8" }).stdout,
        )?.[1],
      );
      assert.equal(Number(/Pages:\s+(\d+)/.exec(info.stdout)?.[1]), sourcePages + 1, "a front page plus the document's pages");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await client.confirm(status.confirmationUrl!);
  });

  it("rejects: the job fails, the other signer becomes NOT_APPLICABLE, and the browser goes to the rejection URL", async () => {
    const created = await client.direct.createJob(
      directJob({ signers: [{ personalIdentificationNumber: NATIONAL_IDS[0] }, { customIdentifier: "c-2" }] }),
    );
    const action = emulator.control.reject(Number(created.jobId), 2);
    assert.match(action.redirectUrl!, /^https:\/\/example\.com\/no\?status_query_token=/);
    const status = await client.direct.getStatus(created.statusUrl!, new URL(action.redirectUrl!).searchParams.get("status_query_token")!);
    assert.equal(status.status, "FAILED");
    assert.deepEqual(
      status.signers.map((signer) => signer.status),
      ["NOT_APPLICABLE", "REJECTED"],
    );
    assert.equal(status.padesUrl, undefined);
  });

  it("an error sends the browser to the error URL and fails the job", async () => {
    const created = await client.direct.createJob(directJob());
    const action = emulator.control.fail(Number(created.jobId), 1);
    assert.match(action.redirectUrl!, /^https:\/\/example\.com\/err\?/);
    assert.equal(action.job.status, "FAILED");
  });

  it("redirect URLs work once; a new one can be requested through the signer URL", async () => {
    const created = await client.direct.createJob(directJob());
    const first = await request(created.signers[0]!.redirectUrl);
    assert.equal(first.statusCode, 200);
    assert.match(await first.body.text(), /<button class="primary" type="submit">Sign<\/button>/);
    const reused = await request(created.signers[0]!.redirectUrl);
    assert.equal(reused.statusCode, 410);
    await reused.body.dump();
    const renewed = await client.direct.requestNewRedirectUrl(created.signers[0]!.href);
    assert.notEqual(renewed.redirectUrl, created.signers[0]!.redirectUrl);
    const again = await request(renewed.redirectUrl);
    assert.equal(again.statusCode, 200);
    await again.body.dump();
  });

  it("jobs created for polling go to the direct queue; callback jobs do not", async () => {
    const polled = await client.direct.createJob(directJob({ statusRetrievalMethod: "POLLING", pollingQueue: "direct-q" }));
    const callback = await client.direct.createJob(directJob({ pollingQueue: "direct-q" }));
    emulator.control.sign(Number(callback.jobId), 1);
    emulator.control.sign(Number(polled.jobId), 1);
    emulator.control.advanceClock(10_000);
    const change = await client.direct.nextStatusChange({ pollingQueue: "direct-q" });
    assert.equal(change.status, "COMPLETED_SUCCESSFULLY");
    assert.equal("jobId" in change && change.jobId, polled.jobId);
    await client.confirm((change as { confirmationUrl: string }).confirmationUrl);
    emulator.control.advanceClock(10_000);
    assert.equal((await client.direct.nextStatusChange({ pollingQueue: "direct-q" })).status, "NO_CHANGES");
  });
});

describe("portal flow through the emulator", () => {
  it("three signers in order: notifications per group, queue changes, completion", async () => {
    const created = await client.portal.createJob(
      portalJob({
        pollingQueue: "order-test",
        signers: [
          { personalIdentificationNumber: NATIONAL_IDS[0], order: 0, notifications: { email: "first@example.com" } },
          { personalIdentificationNumber: NATIONAL_IDS[1], order: 1, notifications: { email: "second@example.com", sms: "+4791234567" } },
          { identifiedByContactInformation: true, order: 1, notifications: { email: "third@example.com" } },
        ],
      }),
    );
    const id = Number(created.jobId);
    const recipients = () =>
      emulator.control
        .outbox()
        .filter((n) => n.jobId === id)
        .map((n) => n.to);
    assert.deepEqual(recipients(), ["first@example.com"]);
    assert.deepEqual(
      emulator.control.jobSummary(id).signers.map((signer) => signer.active),
      [true, false, false],
    );
    assert.throws(() => emulator.control.sign(id, 2), /cannot act now/);

    emulator.control.sign(id, 1);
    assert.deepEqual(recipients(), ["first@example.com", "second@example.com", "+4791234567", "third@example.com"]);
    const afterFirst = await nextPortalChange("order-test");
    assert.equal(afterFirst?.status, "IN_PROGRESS");
    assert.deepEqual(
      afterFirst?.signatures.map((signature) => signature.status),
      ["SIGNED", "WAITING", "WAITING"],
    );
    assert.deepEqual(afterFirst?.signatures[2]?.contactInformation, { email: "third@example.com" });
    await client.confirm(afterFirst!.confirmationUrl);

    emulator.control.sign(id, 3);
    emulator.control.sign(id, 2);
    const done = await nextPortalChange("order-test");
    assert.equal(done?.status, "COMPLETED_SUCCESSFULLY");
    assert.ok(done?.padesUrl);
    assert.equal(done?.signatures.filter((signature) => signature.xadesUrl).length, 3);
    await client.confirm(done!.confirmationUrl);
    assert.equal(await nextPortalChange("order-test"), undefined);
  });

  it("keeps queues apart and delivers an unconfirmed change again after 10 minutes", async () => {
    const created = await client.portal.createJob(portalJob({ pollingQueue: "redelivery" }));
    emulator.control.sign(Number(created.jobId), 1);
    assert.equal(await nextPortalChange(), undefined, "not in the default queue");
    const first = await nextPortalChange("redelivery");
    assert.equal(first?.jobId, created.jobId);
    assert.equal(await nextPortalChange("redelivery"), undefined, "handed out, so held back");
    emulator.control.advanceClock(10 * MINUTE);
    const again = await nextPortalChange("redelivery");
    assert.equal(again?.jobId, created.jobId, "delivered again because it was not confirmed");
    await client.confirm(again!.confirmationUrl);
    emulator.control.advanceClock(11 * MINUTE);
    assert.equal(await nextPortalChange("redelivery"), undefined);
  });

  it("refuses polling before the permitted time", async () => {
    emulator.control.advanceClock(10_000);
    await client.portal.nextStatusChange({ pollingQueue: "eager" });
    await assert.rejects(client.portal.nextStatusChange({ pollingQueue: "eager" }), TooEagerPollingError);
  });

  it("cancels: waiting signers become CANCELLED; a second cancel is refused", async () => {
    const created = await client.portal.createJob(portalJob({ pollingQueue: "cancel" }));
    await client.portal.cancel(created.cancellationUrl);
    const change = await nextPortalChange("cancel");
    assert.equal(change?.status, "FAILED");
    assert.deepEqual(
      change?.signatures.map((signature) => signature.status),
      ["CANCELLED"],
    );
    await assert.rejects(client.portal.cancel(created.cancellationUrl), JobNotCancellableError);
  });

  it("honours activation time and available seconds: not active before, expired after", async () => {
    const start = Date.parse(((await controlRequest(emulator, "GET", "/clock")).json as { now: string }).now);
    const created = await client.portal.createJob(
      portalJob({ pollingQueue: "expiry", availability: { activationTime: new Date(start + 60 * MINUTE), availableSeconds: 3600 } }),
    );
    const id = Number(created.jobId);
    assert.equal(emulator.control.jobSummary(id).signers[0]?.active, false);
    assert.equal(emulator.control.outbox().filter((n) => n.jobId === id).length, 0, "no notification before activation");
    emulator.control.advanceClock(61 * MINUTE);
    assert.equal(emulator.control.jobSummary(id).signers[0]?.active, true);
    assert.equal(emulator.control.outbox().filter((n) => n.jobId === id).length, 1);
    emulator.control.advanceClock(61 * MINUTE);
    const change = await nextPortalChange("expiry");
    assert.equal(change?.status, "FAILED");
    assert.deepEqual(
      change?.signatures.map((signature) => signature.status),
      ["EXPIRED"],
    );
  });

  it("deletes documents only when allowed, and serves archived PAdES", async () => {
    const created = await client.portal.createJob(portalJob({ pollingQueue: "delete" }));
    emulator.control.sign(Number(created.jobId), 1);
    const change = await nextPortalChange("delete");
    assert.equal(change?.deleteDocumentsUrl, undefined, "not before 24 hours after completion");
    const archived = await drain(await client.archive.getPades(created.jobId));
    assert.equal(archived.subarray(0, 5).toString(), "%PDF-");
    emulator.control.advanceClock(25 * 60 * MINUTE);
    const redelivered = await nextPortalChange("delete");
    assert.ok(redelivered?.deleteDocumentsUrl, "offered once a day has passed");
    await client.deleteDocuments(redelivered!.deleteDocumentsUrl!);
    await assert.rejects(client.downloadPades(redelivered!.padesUrl!), /DOCUMENTS_DELETED/);
    await client.confirm(redelivered!.confirmationUrl);
  });
});

describe("job lifecycle", () => {
  const DAY = 24 * 60 * MINUTE;

  it("a direct job expires 30 days after creation", async () => {
    const created = await client.direct.createJob(directJob({ statusRetrievalMethod: "POLLING", pollingQueue: "direct-expiry" }));
    emulator.control.advanceClock(30 * DAY - MINUTE);
    assert.equal(emulator.control.jobSummary(Number(created.jobId)).status, "IN_PROGRESS");
    emulator.control.advanceClock(2 * MINUTE);
    const change = await client.direct.nextStatusChange({ pollingQueue: "direct-expiry" });
    assert.equal(change.status, "FAILED");
    assert.deepEqual("signers" in change && change.signers.map((signer) => signer.status), ["EXPIRED"]);
    await assert.rejects(
      request(created.signers[0]!.redirectUrl).then(async (response) => {
        await response.body.dump();
        if (response.statusCode !== 200) throw new Error(`status ${response.statusCode}`);
      }),
      /status 4\d\d/,
      "the expired job's signer page is gone",
    );
  });

  it("a rejection in an early group ends a portal job: waiting signers, active or not, become NOT_APPLICABLE", async () => {
    const created = await client.portal.createJob(
      portalJob({
        pollingQueue: "portal-reject",
        signers: [
          { personalIdentificationNumber: NATIONAL_IDS[0], order: 0, notifications: { email: "one@example.com" } },
          { personalIdentificationNumber: NATIONAL_IDS[1], order: 0, notifications: { email: "two@example.com" } },
          { personalIdentificationNumber: NATIONAL_IDS[2], order: 1, notifications: { email: "three@example.com" } },
        ],
      }),
    );
    emulator.control.sign(Number(created.jobId), 1);
    emulator.control.reject(Number(created.jobId), 2);
    const change = await nextPortalChange("portal-reject");
    assert.equal(change?.status, "FAILED");
    assert.deepEqual(
      change?.signatures.map((signature) => signature.status),
      ["SIGNED", "REJECTED", "NOT_APPLICABLE"],
    );
    assert.equal(change?.cancellationUrl, undefined, "a finished job cannot be cancelled");
    assert.equal(
      emulator.control.outbox().filter((notification) => notification.to === "three@example.com").length,
      0,
      "the last group was never notified",
    );
  });

  it("the control API expires a job at once; acting on a finished job is refused", async () => {
    const created = await client.portal.createJob(portalJob({ pollingQueue: "expire-now" }));
    const summary = (await controlRequest(emulator, "POST", `/jobs/${created.jobId}/expire`)).json as {
      status: string;
      signers: { status: string }[];
    };
    assert.deepEqual([summary.status, summary.signers[0]?.status], ["FAILED", "EXPIRED"]);
    const refused = await controlRequest(emulator, "POST", `/jobs/${created.jobId}/signers/1/sign`);
    assert.equal(refused.status, 409);
    assert.equal((await controlRequest(emulator, "POST", `/jobs/${created.jobId}/expire`)).status, 409);
    assert.equal((await nextPortalChange("expire-now"))?.status, "FAILED");
  });
});
