import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { repositoryRoot } from "../support/reference";

/**
 * The package as a user gets it: packed from a clean clone, installed with `--omit=dev` into a
 * bare Node-RED user directory, and run by the `node-red` command in a process of its own.
 */

const run = promisify(execFile);

export const PACKAGE_NAME = "@posten-signering-community/node-red-posten-signering";

const PACK_TIMEOUT_MS = 6 * 60_000;

/**
 * The tarball under test: `PACKAGE_TARBALL` (CI packs once for every run), else one packed by
 * scripts/pack-clean-clone.sh from HEAD and kept per commit, so the test files of one
 * `npm test` pack once between them (a lock directory keeps a second file waiting).
 */
export async function packedTarball(): Promise<string> {
  if (process.env.PACKAGE_TARBALL) return path.resolve(process.env.PACKAGE_TARBALL);
  const { stdout: commit } = await run("git", ["rev-parse", "HEAD"], { cwd: repositoryRoot });
  const packs = path.join(tmpdir(), "posten-signering-packs");
  const done = path.join(packs, commit.trim());
  const lock = `${done}.lock`;
  mkdirSync(packs, { recursive: true });
  const deadline = Date.now() + PACK_TIMEOUT_MS;
  while (!existsSync(done)) {
    if (Date.now() > deadline) throw new Error(`no tarball for ${commit.trim()} within ${PACK_TIMEOUT_MS} ms (is ${lock} left over?)`);
    try {
      mkdirSync(lock);
    } catch {
      await sleep(1000); // another test file is packing this commit
      continue;
    }
    try {
      const partial = `${done}.partial`;
      rmSync(partial, { recursive: true, force: true });
      await run(path.join(repositoryRoot, "scripts", "pack-clean-clone.sh"), [partial], { timeout: PACK_TIMEOUT_MS });
      renameSync(partial, done);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  const [tarball] = readdirSync(done).filter((file) => file.endsWith(".tgz"));
  if (!tarball) throw new Error(`${done} holds no tarball`);
  return path.join(done, tarball);
}

/** A bare user directory with the tarball installed as Node-RED's palette manager installs a package. */
export async function installInto(userDir: string, tarball: string): Promise<void> {
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path.join(userDir, "package.json"), JSON.stringify({ name: "node-red-project", version: "0.0.1", private: true }));
  const flags = ["--no-audit", "--no-update-notifier", "--no-fund", "--save", "--save-prefix=~", "--omit=dev", "--engine-strict"];
  await run("npm", ["install", ...flags, "--prefer-offline", tarball], { cwd: userDir, timeout: PACK_TIMEOUT_MS });
}

/** The installed package's root in a user directory. */
export function installedPackage(userDir: string): string {
  return path.join(userDir, "node_modules", ...PACKAGE_NAME.split("/"));
}

/** The node types the installed package declares (its package.json's `node-red.nodes` keys). */
export function declaredNodeTypes(userDir: string): string[] {
  const manifest = JSON.parse(readFileSync(path.join(installedPackage(userDir), "package.json"), "utf8")) as {
    "node-red": { nodes: Record<string, string> };
  };
  return Object.keys(manifest["node-red"].nodes);
}

/** The Node-RED under test: NODE_RED_PATH (CI's Node-RED 5 run), else the development dependency. */
export function nodeRedCommand(): string {
  const root = process.env.NODE_RED_PATH ?? path.dirname(require.resolve("node-red/package.json"));
  return path.join(root, "red.js");
}

export interface NodeRedProcess {
  /** Everything it printed so far. */
  output(): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

/** `node-red --userDir … --settings …` in `cwd`, ready once its flows have started. */
export function startNodeRed(options: {
  userDir: string;
  settingsFile: string;
  cwd: string;
  env?: NodeJS.ProcessEnv;
}): Promise<NodeRedProcess> {
  const child = spawn(process.execPath, [nodeRedCommand(), "--userDir", options.userDir, "--settings", options.settingsFile], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Node-RED did not start its flows within ${READY_TIMEOUT_MS} ms:\n${output}`));
    }, READY_TIMEOUT_MS);
    const early = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`Node-RED exited with ${code} before its flows started:\n${output}`));
    };
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (/\[info\] Started flows/.test(output)) {
        clearTimeout(timer);
        child.off("exit", early);
        resolve({ output: () => output, stop: () => stop(child, exited) });
      }
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.once("exit", early);
  });
}

/** SIGTERM, as a container stop sends it; SIGKILL if it has not ended after 10 s. */
async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** What `posten-signering emulator` prints when it is ready. */
export interface EmulatorInfo {
  apiRoot: string;
  signerWebUrl: string;
  controlUrl: string;
  caCertificateFile: string;
  clientKeystoreFile: string;
  clientKeystorePassword: string;
}

/** The installed package's `posten-signering emulator`, as a process of its own, on free loopback ports. */
export function startEmulatorCommand(userDir: string, dataDir: string): Promise<{ info: EmulatorInfo; stop(): Promise<void> }> {
  const bin = path.join(userDir, "node_modules", ".bin", "posten-signering");
  const child = spawn(bin, ["emulator", "--port", "0", "--web-port", "0", "--data-dir", dataDir], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the emulator printed nothing within ${READY_TIMEOUT_MS} ms: ${errors}`));
    }, READY_TIMEOUT_MS);
    const early = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`the emulator exited with ${code}: ${errors}`));
    };
    child.once("exit", early);
    createInterface({ input: child.stdout }).once("line", (line) => {
      clearTimeout(timer);
      child.off("exit", early);
      resolve({ info: JSON.parse(line) as EmulatorInfo, stop: () => stop(child, exited) });
    });
  });
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}
