/**
 * One Node-RED runtime as a process of its own, with this package installed in its user
 * directory and the given flows file deployed. Prints `{"url":…}` once the flows run, and runs
 * until killed.
 */
import { readFileSync } from "node:fs";
import { startNodeRedHost } from "../../src/cli/node-red-host";

async function main(): Promise<void> {
  const [userDir, port, flowsFile] = process.argv.slice(2) as [string, string, string];
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
