/**
 * The shared pacer against the emulator's rate limit (10 calls in any second, then a 30 s block),
 * client and emulator in one process:
 * - the rate two clients of one organization hold together (target: no 429, at most 10 a second);
 * - the worst wait of an innocent new job while one job's status is flooded with 300 look-ups with
 *   made-up tokens, beside the same job's time on a quiet client (target: within a slot or two,
 *   i.e. about a second, of the quiet time; behind the whole flood it would be over 35 s).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type DirectJob, PacerRefusedError, RateLimitedError, SigneringClient } from "../src/core";
import { type RunningEmulator, startEmulator } from "../src/emulator";

const FLOOD = 300;
const CALLS_PER_CLIENT = 40;

function clientOf(emulator: RunningEmulator): SigneringClient {
  return new SigneringClient({
    environment: { url: emulator.apiRoot },
    keystore: { pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword },
    trustedCertificates: emulator.caCertificatePem,
  });
}

async function timed(operation: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await operation();
  return performance.now() - started;
}

/** Two clients, `CALLS_PER_CLIENT` calls each at once: the rate they hold together and the busiest second of answers. */
async function sharedRate(first: SigneringClient, second: SigneringClient): Promise<string> {
  const answered: number[] = [];
  const started = performance.now();
  const outcomes = await Promise.all(
    [first, second].flatMap((client, which) =>
      Array.from({ length: CALLS_PER_CLIENT }, (_, index) =>
        client.archive.getPades(`bench-${which}-${index}`).then(
          () => "found",
          (error: unknown) => {
            answered.push(performance.now());
            return error instanceof RateLimitedError ? "rate limited" : "not found";
          },
        ),
      ),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const busiest = Math.max(...answered.map((time) => answered.filter((other) => other >= time && other < time + 1000).length));
  const limited = outcomes.filter((outcome) => outcome === "rate limited").length;
  const blocks = first.pacerStats()?.rateLimitBlocks ?? 0;
  return (
    `pacer shared rate  ${((2 * CALLS_PER_CLIENT) / seconds).toFixed(1)} calls/s held by two clients (${2 * CALLS_PER_CLIENT} calls in ${seconds.toFixed(1)} s), ` +
    `busiest second ${busiest}, ${limited} answered 429, ${blocks} rate-limit blocks; target ≤ 10/s and no block ${busiest <= 10 && blocks === 0 ? "ok" : "MISSED"}`
  );
}

/** One job's status flooded, and an innocent job created at the same time. */
async function floodedStart(client: SigneringClient, job: DirectJob): Promise<string> {
  const quiet = await timed(() => client.direct.createJob(job));
  await new Promise((resolve) => setTimeout(resolve, 1_100)); // the window empties
  const flooded = await client.direct.createJob(job);
  const flood = Array.from({ length: FLOOD }, (_, index) =>
    client.direct.getStatus(flooded.statusUrl as string, `made-up-${index}`).then(
      () => "answered",
      (error: unknown) => (error instanceof PacerRefusedError ? "refused" : "looked up"),
    ),
  );
  const innocent = await timed(() => client.direct.createJob(job));
  const outcomes = await Promise.all(flood);
  const refused = outcomes.filter((outcome) => outcome === "refused").length;
  const extra = innocent - quiet;
  return (
    `pacer flood        innocent new job ${innocent.toFixed(0)} ms under ${FLOOD} look-ups of one job (${quiet.toFixed(0)} ms quiet, +${extra.toFixed(0)} ms); ` +
    `${FLOOD - refused} look-ups sent, ${refused} refused at once; queue bound 10 per job, 200 in all, 30 s; target +≤ 1,250 ms ${extra <= 1_250 ? "ok" : "MISSED"}`
  );
}

export async function runPacerBenchmark(): Promise<void> {
  const emulator = await startEmulator({ rateLimit: { callsPerSecond: 10, blockSeconds: 30 }, emptyQueueWaitSeconds: 0 });
  const first = clientOf(emulator);
  const second = clientOf(emulator);
  const pdf = readFileSync(path.join(__dirname, "..", "..", "test", "fixtures", "test-documents", "PDF-1-4-testdokument.pdf"));
  const job: DirectJob = {
    title: "Benchmark",
    documents: [{ title: "Document", content: pdf }],
    signers: [{ personalIdentificationNumber: "01019010046" }],
    exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no", error: "https://example.com/err" },
  };
  try {
    await first.direct.createJob(job); // warm-up: connections, schema worker
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    console.log(await sharedRate(first, second));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    console.log(await floodedStart(first, job));
  } finally {
    await Promise.all([first.close(), second.close()]);
    await emulator.close();
  }
}

if (require.main === module) {
  runPacerBenchmark().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
