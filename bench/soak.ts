/**
 * A long soak of real processes: the emulator on its own and a Node-RED runtime with the soak
 * flow (create → poll → download → store → confirm), 1,000 direct jobs made over HTTP and signed
 * through the control API, with a few injected faults. Reports jobs created per second, changes
 * handled per second and the runtime's RSS at the start, after 100 and after 1,000 jobs.
 * Target: RSS after 1,000 within 50 MB of RSS after 100 (no per-job state kept).
 * The emulator's rate limit and the client's pacing are off, so the numbers are the nodes' own;
 * against the service, its 10 calls per second (4 per job) bound a configuration to ~2 jobs/s.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Soak } from "./soak/harness";

const JOBS = 1000;
const FIRST = 100;
const RSS_TARGET_MB = 50;

async function wave(soak: Soak, count: number): Promise<{ createdPerSecond: number; handledPerSecond: number }> {
  const storedBefore = soak.storedCount();
  const begin = process.hrtime.bigint();
  let creating = true;
  const signing = (async () => {
    while (creating) {
      await soak.signAll();
      await sleep(250);
    }
  })();
  await soak.createJobs(count, ["A"], 8);
  creating = false;
  const created = Number(process.hrtime.bigint() - begin) / 1e9;
  await signing;
  if (!(await soak.settle(600_000))) throw new Error("the jobs did not all end confirmed within 10 minutes");
  const handled = Number(process.hrtime.bigint() - begin) / 1e9;
  return { createdPerSecond: count / created, handledPerSecond: (soak.storedCount() - storedBefore) / handled };
}

export async function runSoakBenchmark(): Promise<void> {
  const workDir = mkdtempSync(path.join(tmpdir(), "reliability-soak-bench-"));
  const soak = new Soak({
    workDir,
    pdfFile: path.join(__dirname, "..", "..", "test", "fixtures", "test-documents", "PDF-1-4-testdokument.pdf"),
    redeliverySeconds: 600,
    rateLimit: false,
    callsPerSecond: 0,
  });
  try {
    await soak.startEmulator();
    await soak.startRuntime("A");
    const runtime = soak.runtimes.get("A")!.child;
    const rssStart = runtime.rssMb();
    await wave(soak, FIRST);
    soak.jobsCreated = 0;
    soak.createsRefused = 0;
    const rss100 = runtime.rssMb();
    await soak.inject({ kind: "server-error", pathContains: "/complete", count: 5 });
    await soak.inject({ kind: "drop-connection", pathContains: "/pades", count: 5 });
    await soak.inject({ kind: "latency", delayMs: 200, count: 20 });
    const rates = await wave(soak, JOBS - FIRST);
    const rss1000 = runtime.rssMb();
    const verdict = await soak.verdict();
    const growth = rss1000 - rss100;
    console.log(
      `soak jobs created   ${rates.createdPerSecond.toFixed(1).padStart(6)}/s over ${JOBS - FIRST} jobs through one Node-RED runtime`,
    );
    console.log(`soak changes handled ${rates.handledPerSecond.toFixed(1).padStart(5)}/s (download, store, confirm)`);
    console.log(
      `soak node-red rss   start ${rssStart.toFixed(0)} MB, after ${FIRST} jobs ${rss100.toFixed(0)} MB, after ${JOBS} jobs ${rss1000.toFixed(0)} MB; growth ${growth.toFixed(0)} MB, target ≤ ${RSS_TARGET_MB} MB ${growth <= RSS_TARGET_MB ? "ok" : "ABOVE TARGET"}`,
    );
    console.log(
      `soak ledger         lost ${verdict.lost}, unconfirmed ${verdict.unconfirmed}, handled twice ${verdict.handledTwice} (marked redelivered ${verdict.markedRedelivered}), delivered after confirm ${verdict.deliveredAfterConfirm}`,
    );
    if (verdict.lost > 0 || verdict.unconfirmed > 0 || verdict.deliveredAfterConfirm > 0 || verdict.unmarkedRedeliveries > 0)
      throw new Error(`the soak lost or duplicated changes: ${JSON.stringify(verdict)}`);
  } finally {
    await soak.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runSoakBenchmark().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
