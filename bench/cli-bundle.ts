/**
 * `posten-signering bundle` as a whole process, side by side with a floor that does the same
 * irreducible work with C-backed tools: read and SHA-256 each file (`sha256sum`), write a stored
 * zip (`zip -0`), take the key out of the PKCS#12 and make one RSA signature (`openssl pkcs12`,
 * `openssl dgst -sha256 -sign`). Targets: 20 x 10 MB within 1.5x the floor with peak RSS below
 * the inputs plus 100 MB; 1 x 200 KB within a bare `node -e 0` + 60 ms, the part of any Node.js
 * command no code of ours can remove. Runs are interleaved (CLI, floor, bare node), medians.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { TestCertificateAuthority, toPkcs12 } from "../src/emulator/pki";

const CLI = path.join(__dirname, "..", "src", "cli", "main.js");
const PASSWORD = "bench-password";

interface Measured {
  ms: number;
  /** Peak resident set of the process, from /proc (0 where it cannot be read). */
  peakRssBytes: number;
}

/** Runs a command to completion, sampling its peak RSS (VmHWM) while it runs. */
function measure(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    let peakRssBytes = 0;
    const sample = () => {
      try {
        const kilobytes = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1];
        if (kilobytes) peakRssBytes = Math.max(peakRssBytes, Number(kilobytes) * 1024);
      } catch {
        // the process has ended between two samples
      }
    };
    const sampler = setInterval(sample, 2);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearInterval(sampler);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0) reject(new Error(`${command} ${args.join(" ")} exited ${code}: ${stderr}`));
      else resolve({ ms, peakRssBytes });
    });
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function prepare(dir: string, count: number, size: number): { jobFile: string; files: string[] } {
  const files = Array.from({ length: count }, (_, index) => {
    const file = path.join(dir, `document-${index}.pdf`);
    const content = randomBytes(size);
    content.write("%PDF-1.7\n", 0, "latin1");
    writeFileSync(file, content);
    return file;
  });
  const jobFile = path.join(dir, "job.json");
  writeFileSync(
    jobFile,
    JSON.stringify({
      flow: "direct",
      title: "Benchmark",
      sender: { organizationNumber: "123456785" },
      documents: files.map((file, index) => ({ title: `Document ${index}`, file: path.basename(file) })),
      signers: [{ personalIdentificationNumber: "01019010046" }],
      exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no", error: "https://example.com/err" },
    }),
  );
  return { jobFile, files };
}

export async function runCliBundleBenchmark(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-cli-bundle-"));
  try {
    const issued = TestCertificateAuthority.create().issueEnterpriseCertificate({ organizationNumber: "123456785" });
    const keystore = path.join(dir, "sender.p12");
    writeFileSync(keystore, toPkcs12(issued, { password: PASSWORD }));
    const env = { ...process.env, BENCH_P12_PASSWORD: PASSWORD };
    const bare = () => measure(process.execPath, ["-e", "0"]);
    const cases = [
      // A one-shot bundle is held to Node's own start (the C tools finish before a bare node has started).
      { label: "1 x 200 KB", count: 1, size: 200 * 1024, runs: 21, overNodeMs: 60 },
      { label: "20 x 10 MB", count: 20, size: 10 * 1024 * 1024, runs: 5, target: 1.5 },
    ];
    for (const { label, count, size, runs, target, overNodeMs } of cases) {
      const caseDir = mkdtempSync(path.join(dir, "case-"));
      const { jobFile, files } = prepare(caseDir, count, size);
      const out = path.join(caseDir, "out.asice");
      const floorZip = path.join(caseDir, "floor.zip");
      const floorScript =
        `sha256sum ${files.map((file) => `'${file}'`).join(" ")} > /dev/null && rm -f '${floorZip}' && ` +
        `zip -0 -q -j '${floorZip}' ${files.map((file) => `'${file}'`).join(" ")} && ` +
        `openssl pkcs12 -in '${keystore}' -nocerts -nodes -passin env:BENCH_P12_PASSWORD 2>/dev/null | ` +
        `openssl dgst -sha256 -sign /dev/stdin '${jobFile}' > /dev/null`;
      const cli = () =>
        measure(
          process.execPath,
          [CLI, "bundle", "--job", jobFile, "--keystore", keystore, "--keystore-password-env", "BENCH_P12_PASSWORD", "--out", out],
          env,
        );
      const floor = () => measure("sh", ["-c", floorScript], env);
      await cli(); // warm-up: the files in the page cache, the modules compiled
      await floor();
      const cliRuns: Measured[] = [];
      const floorRuns: Measured[] = [];
      const bareRuns: Measured[] = [];
      for (let run = 0; run < runs; run++) {
        cliRuns.push(await cli());
        floorRuns.push(await floor());
        bareRuns.push(await bare());
      }
      const cliMs = median(cliRuns.map((run) => run.ms));
      const floorMs = median(floorRuns.map((run) => run.ms));
      const bareMs = median(bareRuns.map((run) => run.ms));
      const ratio = cliMs / floorMs;
      const inputsMb = (count * size) / 1024 / 1024;
      const peakMb = Math.max(...cliRuns.map((run) => run.peakRssBytes)) / 1024 / 1024;
      const rssOk = peakMb < inputsMb + 100;
      console.log(
        `cli bundle ${label.padEnd(11)} ${cliMs.toFixed(0).padStart(6)} ms, floor ${floorMs.toFixed(0).padStart(6)} ms: ` +
          `${ratio.toFixed(2)}x` +
          (target === undefined ? "; " : ` (target <= ${target}x) ${ratio <= target ? "ok" : "SLOW"}; `) +
          `peak RSS ${peakMb.toFixed(0)} MB with ${inputsMb.toFixed(0)} MB of inputs (target < ${(inputsMb + 100).toFixed(0)} MB) ${rssOk ? "ok" : "HIGH"}`,
      );
      const overNode = cliMs - bareMs;
      console.log(
        `cli bundle ${label.padEnd(11)} node -e 0 ${bareMs.toFixed(0)} ms, the bundle ${overNode.toFixed(0)} ms more` +
          (overNodeMs === undefined ? "" : ` (target <= +${overNodeMs} ms) ${overNode <= overNodeMs ? "ok" : "SLOW"}`),
      );
      rmSync(caseDir, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runCliBundleBenchmark().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
