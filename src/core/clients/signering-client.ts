import { readFileSync } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import {
  apiRootOf,
  checkCertificateFitsEnvironment,
  defaultTrustAnchors,
  POSTEN_ORGANIZATION_NUMBER,
  type Environment,
} from "../environments";
import { InvalidInputError } from "../errors";
import { DEFAULT_TIMEOUTS, HttpTransport, type Timeouts } from "../http/transport";
import { RateLimiter } from "../http/rate-limiter";
import { systemClock, type Clock } from "../clock";
import { isValidOrganizationNumber } from "../identifiers";
import { loadCredentials, summarize, type CertificateSummary, type KeystoreSource, type SenderCredentials } from "../keys";
import type { Flow, StatusChange } from "../model";
import { pollStatusChanges } from "../poller";
import { shown } from "../text";
import { Api } from "./api";
import { ArchiveClient } from "./archive-client";
import { bundleDumper } from "./bundle-dump";
import { checkClientOptions, DEFAULT_MAX_DOWNLOAD_BYTES } from "./client-options";
import { DirectClient } from "./direct-client";
import * as jobOperations from "./job-operations";
import type { ClientContext } from "./context";
import { PortalClient } from "./portal-client";

export type LogLevel = "debug" | "info" | "warn";

export interface SigneringClientOptions {
  environment: Environment;
  /** The enterprise certificate: a keystore to read, or credentials read with `loadCredentials`. */
  keystore: KeystoreSource | SenderCredentials;
  /** Default sender organization number (else the certificate's). */
  sender?: string;
  /** PEM CA certificates the server's certificate must chain to (default: per environment). */
  trustedCertificates?: string | readonly string[];
  /** The organization the server's certificate must belong to; `false` skips the check. */
  serverOrganizationNumber?: string | false;
  /** Default polling queue for status changes. */
  pollingQueue?: string;
  /** Client-side pacing (default 8 calls/s per organization, below the service's 10); `false` turns it off. */
  rateLimit?: { callsPerSecond: number } | false;
  /** Milliseconds: connection set-up, API response, download response and inactivity. */
  timeouts?: Partial<Timeouts>;
  /**
   * An http(s) proxy URL (credentials allowed, never logged). Default: `HTTPS_PROXY` /
   * `https_proxy` and `NO_PROXY` from the environment; `false`: no proxy.
   */
  proxy?: string | false;
  /** Largest download accepted, in bytes (default 200 MB); a larger one fails while it streams. */
  maxDownloadBytes?: number;
  /** Log each request at debug level: method, URL without query values, status, duration, request id, error body. */
  debug?: boolean;
  /** A folder where each sent job's ASiC-E is written, named by time and reference (for support cases). */
  dumpBundles?: string;
  /** Appended to the User-Agent. */
  userAgent?: string;
  /** Check national identity numbers' check digits before sending (default true). */
  checkNationalIdChecksum?: boolean;
  logger?: (level: LogLevel, message: string) => void;
  /** Time source, for tests. */
  clock?: Clock;
}

export interface StatusChangesOptions {
  flow: Flow;
  pollingQueue?: string;
  sender?: string;
  signal?: AbortSignal;
  /** Told when the poller waits for the next permitted poll time (for showing it). */
  onWait?: (nextPoll: Date) => void;
}

const DEFAULT_CALLS_PER_SECOND = 8;

/**
 * The Posten signering client: direct and portal jobs, status, downloads, confirmation,
 * cancellation and the archive, over one mutual-TLS connection pool. Keys are read once.
 */
export class SigneringClient {
  readonly direct: DirectClient;
  readonly portal: PortalClient;
  readonly archive: ArchiveClient;
  readonly certificate: CertificateSummary;
  readonly #transport: HttpTransport;
  readonly #api: Api;
  readonly #clock: Clock;
  readonly #context: ClientContext;
  readonly #warn: (message: string) => void;

