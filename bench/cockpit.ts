/**
 * The cockpit's journal and plugin: cost per recorded job (a creation and two statuses) in
 * Node-RED's own file context store (localfilesystem, cached as Node-RED runs it), the journal's
 * size on disk at its bound (1,000 jobs), the time a configuration node takes to open a full
 * journal, and the plugin's start-up cost (loading its module and registering its routes, in a
 * fresh process). Targets: < 1 ms per job (its own service calls take a hundred times that), < 2 MiB
 * on disk, < 500 ms to open (once per deploy), < 50 ms start-up.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DirectJobStatus } from "../src/core";
import type { JobRecord } from "../nodes/cockpit/job-record";
import { Journal, type JournalStore } from "../nodes/cockpit/journal";

interface ContextStore {
  open(): Promise<void>;
  close(): Promise<void>;
  get(scope: string, keys: string[], callback: (error: Error | undefined, ...values: unknown[]) => void): void;
  set(scope: string, key: string, value: unknown, callback: (error?: Error) => void): void;
  keys(scope: string, callback: (error: Error | undefined, keys: string[]) => void): void;
}

const nodeRedDir = path.dirname(require.resolve("node-red/package.json"));
const localFileSystem = createRequire(__filename)(
  require.resolve("@node-red/runtime/lib/nodes/context/localfilesystem", { paths: [nodeRedDir] }),
) as (config: Record<string, unknown>) => ContextStore;

const SCOPE = "0123456789abcdef";
const JOBS = 5000;
const API = "https://api.signering.posten.no/api/984661185/direct/signature-jobs";

/** The journal's store over a Node-RED context store, as `node.context()` uses it for a configuration node. */
function journalStoreOf(store: ContextStore): JournalStore {
  return {
    keys: () => new Promise((resolve, reject) => store.keys(SCOPE, (error, keys) => (error ? reject(error) : resolve(keys)))),
    get: (keys) =>
      keys.length === 0
        ? Promise.resolve([])
        : new Promise((resolve, reject) => store.get(SCOPE, [...keys], (error, ...values) => (error ? reject(error) : resolve(values)))),
    set: (key: string, value: JobRecord | undefined) =>
      new Promise((resolve, reject) => store.set(SCOPE, key, value, (error) => (error ? reject(error) : resolve()))),
  };
}

function created(jobId: string) {
  return {
    response: {
      flow: "direct" as const,
      jobId,
      reference: `contract-${jobId}`,
      statusUrl: `${API}/${jobId}/status`,
      signers: [1, 2].map((signer) => ({
        href: `${API}/${jobId}/signers/${signer}`,
        personalIdentificationNumber: "01019010046",
        redirectUrl: `https://signering.posten.no/redirect/#/${"x".repeat(64)}`,
      })),
    },
    title: "Employment contract for a new employee",
    node: { id: "fedcba9876543210", name: "create job" },
  };
}

function status(jobId: string, done: boolean): DirectJobStatus {
  return {
    flow: "direct",
    jobId,
    status: done ? "COMPLETED_SUCCESSFULLY" : "IN_PROGRESS",
    signers: [1, 2].map((signer) => ({
      signer: "01019010046",
      status: done || signer === 1 ? "SIGNED" : "WAITING",
      since: "2026-12-05T09:00:00.000+01:00",
    })),
    xadesUrls: [],
    ...(done ? { padesUrl: `${API}/${jobId}/pades` } : {}),
  };
}

function sizeOf(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((total, entry) => total + statSync(path.join(entry.parentPath, entry.name)).size, 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/**
 * Loading the plugin module and registering its routes, in fresh processes (no module cache):
 * the median time with and without the plugin, both after express and the core client, which
 * Node-RED and the package's nodes load anyway. So this is what the plugin adds to a start.
 */
function pluginStartupMs(): number {
  const timed = (withPlugin: boolean) => `
    const express = require(require.resolve("express", { paths: [${JSON.stringify(nodeRedDir)}] }));
    require(${JSON.stringify(path.join(__dirname, "..", "src", "core"))});
    const started = process.hrtime.bigint();
    const app = express();
    if (${withPlugin}) {
      const pass = (_request, _response, next) => next();
      require(${JSON.stringify(path.join(__dirname, "..", "nodes", "cockpit", "signering-cockpit.js"))})({
        plugins: { registerPlugin: (_id, definition) => definition.onadd() },
        auth: { needsPermission: () => pass },
        httpAdmin: app,
      });
    }
    process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));`;
  const runs = (code: string) => Array.from({ length: 9 }, () => Number(execFileSync(process.execPath, ["-e", code]).toString()));
  return median(runs(timed(true))) - median(runs(timed(false)));
}

export async function runCockpitBenchmark(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "cockpit-bench-"));
  try {
    const store = localFileSystem({ dir, cache: true, flushInterval: 30, settings: { userDir: dir } });
    await store.open();
    const journal = new Journal({ store: journalStoreOf(store) });
    await journal.idle();
    const started = process.hrtime.bigint();
    const cpuBefore = process.cpuUsage();
    for (let index = 0; index < JOBS; index += 1) {
      const jobId = String(100_000 + index);
      journal.jobCreated(created(jobId));
      journal.statusReceived(status(jobId, false), { id: "0011223344556677" });
      journal.statusReceived(status(jobId, true), { id: "0011223344556677" });
    }
    await journal.idle();
    const perJobUs = Number(process.hrtime.bigint() - started) / 1e3 / JOBS;
    // CPU time as well as wall time: on a shared machine the wall clock also counts other processes' turns.
    const cpu = process.cpuUsage(cpuBefore);
    const perJobCpuUs = (cpu.user + cpu.system) / JOBS;
    await store.close();
    const bytes = sizeOf(dir);

    const reopened = localFileSystem({ dir, cache: true, flushInterval: 30, settings: { userDir: dir } });
    const opening = process.hrtime.bigint();
    await reopened.open();
    const full = new Journal({ store: journalStoreOf(reopened) });
    await full.idle();
    const openMs = Number(process.hrtime.bigint() - opening) / 1e6;
    await reopened.close();

    const startupMs = pluginStartupMs();
    const verdict = (ok: boolean) => (ok ? "ok" : "SLOW");
    process.stdout.write(
      [
        `cockpit journal: ${JOBS} jobs (creation + 2 statuses each) in a localfilesystem store: ${perJobCpuUs.toFixed(0)} µs CPU (${perJobUs.toFixed(0)} µs wall) per job (target < 1,000) ${verdict(perJobCpuUs < 1000)}`,
        `cockpit journal: ${full.size} jobs kept (bound 1,000), ${(bytes / 1024).toFixed(0)} KiB on disk (target < 2 MiB) ${verdict(full.size === 1000 && bytes < 2 * 1024 * 1024)}`,
        `cockpit journal: opening a full journal (read file, index 1,000 jobs) ${openMs.toFixed(1)} ms (target < 500) ${verdict(openMs < 500)}`,
        `cockpit plugin: start-up (load module, register routes) ${startupMs.toFixed(1)} ms, medians of 9 fresh processes (target < 50) ${verdict(startupMs < 50)}`,
        "",
      ].join("\n"),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runCockpitBenchmark().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
