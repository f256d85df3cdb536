import path from "node:path";
import { InvalidInputError } from "../core/errors";
import { startEmulator } from "../emulator";
import type { CliOptions } from "./options";

/** Default data directory: state survives restarts when started from the same folder. */
const DEFAULT_DATA_DIR = ".posten-signering-emulator";

/** Runs the emulator until SIGINT or SIGTERM; prints one JSON line with how to reach it. */
export async function runEmulatorCommand(options: CliOptions): Promise<undefined> {
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidInputError("--port", `must be a port number 0-65535, was "${options.port}"`);
  const emulator = await startEmulator({ port, dataDir: path.resolve(options["data-dir"] ?? DEFAULT_DATA_DIR) });
  process.stdout.write(`${JSON.stringify(emulator)}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await emulator.close();
  return undefined;
}
