import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { request } from "undici";
import type { RunningEmulator } from "../../src/emulator";
import type { EmulatorConnection } from "./emulator";

/**
 * An emulator in a child process, for attacks that would hang or kill the process they run in:
 * a stalled child fails the test instead of hanging it, and its memory can be measured alone.
 */
export interface ChildEmulator extends EmulatorConnection, Pick<RunningEmulator, "controlUrl" | "signerWebUrl" | "dataDir"> {
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startChildEmulator(prefix: string): Promise<ChildEmulator> {
  const dataDir = mkdtempSync(path.join(tmpdir(), prefix));
  const script = `require(${JSON.stringify(path.join(__dirname, "..", "..", "src", "emulator"))}).startEmulator({ dataDir: ${JSON.stringify(dataDir)}, rateLimit: false }).then((emulator) => console.log(JSON.stringify(emulator)));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const [line] = (await once(createInterface({ input: child.stdout! }), "line")) as [string];
  const started = JSON.parse(line) as RunningEmulator;
  return {
    ...started,
    caCertificatePem: readFileSync(started.caCertificateFile, "utf8"),
    child,
    stop: async () => {
      child.kill("SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await once(child, "exit");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The child's peak resident memory so far (Linux reports it as VmHWM). */
export function peakResidentBytes(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]) * 1024;
}

/**
 * Runs the attack while asking the control API for the time every 100 ms; returns its result,
 * how long it took and the slowest answer. An answer that takes more than 5 s counts as none: the
 * test fails rather than wait on a stalled emulator.
 */
export async function whileAsking<T>(
  emulator: Pick<RunningEmulator, "controlUrl">,
  attack: () => Promise<T>,
): Promise<{ result: T; slowestMs: number; tookMs: number }> {
  let slowestMs = 0;
  let attacking = true;
  const asking = (async () => {
    while (attacking) {
      const started = performance.now();
      const response = await request(`${emulator.controlUrl}/clock`, { signal: AbortSignal.timeout(5000) });
      assert.equal(response.statusCode, 200);
      await response.body.dump();
      slowestMs = Math.max(slowestMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  const started = performance.now();
  try {
    // A control API that stops answering fails the test at once, whether or not the attack ever ends.
    const result = await Promise.race([attack(), asking.then(() => new Promise<never>(() => undefined))]);
    return { result, slowestMs, tookMs: performance.now() - started };
  } finally {
    attacking = false;
    await asking.catch(() => undefined);
  }
}
