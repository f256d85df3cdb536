/**
 * Emulator throughput with the rate limit off: jobs created per second (each with full schema
 * validation and XAdES verification) and status-queue polls per second, over keep-alive mTLS.
 * Targets: 100 jobs/s and 2,000 polls/s on a 2-core machine.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { SigneringClient } from "../src/core";
import { startEmulator } from "../src/emulator";

const CONCURRENCY = 16;

async function measure(label: string, total: number, targetPerSecond: number, operation: () => Promise<unknown>): Promise<void> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) {
        next += 1;
        await operation();
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rate = total / seconds;
  console.log(`emulator ${label.padEnd(14)} ${rate.toFixed(0).padStart(6)}/s over ${total} (target ${targetPerSecond}/s) ${rate >= targetPerSecond ? "ok" : "BELOW TARGET"}`);
}

export async function runEmulatorBenchmark(): Promise<void> {
  const emulator = await startEmulator({ rateLimit: false, emptyQueueWaitSeconds: 0 });
  const client = new SigneringClient({
    environment: { url: emulator.apiRoot },
    keystore: { pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword },
    trustedCertificates: emulator.caCertificatePem,
    rateLimit: false,
  });
  const pdf = readFileSync(path.join(__dirname, "..", "..", "..", "shared", "reference", "test-documents", "PDF-1-4-testdokument.pdf"));
  try {
    const job = {
      title: "Benchmark",
      documents: [{ title: "Document", content: pdf }],
      signers: [{ personalIdentificationNumber: "01019010046" }],
      exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no", error: "https://example.com/err" },
    };
    await client.direct.createJob(job); // warm-up
    await measure("jobs created", 300, 100, () => client.direct.createJob(job));
    await measure("polls", 4000, 2000, () => client.portal.nextStatusChange({ pollingQueue: "bench" }));
  } finally {
    await client.close();
    await emulator.close();
  }
}

if (require.main === module) {
  runEmulatorBenchmark().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
