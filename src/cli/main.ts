#!/usr/bin/env node
/**
 * posten-signering: the Posten signering client on the command line. Results are JSON on
 * stdout; errors are one line on stderr with a non-zero exit (2 for usage, 1 for the rest).
 */
import { SigneringError } from "../core/errors";
import { COMMANDS, CONNECTION_OPTIONS } from "./commands";
import { parseCommandLine } from "./options";

const USAGE_ERROR = 2;
const FAILURE = 1;

function help(): string {
  const lines = Object.values(COMMANDS).map((command) => `  posten-signering ${command.usage}\n      ${command.summary}`);
  return (
    `Usage:\n${lines.join("\n")}\n\nConnection options:\n  ${CONNECTION_OPTIONS}\n\n` +
    "The keystore password is read from the environment variable named by --keystore-password-env.\n" +
    "--env test and qa are Posten's test services (difitest, difiqa); the CA certificates of each environment are built in.\n" +
    "Timeouts are in milliseconds; --proxy http://[user:password@]host:port (credentials are never printed).\n"
  );
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    process.stderr.write(`posten-signering: ${(error as Error).message}\n${help()}`);
    return USAGE_ERROR;
  }
  const { command, options } = parsed;
  if (options.help || command === undefined || command === "help") {
    process.stdout.write(help());
    return command === undefined && !options.help ? USAGE_ERROR : 0;
  }
  const handler = COMMANDS[command];
  if (!handler) {
    process.stderr.write(`posten-signering: unknown command "${command}"\n${help()}`);
    return USAGE_ERROR;
  }
  try {
    const result = await handler.run(options, argv.slice(1));
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return handler.exitCode?.(result) ?? 0;
  } catch (error) {
    const code = error instanceof SigneringError ? ` [${error.code}]` : "";
    process.stderr.write(`posten-signering ${command}: ${(error as Error).message}${code}\n`);
    return error instanceof SigneringError && error.code === "INVALID_INPUT" && /^--/.test((error as { field?: string }).field ?? "")
      ? USAGE_ERROR
      : FAILURE;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`posten-signering: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = FAILURE;
    },
  );
}
