#!/usr/bin/env node
/**
 * posten-signering: the Posten signering client on the command line. Results are JSON on
 * stdout; errors are a few lines on stderr with a non-zero exit (2 for usage, 1 for the rest).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { InvalidInputError, SigneringError } from "../core/errors";
import { COMMANDS, optionsOf } from "./commands";
import { commandHelp, overview } from "./help";
import { nearest } from "./nearest";
import { parseCommandLine, UsageError } from "./options";

const USAGE_ERROR = 2;
const FAILURE = 1;

export async function main(argv: string[]): Promise<number> {
  let command: string | undefined;
  let options: ReturnType<typeof parseCommandLine>["options"];
  try {
    ({ command, options } = parseCommandLine(argv, optionsOf));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageError(error.message, error.command);
  }
  const asksHelp = options.help === true || command === "help";
  // `posten-signering help bundle` is `posten-signering bundle --help`.
  if (command === "help") command = argv.filter((arg) => !arg.startsWith("-"))[1];
  if (options.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (command === undefined) {
    process.stdout.write(overview());
    return asksHelp ? 0 : USAGE_ERROR;
  }
  const handler = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!handler) {
    const suggestion = command.length <= 64 ? nearest(command, Object.keys(COMMANDS)) : undefined;
    return usageError(`unknown command "${command}"${suggestion ? `; did you mean ${suggestion}?` : ""}`);
  }
  if (asksHelp) {
    process.stdout.write(commandHelp(command, handler));
    return 0;
  }
  try {
    const result = await handler.run(options, argv.slice(1));
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return handler.exitCode?.(result) ?? 0;
  } catch (error) {
    if (error instanceof UsageError) return usageError(error.message, command);
    process.stderr.write(describeFailure(command, error));
    return error instanceof InvalidInputError && error.field.startsWith("--") ? USAGE_ERROR : FAILURE;
  }
}

function usageError(message: string, command?: string): number {
  const help = command && Object.hasOwn(COMMANDS, command) ? `posten-signering ${command} --help` : "posten-signering --help";
  process.stderr.write(`posten-signering: ${message}\nSee "${help}".\n`);
  return USAGE_ERROR;
}

/** One line, or for input with several problems, a line for each. */
function describeFailure(command: string, error: unknown): string {
  const code = error instanceof SigneringError ? ` [${error.code}]` : "";
  if (error instanceof InvalidInputError && error.problems.length > 1) {
    const lines = error.problems.map((problem) => `  ${problem.message}\n`).join("");
    return `posten-signering ${command}: ${error.problems.length} problems${code}\n${lines}`;
  }
  return `posten-signering ${command}: ${(error as Error).message}${code}\n`;
}

function version(): string {
  // dist/src/cli/main.js → the package's root.
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
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
