import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { buffer } from "node:stream/consumers";
import { after, describe, it } from "node:test";
import { InvalidInputError, RateLimitedError, ServiceError, SigningCeremonyNotCompletedError, type PortalJobStatus } from "../../src/core";
import { parseErrorResponse, parsePortalJobStatus } from "../../src/core/xml";
import { type ActionResult, type JobSummary, type RunningEmulator, startEmulator } from "../../src/emulator";
import { clientFor, controlRequest, rawApiRequest, startTestEmulator } from "../support/emulator";
import { FakeClock } from "../support/fake-clock";
import { directJob, NATIONAL_IDS, portalJob } from "../support/jobs";

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
      await assert.rejects(
        startEmulator({ dataDir, organizationNumber: "910000004" }),
        /already has a client keystore for organization 123456785, not 910000004/,
      );
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
      assert.equal(
        (await controlRequest(emulator, "POST", "/faults", { kind: "server-error", status: 503, pathContains: "/portal/" })).status,
        200,
      );
      await assert.rejects(
        client.portal.nextStatusChange(),
        (error: unknown) => error instanceof ServiceError && error.httpStatus === 503 && error.errorCode === "INJECTED_FAULT",
      );
      await controlRequest(emulator, "POST", "/faults", { kind: "drop-connection" });
      const afterDrop = await client.portal.nextStatusChange();
      assert.equal(afterDrop.status, "NO_CHANGES", "a GET is sent once more after a dropped connection");
      await controlRequest(emulator, "POST", "/faults", { kind: "drop-connection" });
      await assert.rejects(
        client.direct.createJob(directJob()),
        /CONNECTION|ECONNRESET|SocketError|other side closed/i,
        "a job creation is never sent twice",
      );
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
    // The emulator's time stands still: however slowly the machine answers, the five calls fall within one second.
    const frozen = Date.now();
    const emulator = await startEmulator({
      rateLimit: { callsPerSecond: 3, blockSeconds: 1 },
      emptyQueueWaitSeconds: 0,
      timeSource: () => frozen,
    });
    const clock = new FakeClock();
    const client = clientFor(emulator);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await rawApiRequest(emulator, "GET", "/123456785")).status);
      assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
      const refused = await rawApiRequest(emulator, "GET", "/123456785");
      assert.match(refused.text, /<error-code>TOO_MANY_REQUESTS<\/error-code>/);
      const patient = clientFor(emulator, { clock });
      await assert.rejects(
        patient.confirm(`${emulator.apiRoot}/123456785/portal/signature-jobs/1/complete`),
        (error: unknown) => error instanceof RateLimitedError,
      );
      assert.deepEqual(clock.sleeps.length, 2, "it waited and tried again twice before giving up");
      await patient.close();
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

describe("starting", () => {
  it("listens only on loopback addresses and takes only valid organization numbers", async () => {
    await assert.rejects(
      startEmulator({ host: "0.0.0.0" }),
      (error: unknown) => error instanceof InvalidInputError && error.field === "host",
    );
    await assert.rejects(
      startEmulator({ organizationNumber: "123456789" }),
      (error: unknown) => error instanceof InvalidInputError && error.field === "organizationNumber",
    );
    await assert.rejects(
      startEmulator({ brokers: [{ broker: "123456785", onBehalfOf: ["12345"] }] }),
      /"12345" is not a valid organization number/,
    );
  });

  it("prints as the JSON the CLI shows, without key material", async () => {
    const emulator = await startTestEmulator();
    try {
      const printed = JSON.parse(JSON.stringify(emulator)) as Record<string, unknown>;
      assert.deepEqual(Object.keys(printed).sort(), [
        "apiRoot",
        "caCertificateFile",
        "clientKeystoreFile",
        "clientKeystorePassword",
        "controlUrl",
        "dataDir",
        "organizationNumber",
        "signerWebUrl",
      ]);
      assert.match(String(printed["apiRoot"]), /^https:\/\/127\.0\.0\.1:\d+\/api$/);
      assert.doesNotMatch(JSON.stringify(emulator), /PRIVATE KEY|BEGIN CERTIFICATE/);
    } finally {
      await emulator.close();
    }
    assert.equal(existsSync(emulator.dataDir), false, "a temporary data directory is removed on close");
  });
});

