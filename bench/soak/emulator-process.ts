/**
 * The emulator as a process of its own for the soak test and benchmark: the public
 * `startEmulator` with the options a soak needs (fixed ports so a restart keeps every URL, a
 * short redelivery window). Prints one JSON line, like `posten-signering emulator`, and runs
 * until killed.
 */
import { startEmulator } from "../../src/emulator";

interface EmulatorProcessOptions {
  port: number;
  webPort: number;
  dataDir: string;
  redeliverySeconds: number;
  rateLimit: boolean;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as EmulatorProcessOptions;
  const emulator = await startEmulator({
    port: options.port,
    webPort: options.webPort,
    dataDir: options.dataDir,
    redeliverySeconds: options.redeliverySeconds,
    emptyQueueWaitSeconds: 1,
    ...(options.rateLimit ? {} : { rateLimit: false as const }),
  });
  process.stdout.write(`${JSON.stringify(emulator)}\n`);
  process.once("SIGTERM", () => void emulator.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
