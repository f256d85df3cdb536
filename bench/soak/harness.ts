import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Child, startChild } from "./processes";
import { INSTANCE_ENV, KEYSTORE_ENV, PASSWORD_ENV, soakFlow } from "./flow";

/**
 * A soak of real processes: the emulator on its own, Node-RED runtimes with the soak flow, jobs
 * made over HTTP and signed through the control API, while faults, redeploys and kill -9s
 * happen. The verdict comes from the runtimes' ledgers and the emulator's own job list. Used by
 * test/soak (short) and `npm run bench` (long); it lives here, outside test/, because Node's test
 * runner would run its long-lived child scripts as test files.
 */

export interface EmulatorInfo {
  apiRoot: string;
  controlUrl: string;
  caCertificateFile: string;
  clientKeystoreFile: string;
  clientKeystorePassword: string;
}

interface JobSummary {
  id: number;
  status: string;
  awaitingConfirmation: boolean;
  signers: { index: number; active: boolean }[];
}

export interface LedgerLine {
  event: "received" | "stored" | "confirmed" | "error";
  jobId?: string;
  status?: string;
  changeKey?: string;
  redelivered?: boolean;
  instance: string;
  node?: string;
  message?: string;
  t: number;
}

export interface SoakVerdict {
  jobsCreated: number;
  createsRefused: number;
  finalJobs: number;
  /** Final in the emulator, never stored by any runtime. */
  lost: number;
  /** Final in the emulator and still awaiting confirmation. */
  unconfirmed: number;
  /** Changes stored more than once. */
  handledTwice: number;
  /** Of those, stored again by the same runtime process and marked redelivered. */
  markedRedelivered: number;
  /** Changes delivered again after a runtime had confirmed them: must be 0. */
  deliveredAfterConfirm: number;
  /** Stored again by the same runtime process without being marked redelivered: must be 0. */
  unmarkedRedeliveries: number;
  errors: Record<string, number>;
}

export interface SoakOptions {
  workDir: string;
  pdfFile: string;
  redeliverySeconds: number;
  rateLimit: boolean;
  callsPerSecond: number;
}

export class Soak {
  emulator!: Child<EmulatorInfo>;
  readonly runtimes = new Map<string, { child: Child<{ url: string }>; port: number; life: number }>();
  jobsCreated = 0;
  createsRefused = 0;
  private emulatorPorts = { port: 0, webPort: 0 };

  constructor(private readonly options: SoakOptions) {
    mkdirSync(options.workDir, { recursive: true });
  }

  private get logFile(): string {
    return path.join(this.options.workDir, "processes.log");
  }

  async startEmulator(): Promise<void> {
    const { port, webPort } = this.emulatorPorts;
    const args = {
      port,
      webPort,
      dataDir: path.join(this.options.workDir, "emulator"),
      redeliverySeconds: this.options.redeliverySeconds,
      rateLimit: this.options.rateLimit,
    };
    this.emulator = await startChild<EmulatorInfo>("emulator-process.js", [JSON.stringify(args)], this.logFile);
    // Fixed from now on, so a restart keeps the addresses the runtimes use.
    this.emulatorPorts = {
      port: Number(new URL(this.emulator.info.apiRoot).port),
      webPort: Number(new URL(this.emulator.info.controlUrl).port),
    };
  }

  async killEmulator(): Promise<void> {
    await this.emulator.kill9();
  }

  /** Starts (or restarts, on the same port and user directory) the runtime called `name`. */
  async startRuntime(name: string): Promise<void> {
    const previous = this.runtimes.get(name);
    const userDir = path.join(this.options.workDir, `node-red-${name}`);
    const flowsFile = path.join(this.options.workDir, `flows-${name}.json`);
    const info = this.emulator.info;
    if (!existsSync(flowsFile)) {
      const flows = soakFlow({
        apiRoot: info.apiRoot,
        caCertificatePem: readFileSync(info.caCertificateFile, "utf8"),
        pdfFile: this.options.pdfFile,
        documentsDir: path.join(this.options.workDir, "documents"),
        ledgerFile: this.ledgerFile(name),
        queue: "soak",
        callsPerSecond: this.options.callsPerSecond,
      });
      writeFileSync(flowsFile, JSON.stringify(flows));
    }
    const life = (previous?.life ?? 0) + 1;
    const child = await startChild<{ url: string }>(
      "node-red-process.js",
      [userDir, String(previous?.port ?? 0), flowsFile],
      this.logFile,
      {
        [KEYSTORE_ENV]: readFileSync(info.clientKeystoreFile).toString("base64"),
        [PASSWORD_ENV]: info.clientKeystorePassword,
        [INSTANCE_ENV]: `${name}-${life}`,
      },
    );
    this.runtimes.set(name, { child, port: Number(new URL(child.info.url).port), life });
  }

  async killRuntime(name: string): Promise<void> {
    await this.runtime(name).child.kill9();
  }

