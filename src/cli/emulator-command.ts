import path from "node:path";
import { InvalidInputError } from "../core/errors";
import { startEmulator, type RunningEmulator } from "../emulator";
import type { CliOptions } from "./options";

/** Default data directory: state survives restarts when started from the same folder. */
const DEFAULT_DATA_DIR = ".posten-signering-emulator";

/** Runs the emulator until SIGINT or SIGTERM; prints one JSON line with how to reach it. */
export async function runEmulatorCommand(options: CliOptions): Promise<undefined> {
  const emulator = await startEmulator({
    port: portOption("--port", options.port),
    webPort: portOption("--web-port", options["web-port"]),
    dataDir: path.resolve(options["data-dir"] ?? DEFAULT_DATA_DIR),
  });
  process.stdout.write(`${JSON.stringify(emulator)}\n`);
  process.stderr.write(`Check a connection to it (paste into a shell):\n  ${checkCommandFor(emulator)}\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await emulator.close();
  return undefined;
}

/**
 * A `check` of this emulator, ready to paste: its URL, CA file and keystore, the keystore's password
 * in an environment variable as the CLI takes it (it is the emulator's test password, not a secret).
 */
export function checkCommandFor(emulator: RunningEmulator): string {
  return [
    `EMULATOR_P12_PASSWORD=${shellQuoted(emulator.clientKeystorePassword)}`,
    "npx posten-signering check",
    `--env ${shellQuoted(emulator.apiRoot)}`,
    `--ca ${shellQuoted(emulator.caCertificateFile)}`,
    `--keystore ${shellQuoted(emulator.clientKeystoreFile)}`,
    "--keystore-password-env EMULATOR_P12_PASSWORD",
  ].join(" ");
}

/** A word for a POSIX shell: as it is when it holds only safe characters, else in single quotes. */
function shellQuoted(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** Not given: the port of the last start on the data directory (or a free one); 0: a new free port. */
function portOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port <= 65535)) throw new InvalidInputError(flag, `must be a port number 0-65535, was "${value}"`);
  return port;
}