describe("nothing is lost when the emulator is killed", () => {
  it("keeps the jobs, documents and signatures of an emulator killed with SIGKILL", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "emulator-killed-"));
    const script = `require(${JSON.stringify(path.join(__dirname, "..", "..", "src", "emulator"))}).startEmulator({ dataDir: ${JSON.stringify(dir)}, rateLimit: false }).then((emulator) => console.log(JSON.stringify(emulator)));`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
      const started = JSON.parse(line) as RunningEmulator;
      const client = clientFor({ ...started, caCertificatePem: readFileSync(started.caCertificateFile, "utf8") });
      const created = await client.portal.createJob(portalJob({ pollingQueue: "killed" }));
      assert.equal((await controlRequest(started, "POST", `/jobs/${created.jobId}/signers/1/sign`)).status, 200);
      await client.close();
      child.kill("SIGKILL");
      await once(child, "exit");

      const restarted = await startEmulator({ dataDir: dir, rateLimit: false, emptyQueueWaitSeconds: 1 });
      const again = clientFor(restarted);
      try {
        const change = (await again.portal.nextStatusChange({ pollingQueue: "killed" })) as PortalJobStatus;
        assert.equal(change.status, "COMPLETED_SUCCESSFULLY");
        const pades = await buffer(await again.downloadPades(change.padesUrl!));
        assert.equal(pades.subarray(0, 5).toString(), "%PDF-", "the documents were kept");
      } finally {
        await again.close();
        await restarted.close();
      }
    } finally {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("status-change polling over the wire", () => {
  it("says when to poll next on 204, on 200 and on the 429 for polling too early", async () => {
    const emulator = await startTestEmulator({ emptyQueueWaitSeconds: 30 });
    const client = clientFor(emulator);
    try {
      const empty = await rawApiRequest(emulator, "GET", "/123456785/portal/signature-jobs?polling_queue=wire");
      assert.equal(empty.status, 204);
      const next = Date.parse(String(empty.headers["x-next-permitted-poll-time"]));
      assert.ok(Math.abs(next - (Date.now() + 30_000)) < 2_000, "now plus the configured wait");
      const eager = await rawApiRequest(emulator, "GET", "/123456785/portal/signature-jobs?polling_queue=wire");
      assert.equal(eager.status, 429);
      assert.equal(parseErrorResponse(eager.text)?.errorCode, "TOO_EAGER_POLLING");
      assert.equal(Date.parse(String(eager.headers["x-next-permitted-poll-time"])), next);
      assert.equal(
        (await rawApiRequest(emulator, "GET", "/123456785/portal/signature-jobs?polling_queue=other")).status,
        204,
        "each queue has its own time",
      );

      const created = await client.portal.createJob(portalJob({ pollingQueue: "wire" }));
      emulator.control.sign(Number(created.jobId), 1);
      emulator.control.advanceClock(30_000);
      const change = await rawApiRequest(emulator, "GET", "/123456785/portal/signature-jobs?polling_queue=wire");
      assert.equal(change.status, 200);
      assert.ok(
        Math.abs(Date.parse(String(change.headers["x-next-permitted-poll-time"])) - Date.now()) < 1_000,
        "while changes come, at once, in the client's (real) time",
      );
      assert.equal((await rawApiRequest(emulator, "GET", "/123456785/portal/signature-jobs?polling_queue=wire")).status, 204);
      await client.confirm(parsePortalJobStatus(change.text).confirmationUrl);
      emulator.control.advanceClock(3_600_000);
      const later = await rawApiRequest(emulator, "GET", "/123456785/portal/signature-jobs?polling_queue=wire");
      assert.equal(later.status, 204, "moving the clock ends the wait");
      assert.ok(
        Math.abs(Date.parse(String(later.headers["x-next-permitted-poll-time"])) - (Date.now() + 30_000)) < 2_000,
        "announced in real time, not an hour ahead",
      );
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  it("delivers the newest state when a handed-out change is followed by another", async () => {
    const emulator = await startTestEmulator({ emptyQueueWaitSeconds: 0, redeliverySeconds: 60 });
    const client = clientFor(emulator);
    try {
      const created = await client.portal.createJob(
        portalJob({
          pollingQueue: "newer",
          signers: [
            { personalIdentificationNumber: NATIONAL_IDS[0], notifications: { email: "a@example.com" } },
            { personalIdentificationNumber: NATIONAL_IDS[1], notifications: { email: "b@example.com" } },
          ],
        }),
      );
      emulator.control.sign(Number(created.jobId), 1);
      const first = (await client.portal.nextStatusChange({ pollingQueue: "newer" })) as PortalJobStatus;
      assert.equal(first.status, "IN_PROGRESS");
      emulator.control.sign(Number(created.jobId), NATIONAL_IDS[1]);
      const second = (await client.portal.nextStatusChange({ pollingQueue: "newer" })) as PortalJobStatus;
      assert.equal(second.status, "COMPLETED_SUCCESSFULLY", "not held back by the unconfirmed first change");
      await client.confirm(first.confirmationUrl);
      assert.equal((await client.portal.nextStatusChange({ pollingQueue: "newer" })).status, "NO_CHANGES");
      emulator.control.advanceClock(61_000);
      assert.equal((await client.portal.nextStatusChange({ pollingQueue: "newer" })).status, "NO_CHANGES", "confirmed once, for the job");
    } finally {
      await client.close();
      await emulator.close();
    }
  });
});

describe("several pollers on one queue", () => {
  it("hands each change to one of two concurrent pollers, and again only after the 10-minute redelivery window", async () => {
    const emulator = await startTestEmulator({ emptyQueueWaitSeconds: 0 });
    const pollers = [clientFor(emulator), clientFor(emulator)];
    /** Both poll at the same time, over their own connections, until the queue is empty for both. */
    const pollTogether = async () => {
      const received = await Promise.all(
        pollers.map(async (poller) => {
          const changes: PortalJobStatus[] = [];
          for (;;) {
            const change = await poller.portal.nextStatusChange({ pollingQueue: "shared" });
            if (change.status === "NO_CHANGES") return changes;
            changes.push(change as PortalJobStatus);
          }
        }),
      );
      return received.flat();
    };
    try {
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) {
        const created = await pollers[0]!.portal.createJob(portalJob({ pollingQueue: "shared" }));
        emulator.control.sign(Number(created.jobId), 1);
        ids.push(created.jobId);
      }
      const first = await pollTogether();
      assert.deepEqual(first.map((change) => change.jobId).sort(), [...ids].sort(), "every change once, to one poller or the other");
      emulator.control.advanceClock(10 * 60_000 - 1_000);
      assert.deepEqual(await pollTogether(), [], "held back within the redelivery window");
      emulator.control.advanceClock(2_000);
      const redelivered = await pollTogether();
      assert.deepEqual(redelivered.map((change) => change.jobId).sort(), [...ids].sort(), "unconfirmed changes come again, once each");
      await Promise.all(redelivered.map((change, index) => pollers[index % 2]!.confirm(change.confirmationUrl)));
      emulator.control.advanceClock(11 * 60_000);
      assert.deepEqual(await pollTogether(), [], "confirmed changes are gone");
    } finally {
      await Promise.all(pollers.map((poller) => poller.close()));
      await emulator.close();
    }
  });
});

describe("the control API over HTTP", () => {
  it("acts by signer identifier, lists jobs, and resets to an empty emulator with the same certificates", async () => {
    const emulator = await startTestEmulator();
    const client = clientFor(emulator);
    try {
      const created = await client.direct.createJob(
        directJob({ signers: [{ customIdentifier: "buyer" }, { personalIdentificationNumber: NATIONAL_IDS[1] }] }),
      );
      const byIdentifier = await controlRequest(emulator, "POST", `/jobs/${created.jobId}/signers/buyer/sign`);
      assert.equal(byIdentifier.status, 200);
      assert.match((byIdentifier.json as ActionResult).redirectUrl!, /^https:\/\/example\.com\/ok\?status_query_token=/);
      const byNationalId = await controlRequest(emulator, "POST", `/jobs/${created.jobId}/signers/${NATIONAL_IDS[1]}/reject`);
      assert.deepEqual(
        (byNationalId.json as ActionResult).job.signers.map((signer) => signer.status),
        ["SIGNED", "REJECTED"],
      );
      const unknownSigner = await controlRequest(emulator, "POST", `/jobs/${created.jobId}/signers/nobody/sign`);
      assert.deepEqual([unknownSigner.status, (unknownSigner.json as { errorCode: string }).errorCode], [404, "SIGNER_NOT_FOUND"]);
      assert.equal(((await controlRequest(emulator, "GET", "/jobs")).json as JobSummary[]).length, 1);
      emulator.control.advanceClock(86_400_000);
      await controlRequest(emulator, "POST", "/faults", { kind: "server-error" });

      assert.equal((await controlRequest(emulator, "POST", "/reset")).status, 200);
      assert.deepEqual((await controlRequest(emulator, "GET", "/jobs")).json, []);
      assert.ok(Math.abs(Date.parse(emulator.control.now().now) - Date.now()) < 1_000, "the clock is real time again");
      const fresh = await client.direct.createJob(directJob());
      assert.equal(fresh.jobId, "1", "ids start again, and the injected fault is gone");
      await assert.rejects(
        client.direct.getStatus(created.statusUrl!, "x"),
        SigningCeremonyNotCompletedError,
        "the old job is gone; the new job 1 has not been signed",
      );
      const badClock = await controlRequest(emulator, "POST", "/clock", { advanceMs: "soon" });
      assert.equal(badClock.status, 400);
    } finally {
      await client.close();
      await emulator.close();
    }
  });

  it("injects faults for N requests, only on matching paths", async () => {
    const emulator = await startTestEmulator();
    try {
      emulator.control.injectFault({ kind: "server-error", status: 502, count: 2, pathContains: "/archive/" });
      assert.equal((await rawApiRequest(emulator, "GET", "/123456785")).status, 200, "another path is not hit");
      for (let i = 0; i < 2; i++) assert.equal((await rawApiRequest(emulator, "GET", "/123456785/archive/documents/1/pades")).status, 502);
      assert.equal((await rawApiRequest(emulator, "GET", "/123456785/archive/documents/1/pades")).status, 404, "used up after two");
      emulator.control.injectFault({ kind: "rate-limit", retryAfterSeconds: 7 });
      const limited = await rawApiRequest(emulator, "GET", "/123456785/direct/signature-jobs");
      assert.equal(limited.status, 429);
      assert.equal(limited.headers["retry-after"], "7");
      assert.ok(limited.headers["x-next-permitted-poll-time"], "a refused poll still says when to poll");
      assert.throws(
        () => emulator.control.injectFault({ kind: "latency", delayMs: -1 }),
        /delayMs must be a whole number from 0 to 600000/,
      );
    } finally {
      await emulator.close();
    }
  });
});
