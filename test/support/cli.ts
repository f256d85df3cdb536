import { execFile } from "node:child_process";
import path from "node:path";
import { repositoryRoot } from "./reference";

/** The built CLI, run as users run it: `node dist/src/cli/main.js …`. */
export const cliPath = path.join(repositoryRoot, "dist", "src", "cli", "main.js");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to its end, with `env` added to this process's environment. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
