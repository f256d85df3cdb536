/**
 * One Node-RED runtime as a process of its own, with this package installed in its user
 * directory and the given flows file deployed. Prints `{"url":…}` once the flows run, and runs
 * until killed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { startNodeRedHost } from "../../src/cli/node-red-host";

/**
 * With SOAK_HEAP_FILE set, SIGUSR2 runs a full garbage collection and writes the heap used after
 * it to that file: the number that shows whether the runtime keeps something per job.
 */
function reportHeapOnSignal(file: string): void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  process.on("SIGUSR2", () => {
    gc();
    writeFileSync(file, String(process.memoryUsage().heapUsed));
  });
}

async function main(): Promise<void> {
  const [userDir, port, flowsFile] = process.argv.slice(2) as [string, string, string];
  if (process.env.SOAK_HEAP_FILE) reportHeapOnSignal(process.env.SOAK_HEAP_FILE);
  const host = await startNodeRedHost({
    userDir,
    port: Number(port),
    flows: JSON.parse(readFileSync(flowsFile, "utf8")) as Record<string, unknown>[],
    logLevel: "warn",
  });
  process.stdout.write(`${JSON.stringify({ url: host.url })}\n`);
  process.once("SIGTERM", () => void host.stop().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
