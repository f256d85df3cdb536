import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { RateLimitedError, ServiceError, type PortalJobStatus } from "../../src/core";
import { startEmulator } from "../../src/emulator";
import { clientFor, controlRequest, rawApiRequest, startTestEmulator } from "../support/emulator";
import { FakeClock } from "../support/fake-clock";
import { directJob, portalJob } from "../support/jobs";

const dataDir = mkdtempSync(path.join(tmpdir(), "emulator-persistence-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

describe("emulator state on disk", () => {
  it("keeps certificates, jobs, queued changes and the clock across a restart", async () => {
    const first = await startEmulator({ dataDir, rateLimit: false, emptyQueueWaitSeconds: 1 });
    const firstClient = clientFor(first);
    const created = await firstClient.portal.createJob(portalJob({ pollingQueue: "restart" }));
    first.control.sign(Number(created.jobId), 1);
    first.control.advanceClock(3_600_000);
    await firstClient.close();
    await first.close();

    const second = await startEmulator({ dataDir, rateLimit: false, emptyQueueWaitSeconds: 1 });
    const secondClient = clientFor(second);
    try {
      assert.equal(second.clientKeystoreFile, first.clientKeystoreFile);
      assert.equal(second.clientKeystorePassword, first.clientKeystorePassword, "the same keystore works after a restart");
      const change = (await secondClient.portal.nextStatusChange({ pollingQueue: "restart" })) as PortalJobStatus;
      assert.equal(change.jobId, created.jobId);
      assert.equal(change.status, "COMPLETED_SUCCESSFULLY");
      const clock = await controlRequest(second, "GET", "/clock");
      assert.ok(Date.parse((clock.json as { now: string }).now) > Date.now() + 3_500_000, "the moved clock is kept");
      const next = await secondClient.portal.createJob(portalJob());
      assert.equal(Number(next.jobId), Number(created.jobId) + 1, "ids continue");
    } finally {
      await secondClient.close();
      await second.close();
    }
  });
});

describe("fault injection and rate limiting", () => {
  it("injects server errors, dropped connections and latency through the control API", async () => {
    const emulator = await startTestEmulator();
    const client = clientFor(emulator);
    try {
      assert.equal((await controlRequest(emulator, "POST", "/faults", { kind: "server-error", status: 503, pathContains: "/portal/" })).status, 200);
      await assert.rejects(client.portal.nextStatusChange(), (error: unknown) => error instanceof ServiceError && error.httpStatus === 503 && error.errorCode === "INJECTED_FAULT");
      await controlRequest(emulator, "POST", "/faults", { kind: "drop-connection" });
      const afterDrop = await client.portal.nextStatusChange();
      assert.equal(afterDrop.status, "NO_CHANGES", "a GET is sent once more after a dropped connection");
      await controlRequest(emulator, "POST", "/faults", { kind: "drop-connection" });
      await assert.rejects(client.direct.createJob(directJob()), /CONNECTION|ECONNRESET|SocketError|other side closed/i, "a job creation is never sent twice");
      await controlRequest(emulator, "POST", "/faults", { kind: "latency", delayMs: 300 });
      emulator.control.advanceClock(5_000);
      const started = Date.now();
      await client.portal.nextStatusChange();
      assert.ok(Date.now() - started >= 280);
      const bad = await controlRequest(emulator, "POST", "/faults", { kind: "gremlins" });
      assert.equal(bad.status, 400);
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  it("limits calls per organization and the client waits out a 429", async () => {
    const emulator = await startEmulator({ rateLimit: { callsPerSecond: 3, blockSeconds: 1 }, emptyQueueWaitSeconds: 0 });
    const clock = new FakeClock();
    const client = clientFor(emulator);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await rawApiRequest(emulator, "GET", "/123456785")).status);
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      const refused = await rawApiRequest(emulator, "GET", "/123456785");
      assert.match(refused.text, /<error-code>TOO_MANY_REQUESTS<\/error-code>/);
      const patient = clientFor(emulator, { clock });
      await assert.rejects(patient.confirm(`${emulator.apiRoot}/123456785/portal/signature-jobs/1/complete`), (error: unknown) => error instanceof RateLimitedError);
      assert.deepEqual(clock.sleeps.length, 2, "it waited and tried again twice before giving up");
      await patient.close();
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});
