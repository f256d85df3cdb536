/**
 * A long soak of real processes: the emulator on its own and a Node-RED runtime with the soak
 * flow (create → poll → download → store → confirm), 1,000 direct jobs made over HTTP and signed
 * through the control API, with a few injected faults. Reports jobs created per second, changes
 * handled per second and the runtime's RSS at the start, after 100 and after 1,000 jobs.
 * Target: RSS after 1,000 within 50 MB of RSS after 100 (no per-job state kept). Then two more
 * waves of 1,000: the runtime's heap used after a forced GC at 1,000, 2,000 and 3,000 jobs must
 * grow by at most 2 KB a job, so a runtime that signs for years does not grow.
 * The emulator's rate limit and the client's pacing are off, so the numbers are the nodes' own;
 * against the service, its 10 calls per second (4 per job) bound a configuration to ~2 jobs/s.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Soak } from "./soak/harness";

const JOBS = 1000;
const FIRST = 100;
const RSS_TARGET_MB = 50;
const HEAP_WAVES = 3;
const HEAP_GROWTH_TARGET_BYTES_PER_JOB = 2048;

/** The runtime's heap used after a full GC, asked for by SIGUSR2 (see soak/node-red-process.ts). */
async function heapUsedAfterGc(pid: number, file: string): Promise<number> {
  rmSync(file, { force: true });
  process.kill(pid, "SIGUSR2");
  for (let waited = 0; waited < 30_000; waited += 50) {
    if (existsSync(file)) {
      const bytes = Number(readFileSync(file, "utf8"));
      if (bytes > 0) return bytes;
    }
    await sleep(50);
  }
  throw new Error("the runtime did not report its heap within 30 s");
}

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
  const heapFile = path.join(workDir, "heap-used");
  process.env.SOAK_HEAP_FILE = heapFile;
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
    const pid = soak.runtimes.get("A")!.child.pid;
    const heaps = [await heapUsedAfterGc(pid, heapFile)];
    for (let more = 1; more < HEAP_WAVES; more++) {
      await wave(soak, JOBS);
      heaps.push(await heapUsedAfterGc(pid, heapFile));
    }
    const perJob = ((heaps.at(-1) as number) - (heaps[0] as number)) / ((HEAP_WAVES - 1) * JOBS);
    console.log(
      `soak node-red heap  after a forced GC: ${heaps.map((bytes, index) => `${(index + 1) * JOBS} jobs ${(bytes / 1024 / 1024).toFixed(1)} MB`).join(", ")}; ` +
        `growth ${perJob.toFixed(0)} bytes a job, target ≤ ${HEAP_GROWTH_TARGET_BYTES_PER_JOB} ${perJob <= HEAP_GROWTH_TARGET_BYTES_PER_JOB ? "ok" : "GROWS"}`,
    );
  } finally {
    delete process.env.SOAK_HEAP_FILE;
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
