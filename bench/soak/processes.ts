import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

/** A child process that prints one JSON line when ready; killed with SIGKILL or stopped with SIGTERM. */
export interface Child<Info> {
  info: Info;
  pid: number;
  /** Resident set size in MB, from /proc. */
  rssMb(): number;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** Starts `node script ...args`; its stderr goes to `logFile`. */
export function startChild<Info>(script: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = {}): Promise<Child<Info>> {
  const child = spawn(process.execPath, [path.join(__dirname, script), ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stderr?.on("data", (chunk: Buffer) => appendFileSync(logFile, chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} was not ready within ${READY_TIMEOUT_MS} ms; see ${logFile}`));
    }, READY_TIMEOUT_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready: ${tail(logFile)}`));
    });
    // Node-RED logs to stdout too: the ready line is the first JSON object; the rest goes to the log.
    let ready = false;
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if (ready || !line.startsWith("{")) return appendFileSync(logFile, `${line}\n`);
      ready = true;
      clearTimeout(timer);
      child.removeAllListeners("exit");
      resolve(handle(child, JSON.parse(line) as Info));
    });
  });
}

function handle<Info>(child: ChildProcess, info: Info): Child<Info> {
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    info,
    pid: child.pid as number,
    rssMb: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1] ?? NaN) / 1024,
    kill9: () => {
      child.kill("SIGKILL");
      return exited;
    },
    stop: () => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").slice(-2000);
  } catch {
    return "(no output)";
  }
}
