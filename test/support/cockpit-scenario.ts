import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { customEnvironment, KEYSTORE_ENV, PASSWORD_ENV, samplePdf } from "../../src/cli/demo";
import { exampleOnTab, freePort } from "../../src/cli/node-red-host";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { COCKPIT_USERS, type CockpitUser } from "./cockpit-runtime";

/**
 * Examples 1 (direct) and 2 (portal) in a Node-RED of their own process, against an emulator in
 * this one (so the test signs through its control API), with the cockpit's journal in a file
 * context store and adminAuth: what the cockpit's browser test and its screenshot script share.
 */

export const EXAMPLE_1_CONFIG = "a1c0nf1g00000001";
export const EXAMPLE_2_CONFIG = "a2c0nf1g00000001";
const EXAMPLE_2_BATCH = "a2i0000000000001";
const READY_TIMEOUT_MS = 60_000;

export interface CockpitWorld {
  readonly url: string;
  readonly emulator: RunningEmulator;
  /** The second runtime, when the world has one. */
  readonly secondUrl: string | undefined;
  /** SIGTERM and start again on the same port and user directory. */
  restart(): Promise<void>;
  close(): Promise<void>;
  /** An access token of `user` on the first runtime, or on the one at `runtime`. */
  token(user: CockpitUser, runtime?: string): Promise<string>;
}

export interface CockpitWorldOptions {
  /** A second runtime with the same flows, both keeping their journals in one shared store. */
  secondRuntimeOnSharedStore?: boolean;
}

export async function startCockpitWorld(options: CockpitWorldOptions = {}): Promise<CockpitWorld> {
  const workDir = mkdtempSync(path.join(tmpdir(), "cockpit-"));
  const emulator = await startEmulator({ dataDir: path.join(workDir, "emulator"), emptyQueueWaitSeconds: 1 });
  const userDir = path.join(workDir, "node-red");
  mkdirSync(userDir, { recursive: true });
  const flows = [
    ...exampleOnTab("01 Direct signing on a web site.json", "example-1", "Example 1: direct"),
    ...exampleOnTab("02 Portal batch with notifications and signing order.json", "example-2", "Example 2: portal"),
  ].map((node) =>
    node.type === "signering-config"
      ? { ...node, ...customEnvironment(emulator), name: node.id === EXAMPLE_1_CONFIG ? "Emulator, example 1" : "Emulator, example 2" }
      : node,
  );
  writeFileSync(path.join(userDir, "flows.json"), JSON.stringify(flows));
  // Example 2 reads contracts/ relative to Node-RED's file working directory, the user directory.
  const contracts = [
    ["employment-contract.pdf", await samplePdf("Employment contract")],
    ["nda.pdf", await samplePdf("Non-disclosure agreement")],
  ] as const;
  const writeContracts = (dir: string) => {
    mkdirSync(path.join(dir, "contracts"));
    for (const [name, pdf] of contracts) writeFileSync(path.join(dir, "contracts", name), pdf);
  };
  writeContracts(userDir);
  const env = {
    ...process.env,
    [KEYSTORE_ENV]: readFileSync(emulator.clientKeystoreFile).toString("base64"),
    [PASSWORD_ENV]: emulator.clientKeystorePassword,
  };
  const port = await freePort();
  const sharedContextDir = options.secondRuntimeOnSharedStore ? path.join(workDir, "shared-context") : undefined;
  let child = await startRuntime(workDir, { userDir, port, sharedContextDir }, env);
  const url = `http://127.0.0.1:${port}`;
  let second: { child: ChildProcess; url: string } | undefined;
  if (sharedContextDir) {
    const secondUserDir = path.join(workDir, "node-red-2");
    mkdirSync(secondUserDir);
    writeFileSync(path.join(secondUserDir, "flows.json"), JSON.stringify(flows));
    writeContracts(secondUserDir);
    const secondPort = await freePort();
    second = {
      child: await startRuntime(workDir, { userDir: secondUserDir, port: secondPort, sharedContextDir }, env),
      url: `http://127.0.0.1:${secondPort}`,
    };
  }
  return {
    url,
    secondUrl: second?.url,
    emulator,
    restart: async () => {
      await stop(child);
      child = await startRuntime(workDir, { userDir, port, sharedContextDir }, env);
    },
    close: async () => {
      await stop(child);
      if (second) await stop(second.child);
      await emulator.close();
      rmSync(workDir, { recursive: true, force: true });
    },
    token: async (user, runtime = url) => {
      const response = await fetch(`${runtime}/auth/token`, {
        method: "POST",
        body: new URLSearchParams({
          client_id: "node-red-editor",
          grant_type: "password",
          scope: "",
          username: user,
          password: COCKPIT_USERS[user].password,
        }),
      });
      if (!response.ok) throw new Error(`logging in as ${user}: HTTP ${response.status}`);
      return ((await response.json()) as { access_token: string }).access_token;
    },
  };
}

