import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { repositoryRoot } from "./reference";

/** `npm start` as a user runs it, without the build: the compiled CLI as a process of its own. */

const READY_TIMEOUT_MS = 60_000;

export interface NpmStart {
  child: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

/** Starts `posten-signering start` in `workDir` on `port` with `userDir`, and waits until its flows run. */
export function npmStart(workDir: string, port: number, userDir: string, args: string[] = []): Promise<NpmStart> {
  const child = spawn(process.execPath, [path.join(repositoryRoot, "dist", "src", "cli", "main.js"), "start", ...args], {
    cwd: workDir,
    env: { ...process.env, PORT: String(port), NODE_RED_USER_DIR: userDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start was not ready within ${READY_TIMEOUT_MS} ms: ${output}`)), READY_TIMEOUT_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      // Ready once the flows run and the built-in emulator has reported its pages.
      if (/Sign a document end to end/.test(output) && /Built-in emulator/.test(output)) {
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}: ${output}`));
    });
  });
}

/** Ends the process the way a crash or `kill -9` does. */
export function kill9(child: ChildProcess): Promise<void> {
  child.removeAllListeners("exit");
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  return exited;
}