  /** A full redeploy through the admin API, as the editor's Deploy button does. */
  async redeploy(name: string): Promise<void> {
    const url = `${this.runtime(name).child.info.url}/flows`;
    const flows = await (await fetch(url)).json();
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "node-red-deployment-type": "full" },
      body: JSON.stringify(flows),
    });
    if (!response.ok) throw new Error(`redeploy of ${name}: HTTP ${response.status} ${await response.text()}`);
  }

  /** Makes `count` jobs through the runtimes in turn, `concurrency` at a time. */
  async createJobs(count: number, names: string[], concurrency = 4): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          const name = names[next++ % names.length] as string;
          const response = await fetch(`${this.runtime(name).child.info.url}/soak/create`, { method: "POST" }).catch(() => undefined);
          if (response?.ok) this.jobsCreated += 1;
          else this.createsRefused += 1;
          await response?.text();
        }
      }),
    );
  }

  async inject(fault: Record<string, unknown>): Promise<void> {
    await this.control("POST", "/faults", fault);
  }

  async clearFaults(): Promise<void> {
    await this.control("DELETE", "/faults");
  }

  /** Signs every job with an active signer, as the signers would; returns how many. */
  async signAll(): Promise<number> {
    let signed = 0;
    for (const job of await this.jobs()) {
      for (const signer of job.signers.filter((candidate) => candidate.active)) {
        await this.control("POST", `/jobs/${job.id}/signers/${signer.index}/sign`);
        signed += 1;
      }
    }
    return signed;
  }

  /** Waits until every job is final and confirmed (signing any that still wait); false on timeout. */
  async settle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await this.signAll();
      const jobs = await this.jobs();
      if (jobs.every((job) => job.status !== "IN_PROGRESS" && !job.awaitingConfirmation)) return true;
      await sleep(500);
    }
    return false;
  }

  async jobs(): Promise<JobSummary[]> {
    return (await this.control("GET", "/jobs")) as JobSummary[];
  }

  /** Changes stored so far, by every runtime. */
  storedCount(): number {
    return this.ledger().filter((line) => line.event === "stored").length;
  }

  ledger(): LedgerLine[] {
    return [...this.runtimes.keys()].flatMap((name) => {
      const file = this.ledgerFile(name);
      // The last line may be cut short by a kill -9 mid-write.
      return existsSync(file)
        ? readFileSync(file, "utf8")
            .split("\n")
            .filter((line) => line.endsWith("}"))
            .map((line) => JSON.parse(line) as LedgerLine)
        : [];
    });
  }

  async verdict(): Promise<SoakVerdict> {
    const jobs = await this.jobs();
    const ledger = this.ledger();
    const stored = ledger.filter((line) => line.event === "stored");
    const final = jobs.filter((job) => job.status !== "IN_PROGRESS");
    const storedJobs = new Set(stored.map((line) => Number(line.jobId)));
    const byKey = new Map<string, LedgerLine[]>();
    for (const line of stored) byKey.set(line.changeKey ?? "(none)", [...(byKey.get(line.changeKey ?? "(none)") ?? []), line]);
    let handledTwice = 0;
    let markedRedelivered = 0;
    const received = ledger.filter((line) => line.event === "received");
    const confirmedAt = new Map<string, number>();
    for (const line of ledger)
      if (line.event === "confirmed" && line.changeKey)
        confirmedAt.set(line.changeKey, Math.min(line.t, confirmedAt.get(line.changeKey) ?? Infinity));
    let unmarkedRedeliveries = 0;
    for (const lines of byKey.values()) {
      if (lines.length < 2) continue;
      handledTwice += 1;
      for (const [index, line] of lines.entries()) {
        if (index === 0) continue;
        const earlier = lines.slice(0, index);
        if (earlier.some((other) => other.instance === line.instance)) {
          if (line.redelivered) markedRedelivered += 1;
          else unmarkedRedeliveries += 1;
        }
      }
    }
    const errors: Record<string, number> = {};
    for (const line of ledger.filter((candidate) => candidate.event === "error")) {
      const kind = `${line.node}: ${(line.message ?? "").replace(/\d+/g, "N").slice(0, 80)}`;
      errors[kind] = (errors[kind] ?? 0) + 1;
    }
    return {
      jobsCreated: this.jobsCreated,
      createsRefused: this.createsRefused,
      finalJobs: final.length,
      lost: final.filter((job) => !storedJobs.has(job.id)).length,
      unconfirmed: final.filter((job) => job.awaitingConfirmation).length,
      handledTwice,
      markedRedelivered,
      deliveredAfterConfirm: received.filter((line) => line.t > (confirmedAt.get(line.changeKey ?? "") ?? Infinity)).length,
      unmarkedRedeliveries,
      errors,
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.runtimes.values()].map(({ child }) => child.stop()));
    await this.emulator?.stop();
  }

  private ledgerFile(name: string): string {
    return path.join(this.options.workDir, `ledger-${name}.jsonl`);
  }

  private runtime(name: string): { child: Child<{ url: string }>; port: number; life: number } {
    const runtime = this.runtimes.get(name);
    if (!runtime) throw new Error(`no runtime ${name}`);
    return runtime;
  }

  private async control(method: string, route: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.emulator.info.controlUrl}${route}`, {
      method,
      // The control API takes only JSON POSTs.
      ...(method === "POST" || body !== undefined
        ? { body: JSON.stringify(body ?? {}), headers: { "content-type": "application/json" } }
        : {}),
    });
    const result = (await response.json()) as unknown;
    if (!response.ok) throw new Error(`control ${method} ${route}: HTTP ${response.status} ${JSON.stringify(result)}`);
    return result;
  }
}
