import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { InvalidInputError } from "../core/errors";
import { isValidOrganizationNumber } from "../core/identifiers";
import { apiRouter, type BrokerAuthorization } from "./api-server";
import { EmulatorClock, type TimeSource } from "./clock";
import { EmulatorControl } from "./control";
import { prepareIdentity, readRememberedPorts, rememberPorts } from "./data-dir";
import { FaultInjector } from "./faults";
import { JobBook, type Sector } from "./jobs";
import { PdfWorkers } from "./pdf-workers";
import { ArrivalWatch, OrganizationRateLimit } from "./rate-limit";
import { SchemaValidator } from "./schema";
import { SigneringService } from "./service";
import { Store } from "./store";
import { webRouter } from "./web-server";

export { EmulatorControl, type ActionResult, type JobSummary, type SignerAction } from "./control";
export type { Fault, FaultKind } from "./faults";
export type { Notification, Sector, SignerReference } from "./jobs";
export type { BrokerAuthorization } from "./api-server";
export { certificateAuthorityOf } from "./data-dir";

export interface EmulatorOptions {
  /** Port of the mutual-TLS API (default: the port of the last start on this data directory, else any free port); 0 for a new free port. */
  port?: number;
  /**
   * Port of the signer pages and the control API (default: the port of the last start on this data directory, else any free port); 0
   * for a new free port.
   */
  webPort?: number;
  /** Loopback address to listen on: 127.0.0.1 (default), ::1 or localhost. */
  host?: string;
  /** Where certificates, jobs and documents are kept (default: a new temporary directory, removed on close). */
  dataDir?: string;
  /**
   * The test sender organization of the client keystore made on first start (default 123456785); a later start must name the same or
   * none.
   */
  organizationNumber?: string;
  /** Sector per organization: decides signature-type defaults and contact-register lookup (default private). */
  sectors?: Record<string, Sector>;
  /** Organizations allowed to act for others (PROTOCOL §7.4); any other mismatch is BROKER_NOT_AUTHORIZED. */
  brokers?: BrokerAuthorization[];
  /** More CA certificates (PEM) whose client certificates are accepted, besides the emulator's own CA. */
  trustedCertificates?: string[];
  /** The wait announced for an empty status queue (default 5 s, like the test environment). */
  emptyQueueWaitSeconds?: number;
  /** An unconfirmed status change is delivered again after this long (default 600 s). */
  redeliverySeconds?: number;
  /** Calls per second per organization and the block after exceeding it (default 10/s, 30 s); false turns it off. */
  rateLimit?: { callsPerSecond: number; blockSeconds: number } | false;
  /** How far the bundle's SigningTime may be from the real time (default 5 s, like the service). */
  signingTimeToleranceSeconds?: number;
  /**
   * Where the emulator's clock (rate limit, polling waits, job times) reads the time (default `Date.now`); tests pass a clock of
   * their own.
   */
  timeSource?: TimeSource;
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

/** What `JSON.stringify` of a running emulator prints: how to connect, no key material. */
const PRINTED_FIELDS = [
  "apiRoot",
  "signerWebUrl",
  "controlUrl",
  "caCertificateFile",
  "clientKeystoreFile",
  "clientKeystorePassword",
  "organizationNumber",
  "dataDir",
] as const;

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|localhost)$/;