function startRuntime(
  workDir: string,
  runtime: { userDir: string; port: number; sharedContextDir: string | undefined },
  env: NodeJS.ProcessEnv,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(__dirname, "cockpit-runtime.js"), JSON.stringify(runtime)], {
    cwd: workDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Node-RED was not ready within ${READY_TIMEOUT_MS} ms: ${output}`)), READY_TIMEOUT_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (/READY /.test(output)) {
        clearTimeout(timer);
        child.stdout?.removeAllListeners("data");
        child.stdout?.resume();
        resolve(child);
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.COCKPIT_DEBUG) process.stderr.write(chunk);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Node-RED exited with ${code}: ${output}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  child.removeAllListeners("exit");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  return exited;
}

/** Example 1's upload form, as a browser posts it: the signer page and the return cookie. */
export async function startDirectJob(world: CockpitWorld): Promise<{ signerPage: string; cookie: string }> {
  const form = new FormData();
  form.set("pin", "01019010046");
  form.set("document", new Blob([Buffer.from(await samplePdf("Tenancy agreement"))], { type: "application/pdf" }), "tenancy-agreement.pdf");
  const started = await fetch(`${world.url}/signering/start`, { method: "POST", body: form, redirect: "manual" });
  const signerPage = started.headers.get("location");
  if (started.status !== 303 || !signerPage) throw new Error(`starting gave HTTP ${started.status}: ${await started.text()}`);
  const cookie = started.headers
    .getSetCookie()
    .map((header) => header.split(";")[0])
    .join("; ");
  return { signerPage, cookie };
}

/** The signer signs on the emulator's page and returns to example 1's exit URL, which reads the status. */
export async function signDirectJob(started: { signerPage: string; cookie: string }, returnTo?: string): Promise<void> {
  const page = await (await fetch(started.signerPage)).text();
  const action = /<form method="post" action="([^"]+\/sign)">/.exec(page)?.[1];
  if (!action) throw new Error("the signer page has no Sign button");
  const signed = await fetch(new URL(action, started.signerPage), { method: "POST", redirect: "manual" });
  const exitUrl = signed.headers.get("location");
  if (!exitUrl) throw new Error(`signing gave HTTP ${signed.status}`);
  // The exit URL on another runtime (`returnTo`), as a load balancer might send the signer there.
  const exit = new URL(exitUrl);
  if (returnTo) exit.host = new URL(returnTo).host;
  const result = await fetch(exit, { headers: { cookie: started.cookie } });
  if (!result.ok) throw new Error(`the exit page said HTTP ${result.status}: ${await result.text()}`);
}

/** Example 2's "send batch" inject: two portal jobs. */
export async function sendPortalBatch(world: CockpitWorld): Promise<void> {
  const response = await fetch(`${world.url}/inject/${EXAMPLE_2_BATCH}`, {
    method: "POST",
    headers: { authorization: `Bearer ${await world.token("admin")}` },
  });
  if (!response.ok) throw new Error(`the batch inject gave HTTP ${response.status}`);
}

/** The editor in the browser language `locale`, logged in as `user`, with the cockpit's tab open on a configuration node. */
export async function openCockpit(
  browser: Browser,
  world: CockpitWorld,
  user: CockpitUser,
  configId: string,
  locale = "en-US",
): Promise<Page> {
  const token = await world.token(user);
  const page = await browser.newPage({ viewport: { width: 1500, height: 950 }, locale });
  await page.addInitScript((accessToken) => {
    localStorage.setItem("auth-tokens", JSON.stringify({ access_token: accessToken, expires_in: 604800, token_type: "Bearer" }));
  }, token);
  await page.goto(world.url);
  await page.locator('.red-ui-palette-node[data-palette-type="signering-create"]').waitFor({ timeout: 30_000 });
  // Shown until it is visible: under load the editor may still be laying out its sidebar.
  await page.waitForFunction(
    () => {
      (window as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show("signering-cockpit");
      return (document.querySelector("#signering-cockpit-config") as HTMLElement | null)?.offsetParent != null;
    },
    undefined,
    { timeout: 30_000, polling: 500 },
  );
  await page.locator(`#signering-cockpit-config option[value="${configId}"]`).waitFor({ state: "attached" });
  // The editor may still switch the sidebar to another tab as it finishes loading: show ours again until the choice takes.
  for (let attempt = 1; ; attempt++) {
    await page.evaluate(() =>
      (window as unknown as { RED: { sidebar: { show(id: string): void } } }).RED.sidebar.show("signering-cockpit"),
    );
    try {
      await page.selectOption("#signering-cockpit-config", configId, { timeout: 3_000 });
      return page;
    } catch (error) {
      if (attempt >= 10) throw error;
    }
  }
}

/** Polls `probe` until it gives a value. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The cockpit's job list of a configuration node, as a user of a runtime sees it. */
export async function jobsOf(
  world: CockpitWorld,
  configId: string,
  options: { user?: CockpitUser; runtime?: string } = {},
): Promise<
  {
    jobId: string;
    flow: string;
    title?: string;
    status: string;
    signers: { signer: string; status?: string }[];
    lastNode?: { id: string };
  }[]
> {
  const runtime = options.runtime ?? world.url;
  const response = await fetch(`${runtime}/signering-cockpit/configs/${configId}/jobs`, {
    headers: { authorization: `Bearer ${await world.token(options.user ?? "admin", runtime)}` },
  });
  if (!response.ok) throw new Error(`the job list gave HTTP ${response.status}`);
  return ((await response.json()) as { jobs: Awaited<ReturnType<typeof jobsOf>> }).jobs;
}
