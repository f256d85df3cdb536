import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { testDocumentsDir } from "../support/reference";
import { Soak } from "../../bench/soak/harness";

/**
 * Two real Node-RED runtimes on one polling queue against the emulator as its own process,
 * through 5xx, dropped connections, latency, 429s, a full redeploy, and kill -9s of each runtime
 * and of the emulator. The emulator's redelivery window is shortened to 8 s so changes that
 * were in flight at a kill come back within the test.
 */
describe("soak: create → poll → download → store → confirm with faults, redeploys and kills", () => {
  const workDir = mkdtempSync(path.join(tmpdir(), "reliability-soak-"));
  const soak = new Soak({
    workDir,
    pdfFile: path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf"),
    redeliverySeconds: 8,
    rateLimit: true,
    callsPerSecond: 4,
  });
  after(async () => {
    await soak.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it(
    "loses nothing, leaves nothing unconfirmed, and handles a change twice only as a marked redelivery or after a kill",
    { timeout: 170_000 },
    async (t) => {
      await soak.startEmulator();
      await Promise.all([soak.startRuntime("A"), soak.startRuntime("B")]);

      await soak.createJobs(8, ["A", "B"]);
      await soak.signAll();

      await soak.inject({ kind: "server-error", pathContains: "/complete", count: 2 });
      await soak.inject({ kind: "drop-connection", pathContains: "/pades", count: 2 });
      await soak.inject({ kind: "latency", delayMs: 300, count: 6 });
      await soak.inject({ kind: "rate-limit", pathContains: "/direct/signature-jobs", count: 1, retryAfterSeconds: 1 });
      await soak.inject({ kind: "server-error", pathContains: "/direct/signature-jobs", count: 2, status: 503 });
      await soak.createJobs(8, ["A", "B"]);
      await soak.signAll();

      await soak.redeploy("B");
      await soak.createJobs(6, ["A", "B"]);
      await soak.signAll();
      // While one runtime is down the other alone drains the queue, so each is seen taking changes
      // (which of two live pollers gets a change is up to timing).
      await soak.killRuntime("A");
      await soak.createJobs(3, ["B"]);
      await soak.signAll();
      assert.ok(await soak.settle(40_000), "B alone makes every job final and confirmed while A is down");
      await soak.startRuntime("A");

      await soak.killEmulator();
      await soak.startEmulator();
      await soak.createJobs(6, ["A", "B"]);
      await soak.signAll();
      await soak.killRuntime("B");
      await soak.createJobs(3, ["A"]);
      await soak.signAll();
      assert.ok(await soak.settle(40_000), "A alone makes every job final and confirmed while B is down");
      await soak.startRuntime("B");

      const settled = await soak.settle(70_000);
      const verdict = await soak.verdict();
      const context = JSON.stringify(verdict, null, 2);
      t.diagnostic(JSON.stringify(verdict));
      assert.ok(
        settled,
        `every job final and confirmed: ${context} ${JSON.stringify((await soak.jobs()).filter((job) => job.status === "IN_PROGRESS" || job.awaitingConfirmation))}`,
      );
      assert.ok(verdict.jobsCreated >= 20, context);
      assert.equal(verdict.finalJobs >= verdict.jobsCreated, true, context);
      assert.equal(verdict.lost, 0, context);
      assert.equal(verdict.unconfirmed, 0, context);
      assert.equal(verdict.deliveredAfterConfirm, 0, context);
      assert.equal(verdict.unmarkedRedeliveries, 0, context);
      const handlers = new Set(
        soak
          .ledger()
          .filter((line) => line.event === "received")
          .map((line) => line.instance.split("-")[0]),
      );
      assert.deepEqual([...handlers].sort(), ["A", "B"], `both runtimes took changes from the one queue: ${context}`);
    },
  );
});