/**
 * Starts the emulator of Posten signering: the API over mutual TLS, and the person side (signer
 * pages, portal, outbox) with the control API over plain HTTP on a second port, because a
 * browser has no enterprise certificate. `JSON.stringify` of the result gives what a user needs
 * to connect (no key material; the test keystore's password is included on purpose).
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK.test(host))
    throw new InvalidInputError("host", `the emulator listens only on loopback addresses (127.0.0.1, ::1, localhost), not "${host}"`);
  const requestedOrganization = options.organizationNumber;
  if (requestedOrganization !== undefined && !isValidOrganizationNumber(requestedOrganization)) {
    throw new InvalidInputError(
      "organizationNumber",
      `"${requestedOrganization}" is not a valid organization number (9 digits, mod-11 check digit)`,
    );
  }
  for (const { broker, onBehalfOf } of options.brokers ?? []) {
    const invalid = [broker, ...onBehalfOf].find((organization) => !isValidOrganizationNumber(organization));
    if (invalid !== undefined) throw new InvalidInputError("brokers", `"${invalid}" is not a valid organization number`);
  }
  const temporary = options.dataDir === undefined;
  const dataDir = path.resolve(options.dataDir ?? mkdtempSync(path.join(tmpdir(), "posten-signering-emulator-")));

  const identity = prepareIdentity(dataDir, requestedOrganization);
  const { organizationNumber } = identity;
  const extraAnchors = options.trustedCertificates ?? [];
  const store = new Store(dataDir);
  const stored = store.load();
  const clock = new EmulatorClock(stored.clockOffsetMs, options.timeSource);
  const schema = new SchemaValidator();
  const pdf = new PdfWorkers();
  const faults = new FaultInjector();

  const web = http.createServer();
  const api = https.createServer({
    key: identity.server.keyPem,
    cert: identity.server.chainPem,
    ca: [identity.caCertificatePem, ...extraAnchors],
    requestCert: true,
    rejectUnauthorized: true,
  });
  // The addresses are part of every signer link and job URL handed out, so a restart keeps them.
  const remembered = temporary ? undefined : readRememberedPorts(dataDir);
  await listen(web, { field: "webPort", what: "signer pages", given: options.webPort, remembered: remembered?.webPort, host, dataDir });
  await listen(api, { field: "port", what: "API", given: options.port, remembered: remembered?.port, host, dataDir }).catch(
    async (error: unknown) => {
      await close(web);
      throw error;
    },
  );
  const ports = { port: (api.address() as AddressInfo).port, webPort: (web.address() as AddressInfo).port };
  if (!temporary) rememberPorts(dataDir, ports);
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const apiRoot = `https://${urlHost}:${ports.port}/api`;
  const signerWebUrl = `http://${urlHost}:${ports.webPort}`;

  const emptyQueueWaitMs = (options.emptyQueueWaitSeconds ?? 5) * 1000;
  const book = new JobBook(
    { sectorOf: (organization) => options.sectors?.[organization] ?? "private", redeliveryMs: (options.redeliverySeconds ?? 600) * 1000 },
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
    intake: {
      schema,
      pdf,
      trustedCertificates: [identity.ca, ...extraAnchors.map((pem) => new X509Certificate(pem))],
      signingTimeToleranceMs: (options.signingTimeToleranceSeconds ?? 5) * 1000,
    },
    emptyQueueWaitMs,
    seal: identity.seal,
    pdf,
  });
  const rateLimit =
    options.rateLimit === false
      ? undefined
      : {
          limit: new OrganizationRateLimit(options.rateLimit ?? { callsPerSecond: 10, blockSeconds: 30 }),
          arrivals: new ArrivalWatch(clock),
        };
  const control = new EmulatorControl(book, clock, store, faults, () => {
    service.forgetPollTimes();
    rateLimit?.limit.clear();
  });
  api.on("request", apiRouter({ service, clock, rateLimit, faults, brokers: options.brokers ?? [] }));
  web.on("request", webRouter({ book, clock, service, control }));
  // Activation times and deadlines pass without anyone asking (notifications go out, jobs expire).
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
      rateLimit?.arrivals.stop();
      await Promise.all([close(api), close(web), schema.close(), pdf.close()]);
      if (temporary) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  Object.defineProperty(running, "toJSON", {
    enumerable: false,
    value: () => Object.fromEntries(PRINTED_FIELDS.map((field) => [field, running[field]])),
  });
  return running;
}

interface ListenOptions {
  field: "port" | "webPort";
  what: string;
  given: number | undefined;
  remembered: number | undefined;
  host: string;
  dataDir: string;
}

/**
 * Listens on the given port, else on the one remembered from the last start, else on a free one.
 * A remembered port that is taken fails the start rather than moving: a move would silently break
 * every link handed out before.
 */
function listen(server: http.Server, { field, what, given, remembered, host, dataDir }: ListenOptions): Promise<void> {
  const port = given ?? remembered ?? 0;
  return new Promise((resolve, reject) => {
    if (!(Number.isInteger(port) && port >= 0 && port <= 65535))
      return reject(new InvalidInputError(field, `must be a port number 0-65535, was ${String(port)}`));
    const fail = (error: NodeJS.ErrnoException) => {
      if (error.code !== "EADDRINUSE") return reject(error);
      const flag = field === "port" ? "--port" : "--web-port";
      const problem =
        given === undefined
          ? `the emulator on the data directory ${dataDir} had its ${what} on port ${port}, which another program now uses; stop that program, or give ${field} (${flag}) for another port (links handed out before then stop working)`
          : `port ${port} for the ${what} is already in use on ${host}`;
      reject(new InvalidInputError(field, problem));
    };
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      resolve();
    });
  });
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
