/**
 * Document bundle benchmark: time to build and stream an ASiC-E bundle into a sink, and peak RSS
 * for the largest case. Targets: 1 x 200 KB < 3 ms; 3 x 2 MB < 30 ms; 20 x 10 MB < 1 s with peak
 * RSS below the inputs plus 150 MB.
 */
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createDocumentBundle, documentFileName } from "../src/core/bundle";
import { loadCredentials } from "../src/core/keys";
import { TestCertificateAuthority } from "../src/emulator/pki";

const issued = TestCertificateAuthority.create().issueEnterpriseCertificate();
const credentials = loadCredentials({ certificatePem: issued.chainPem, privateKeyPem: issued.keyPem });

function syntheticPdf(size: number, seed: number): Buffer {
  const content = Buffer.alloc(size, seed);
  content.write("%PDF-1.7\n", 0, "latin1");
  return content;
}

async function bundleOnce(documents: Buffer[]): Promise<number> {
  const started = process.hrtime.bigint();
  const bundle = createDocumentBundle({
    documents: documents.map((content, index) => ({
      fileName: documentFileName(index, `Document ${index}`),
      content,
      mimeType: "application/pdf",
    })),
    manifestXml: "<manifest/>",
    credentials,
  });
  let written = 0;
  await pipeline(bundle.stream(), new Writable({ write: (chunk: Buffer, _encoding, callback) => ((written += chunk.length), callback()) }));
  if (written !== bundle.size) throw new Error(`streamed ${written} bytes, announced ${bundle.size}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export async function runBundleBenchmark(): Promise<void> {
  const cases: { label: string; count: number; size: number; runs: number; targetMs: number }[] = [
    { label: "1 x 200 KB", count: 1, size: 200 * 1024, runs: 200, targetMs: 3 },
    { label: "3 x 2 MB", count: 3, size: 2 * 1024 * 1024, runs: 30, targetMs: 30 },
    { label: "20 x 10 MB", count: 20, size: 10 * 1024 * 1024, runs: 5, targetMs: 1000 },
  ];
  for (const { label, count, size, runs, targetMs } of cases) {
    const documents = Array.from({ length: count }, (_, index) => syntheticPdf(size, index));
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 5);
    await bundleOnce(documents); // warm-up
    const times: number[] = [];
    for (let run = 0; run < runs; run++) times.push(await bundleOnce(documents));
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const inputsMb = (count * size) / 1024 / 1024;
    const verdict = median(times) < targetMs ? "ok" : "SLOW";
    console.log(
      `bundle ${label.padEnd(11)} median ${median(times).toFixed(2).padStart(8)} ms (target < ${targetMs} ms) ${verdict}; ` +
        `peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MB with ${inputsMb.toFixed(0)} MB of inputs, ` +
        `RSS growth after the inputs were allocated ${((peakRss - rssBefore) / 1024 / 1024).toFixed(0)} MB`,
    );
  }
}

if (require.main === module) {
  runBundleBenchmark().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