  constructor(options: SigneringClientOptions) {
    checkClientOptions(options);
    const credentials = "privateKey" in options.keystore ? options.keystore : loadCredentials(options.keystore);
    const apiRoot = apiRootOf(options.environment);
    checkCertificateFitsEnvironment(credentials, options.environment);
    const defaultSender = options.sender ?? credentials.organizationNumber;
    if (!isValidOrganizationNumber(defaultSender)) {
      throw new InvalidInputError("sender", `must be a valid 9-digit organization number, was ${shown(defaultSender)}`);
    }
    const trusted = options.trustedCertificates ?? defaultTrustAnchors(options.environment);
    this.#clock = options.clock ?? systemClock;
    const log = (level: LogLevel) => (message: string) => options.logger?.(level, message);
    this.#warn = log("warn");
    this.#transport = new HttpTransport({
      credentials,
      trustedCertificates: typeof trusted === "string" ? [trusted] : [...trusted],
      serverOrganizationNumber: options.serverOrganizationNumber ?? POSTEN_ORGANIZATION_NUMBER,
      userAgent: userAgent(options.userAgent),
      timeouts: { ...DEFAULT_TIMEOUTS, ...options.timeouts },
      ...(options.proxy !== undefined ? { proxy: options.proxy } : {}),
    });
    const rateLimit = options.rateLimit === undefined ? { callsPerSecond: DEFAULT_CALLS_PER_SECOND } : options.rateLimit;
    this.#api = new Api({
      transport: this.#transport,
      limiter: rateLimit === false ? undefined : new RateLimiter(rateLimit.callsPerSecond, this.#clock),
      clock: this.#clock,
      rateLimitRetries: 2,
      maxDownloadBytes: options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES,
      debug: options.debug === true,
      log: { debug: log("debug"), warn: log("warn") },
    });
    const context: ClientContext = {
      api: this.#api,
      apiRoot,
      credentials: () => credentials,
      defaultSender,
      defaultPollingQueue: options.pollingQueue,
      validation: { checkNationalIdChecksum: options.checkNationalIdChecksum !== false },
      clock: this.#clock,
      log: log("debug"),
      ...(options.dumpBundles !== undefined ? { dumpBundle: bundleDumper(options.dumpBundles, () => this.#clock.now()) } : {}),
    };
    this.#context = context;
    this.direct = new DirectClient(context);
    this.portal = new PortalClient(context);
    this.archive = new ArchiveClient(context);
    this.certificate = summarize({
      subject: credentials.subject,
      organizationNumber: credentials.organizationNumber,
      issuer: credentials.issuer,
      kind: credentials.kind,
      validFrom: credentials.validFrom,
      validTo: credentials.validTo,
    });
  }

  /**
   * Confirms a status change after the flow has handled it (downloaded, stored). Until then the
   * service delivers it again, so nothing is lost if the process stops in between.
   */
  confirm(confirmationUrl: string): Promise<void> {
    return jobOperations.confirm(this.#context, confirmationUrl);
  }

  /** Deletes a completed job's signed documents from the service. */
  deleteDocuments(deleteDocumentsUrl: string): Promise<void> {
    return jobOperations.deleteDocuments(this.#context, deleteDocumentsUrl);
  }

  /** A signer's XAdES, streamed; consume or destroy the stream to free its connection. */
  downloadXades(xadesUrl: string): Promise<Readable> {
    return jobOperations.download(this.#context, xadesUrl, "application/xml", "xadesUrl");
  }

  /** The job's PAdES (signed PDF), streamed; consume or destroy the stream to free its connection. */
  downloadPades(padesUrl: string): Promise<Readable> {
    return jobOperations.download(this.#context, padesUrl, "application/octet-stream, application/xml", "padesUrl");
  }

  /**
   * Status changes from a queue, as they come, never polling before the permitted time.
   * Confirm each change (`confirm(change.confirmationUrl)`) after handling it.
   */
  statusChanges(options: StatusChangesOptions): AsyncIterable<StatusChange> {
    const queue = {
      ...(options.pollingQueue !== undefined ? { pollingQueue: options.pollingQueue } : {}),
      ...(options.sender ? { sender: options.sender } : {}),
    };
    const next = options.flow === "direct" ? () => this.direct.nextStatusChange(queue) : () => this.portal.nextStatusChange(queue);
    return pollStatusChanges<StatusChange>(next, this.#clock, options.signal, options.onWait, this.#warn);
  }

  /**
   * Takes no new calls, lets calls queued in the pacer go out (up to 10 s; those that still
   * cannot are logged as not sent and fail with `ClientClosedError`), then closes the pool.
   */
  close(): Promise<void> {
    return this.#api.close(() => this.#transport.close());
  }
}

function userAgent(suffix: string | undefined): string {
  const base = `node-red-posten-signering/${packageVersion()} (Node.js ${process.versions.node})`;
  return suffix ? `${base} (${suffix})` : base;
}

let cachedVersion: string | undefined;
function packageVersion(): string {
  if (cachedVersion === undefined) {
    try {
      // dist/src/core/clients → package root
      const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "..", "..", "package.json"), "utf8")) as {
        version?: string;
      };
      cachedVersion = manifest.version ?? "0.0.0";
    } catch {
      cachedVersion = "0.0.0";
    }
  }
  return cachedVersion;
}
