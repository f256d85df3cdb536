/**
 * Emulator throughput with the rate limit off: jobs created per second (each with schema
 * validation, full XAdES verification, PDF checks and the journal write) and status-queue polls
 * per second, over keep-alive mutual TLS with 16 requests in flight. The client runs in the same
 * process, so its bundle signing shares the CPU with the emulator: the numbers are conservative.
 * Targets: 100 jobs/s and 2,000 polls/s on a 2-core machine.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type DirectJob, SigneringClient } from "../src/core";
import { startEmulator } from "../src/emulator";

const CONCURRENCY = 16;
const ROUNDS = 3;

async function rate(total: number, operation: () => Promise<unknown>): Promise<number> {
  let started = 0;
  const begin = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started < total) {
        started += 1;
        await operation();
      }
    }),
  );
  return total / (Number(process.hrtime.bigint() - begin) / 1e9);
}

async function measure(label: string, total: number, target: number, operation: () => Promise<unknown>): Promise<void> {
  const rates: number[] = [];
  for (let round = 0; round < ROUNDS; round++) rates.push(await rate(total, operation));
  const median = [...rates].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)] as number;
  const rounds = rates.map((value) => value.toFixed(0)).join(", ");
  console.log(
    `emulator ${label.padEnd(13)} ${median.toFixed(0).padStart(6)}/s median of ${ROUNDS} rounds of ${total} (${rounds}); target ${target}/s ${median >= target ? "ok" : "BELOW TARGET"}`,
  );
}

export async function runEmulatorBenchmark(): Promise<void> {
  const emulator = await startEmulator({ rateLimit: false, emptyQueueWaitSeconds: 0 });
  const client = new SigneringClient({
    environment: { url: emulator.apiRoot },
    keystore: { pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword },
    trustedCertificates: emulator.caCertificatePem,
    rateLimit: false,
  });
  const pdf = readFileSync(path.join(__dirname, "..", "..", "test", "fixtures", "test-documents", "PDF-1-4-testdokument.pdf"));
  try {
    const job: DirectJob = {
      title: "Benchmark",
      documents: [{ title: "Document", content: pdf }],
      signers: [{ personalIdentificationNumber: "01019010046" }],
      exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no", error: "https://example.com/err" },
    };
    await client.direct.createJob(job); // warm-up: connections, schema worker
    await measure("jobs created", 300, 100, () => client.direct.createJob(job));
    await measure("polls", 4000, 2000, () => client.portal.nextStatusChange({ pollingQueue: "bench" }));
    console.log(`emulator rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB after ${1 + 3 * 300} jobs`);
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
