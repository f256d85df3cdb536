import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { apiRouter } from "./api-server";
import { EmulatorClock } from "./clock";
import { EmulatorControl } from "./control";
import { prepareIdentity } from "./data-dir";
import { FaultInjector } from "./faults";
import { JobBook, type Sector } from "./jobs";
import { OrganizationRateLimit } from "./rate-limit";
import { SchemaValidator } from "./schema";
import { SigneringService } from "./service";
import { Store } from "./store";
import { webRouter } from "./web-server";

export { EmulatorControl, type ActionResult, type JobSummary, type SignerAction } from "./control";
export type { Fault, FaultKind } from "./faults";
export { certificateAuthorityOf } from "./data-dir";

export interface EmulatorOptions {
  /** Port of the mutual-TLS API (default: any free port). */
  port?: number;
  /** Port of the signer pages and the control API (default: any free port). */
  webPort?: number;
  /** Loopback address to listen on (default 127.0.0.1). */
  host?: string;
  /** Where certificates, jobs and documents are kept (default: a new temporary directory). */
  dataDir?: string;
  /** The test sender organization of the client keystore (default 123456785). */
  organizationNumber?: string;
  /** Sector per organization: decides signature-type defaults and contact-register lookup (default private). */
  sectors?: Record<string, Sector>;
  /** Broker organization → the organizations it may act for. */
  brokers?: Record<string, string[]>;
  /** The wait announced for an empty status queue (default 5 s, like the test environment). */
  emptyQueueWaitSeconds?: number;
  /** An unconfirmed status change is delivered again after this long (default 600 s). */
  redeliverySeconds?: number;
  /** Calls per second per organization and the block after exceeding it (default 10/s, 30 s); false turns it off. */
  rateLimit?: { callsPerSecond: number; blockSeconds: number } | false;
  /** How far the bundle's SigningTime may be from now (default 5 s, like the service). */
  signingTimeToleranceSeconds?: number;
}

export interface RunningEmulator {
  /** `https://127.0.0.1:PORT/api`, shaped like the real service's root. */
  apiRoot: string;
  /** Signer pages: `/redirect/…`, `/portal`, `/outbox`. */
  signerWebUrl: string;
  /** The JSON control API's root. */
  controlUrl: string;
  caCertificateFile: string;
  caCertificatePem: string;
  clientKeystoreFile: string;
  clientKeystorePassword: string;
  organizationNumber: string;
  dataDir: string;
  control: EmulatorControl;
  /** Lets the process exit while the emulator still runs (for an emulator embedded in a host such as Node-RED). */
  unref(): void;
  close(): Promise<void>;
}

/** Starts the emulator of Posten signering: the API over mutual TLS and the person side over HTTP. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  const organizationNumber = options.organizationNumber ?? "123456785";
  const dataDir = path.resolve(options.dataDir ?? mkdtempSync(path.join(tmpdir(), "posten-signering-emulator-")));
  const identity = prepareIdentity(dataDir, organizationNumber);
  const store = new Store(dataDir);
  const stored = store.load();
  const clock = new EmulatorClock(stored.clockOffsetMs);
  const sectors = options.sectors ?? {};

  const web = http.createServer();
  const api = https.createServer({ key: identity.server.keyPem, cert: identity.server.chainPem, ca: identity.caCertificatePem, requestCert: true, rejectUnauthorized: true });
  await listen(web, options.webPort ?? 0, host);
  await listen(api, options.port ?? 0, host);
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const apiRoot = `https://${urlHost}:${(api.address() as AddressInfo).port}/api`;
  const signerWebUrl = `http://${urlHost}:${(web.address() as AddressInfo).port}`;

  const schema = new SchemaValidator();
  const book = new JobBook(
    { sectorOf: (organization) => sectors[organization] ?? "private", emptyQueueWaitMs: (options.emptyQueueWaitSeconds ?? 5) * 1000, redeliveryMs: (options.redeliverySeconds ?? 600) * 1000 },
    (job) => store.saveJob(job),
    (notification) => store.saveNotification(notification),
    () => `${signerWebUrl}/portal`,
  );
  book.load(stored.jobs, stored.outbox);
  const service = new SigneringService({
    book,
    store,
    clock,
    urls: {
      job: (job) => `${apiRoot}/${job.sender}/${job.flow}/signature-jobs/${job.id}`,
      redirect: (signer) => `${signerWebUrl}/redirect/${signer.redirectToken}`,
    },
    trustedCertificates: [identity.ca],
    signingTimeToleranceMs: (options.signingTimeToleranceSeconds ?? 5) * 1000,
    emptyQueueWaitMs: (options.emptyQueueWaitSeconds ?? 5) * 1000,
    seal: identity.seal,
    schema,
  });
  const faults = new FaultInjector();
  const control = new EmulatorControl(book, clock, store, faults);
  const rateLimit = options.rateLimit === false ? undefined : new OrganizationRateLimit(options.rateLimit ?? { callsPerSecond: 10, blockSeconds: 30 });
  const brokers = new Map(Object.entries(options.brokers ?? {}).map(([broker, organizations]) => [broker, new Set(organizations)]));
  api.on("request", apiRouter({ service, clock, rateLimit, faults, brokers }));
  web.on("request", webRouter({ book, clock, service, control }));
  // Portal deadlines and activation times pass without anyone asking.
  const ticker = setInterval(() => book.tick(clock.now()), 1000);
  ticker.unref();

  const running: RunningEmulator = {
    apiRoot,
    signerWebUrl,
    controlUrl: `${signerWebUrl}/control`,
    caCertificateFile: identity.caCertificateFile,
    caCertificatePem: identity.caCertificatePem,
    clientKeystoreFile: identity.clientKeystoreFile,
    clientKeystorePassword: identity.clientKeystorePassword,
    organizationNumber,
    dataDir,
    control,
    unref: () => {
      api.unref();
      web.unref();
    },
    close: async () => {
      clearInterval(ticker);
      await Promise.all([close(api), close(web), schema.close()]);
    },
  };
  Object.defineProperty(running, "toJSON", {
    enumerable: false,
    value: () => {
      const { apiRoot: root, signerWebUrl: webUrl, controlUrl, caCertificateFile, clientKeystoreFile, clientKeystorePassword, organizationNumber: org, dataDir: dir } = running;
      return { apiRoot: root, signerWebUrl: webUrl, controlUrl, caCertificateFile, clientKeystoreFile, clientKeystorePassword, organizationNumber: org, dataDir: dir };
    },
  });
  return running;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
