import { setMaxListeners } from "node:events";
import type { Readable } from "node:stream";
import type { Clock } from "../clock";
import { ClientClosedError, RateLimitedError, ServiceError, SigneringError, TransportError, UntrustedServerError } from "../errors";
import { limitedStream, readText } from "../http/body";
import { REQUEST_ID_HEADERS } from "../http/headers";
import type { Release } from "../http/pacer";
import type { ClientPacing } from "../http/pacers";
import { maskSecrets, redactUrl } from "../http/redact";
import { serviceErrorFrom, type Operation } from "../http/service-errors";
import type { HttpRequest, HttpResponse, HttpTransport, RequestBody } from "../http/transport";

export interface ApiCall extends Omit<HttpRequest, "body"> {
  operation: Operation;
  /** The organization whose rate limit the call counts against. */
  organization: string;
  /**
   * The request body, or a factory for it that runs when the call is actually sent (after the
   * pacer and any 429 wait), again for every attempt: a job bundle is signed then, so its
   * signing time is fresh when the service checks it.
   */
  body?: RequestBody | (() => RequestBody | Promise<RequestBody>);
}

export interface ApiLog {
  debug(message: string): void;
  warn(message: string): void;
}

export interface ApiOptions {
  transport: HttpTransport;
  /** The client's part in the shared pacers of the organizations; undefined: calls go unpaced. */
  pacing: ClientPacing | undefined;
  clock: Clock;
  /** How many times a call refused with 429 is tried again after the block. */
  rateLimitRetries: number;
  /** Largest download, in bytes. */
  maxDownloadBytes: number;
  /** Log each request (method, redacted URL, status, duration, request id) at debug level. */
  debug: boolean;
  log: ApiLog;
}

/** API responses are small XML documents; a larger one is refused rather than buffered. */
export const MAX_XML_RESPONSE_BYTES = 4 * 1024 * 1024;
/** Tries of a call that cannot do anything twice (a GET, a confirm) after transport errors. */
const IDEMPOTENT_TRIES = 3;
const BACKOFF_MS = 500;
/** A 429 asking for a longer wait than this is reported instead of waited out. */
const MAX_RATE_LIMIT_WAIT_MS = 5 * 60_000;
/** How long `close()` lets queued calls go out before it gives up on them. */
const DRAIN_MS = 10_000;

/**
 * Sends API calls with pacing, error mapping and the only retries that are safe: a 429 means
 * the call was refused before it did anything, so it is sent again after the block (a fresh
 * body each time); a GET or a confirm (idempotent) is tried again after a transport error, a
 * confirm also after a 5xx, with backoff. A job creation is never repeated after a failure in
 * flight, which could create the job twice.
 */
export class Api {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #drain = new AbortController();
  #closed: Promise<void> | undefined;

  constructor(private readonly options: ApiOptions) {
    // Every call waiting for its turn listens for the close; each removes its listener when its
    // wait ends, and the pacer bounds how many wait.
    setMaxListeners(0, this.#drain.signal);
  }

  /** Calls and reads the body as text, decoded once, at most 4 MiB. */
  text(call: ApiCall): Promise<{ response: HttpResponse; text: string }> {
    return this.track(call, async (response) => ({ response, text: await readText(response, MAX_XML_RESPONSE_BYTES, call.url) }));
  }

  /** Calls where only success matters; reads a little of the body so the connection is reused. */
  nothing(call: ApiCall): Promise<void> {
    return this.track(call, discardBody);
  }

  /** A streamed download, failing once it passes `maxDownloadBytes`. */
  download(call: ApiCall): Promise<Readable> {
    return this.track(call, async (response) => limitedStream(response, this.options.maxDownloadBytes, call.url));
  }

  /**
   * Stops taking calls, lets the queued ones go out (for up to 10 s), then closes the pool.
   * Calls that still could not be sent fail with `ClientClosedError` and are logged. Closing
   * again waits for the same close.
   */
  close(closePool: () => Promise<void>): Promise<void> {
    this.#closed ??= this.drainThenClose(closePool);
    return this.#closed;
  }

  private async drainThenClose(closePool: () => Promise<void>): Promise<void> {
    if (this.#pending.size > 0) {
      const timer = new AbortController();
      const settled = Promise.allSettled([...this.#pending]).then(() => timer.abort());
      await this.options.clock.sleep(DRAIN_MS, timer.signal).catch(() => undefined);
      this.#drain.abort();
      await settled;
    }
    await closePool();
  }

  private track<T>(call: ApiCall, read: (response: HttpResponse) => Promise<T>): Promise<T> {
    if (this.#closed) {
      this.options.log.warn(`not sent, the client is closed: ${describe(call)}`);
      return Promise.reject(new ClientClosedError(`The client is closed; ${call.operation} was not sent`));
    }
    const running = this.send(call, read);
    this.#pending.add(running);
    const forget = () => this.#pending.delete(running);
    running.then(forget, forget);
    return running;
  }

  private async send<T>(call: ApiCall, read: (response: HttpResponse) => Promise<T>): Promise<T> {
    const { transport, clock } = this.options;
    const idempotent = call.method === "GET" || call.operation === "confirm";
    const waitSignal = call.signal ? AbortSignal.any([call.signal, this.#drain.signal]) : this.#drain.signal;
    let failures = 0;
    let rateLimited = 0;
    for (;;) {
      let error: unknown;
      let release: Release | undefined;
      try {
        await this.waitForTurn(call, async () => {
          release = await this.options.pacing?.acquire(call.organization, call, waitSignal);
        });
        const { body: bodyOrFactory, ...request } = call;
        const body = typeof bodyOrFactory === "function" ? await bodyOrFactory() : bodyOrFactory;
        const started = clock.now();
        const response = await transport
          .send({ ...request, ...(body ? { body } : {}) })
          .catch((failure: unknown) => {
            this.debug(`${describe(call)} → failed in ${clock.now() - started} ms: ${(failure as Error).message}`);
            throw failure;
          })
          .finally(() => release?.());
        this.debug(`${describe(call)} → ${response.status} in ${clock.now() - started} ms${requestIdOf(response)}`);
        if (response.status >= 200 && response.status < 300) return await read(response);
        const serviceError = await serviceErrorFrom(response, call.operation, clock.now());
        this.debug(`${describe(call)} → ${response.status} error body: ${maskSecrets(serviceError.message)}`);
        error = serviceError;
      } catch (failure) {
        error = failure;
      } finally {
        // The answer came, or the call never went out (its body could not be made).
        release?.();
      }

      if (
        error instanceof RateLimitedError &&
        rateLimited < this.options.rateLimitRetries &&
        error.retryAt.getTime() - clock.now() <= MAX_RATE_LIMIT_WAIT_MS
      ) {
        rateLimited++;
        this.options.pacing?.block(call.organization, error.retryAt.getTime());
        this.options.log.warn(`rate limited; waiting until ${error.retryAt.toISOString()} before trying ${call.operation} again`);
        await this.waitForTurn(call, () => clock.sleep(error.retryAt.getTime() - clock.now(), waitSignal));
        continue;
      }
      if (idempotent && isRetryable(error, call)) {
        failures++;
        if (failures < IDEMPOTENT_TRIES) {
          this.options.log.warn(
            `${call.method} ${call.operation} failed (${error.code}); trying again (${failures + 1} of ${IDEMPOTENT_TRIES})`,
          );
          await this.waitForTurn(call, () => clock.sleep(BACKOFF_MS * 2 ** (failures - 1), waitSignal));
          continue;
        }
        error.message = `${error.message} (gave up after ${IDEMPOTENT_TRIES} tries)`;
      }
      throw error;
    }
  }

  /** Runs a wait; when `close()` gives up on the call, says so in the log and in the error. */
  private async waitForTurn(call: ApiCall, wait: () => Promise<unknown>): Promise<void> {
    try {
      await wait();
    } catch (error) {
      if (!this.#drain.signal.aborted || call.signal?.aborted) throw error;
      this.options.log.warn(`not sent, the client was closed while the call waited: ${describe(call)}`);
      throw new ClientClosedError(`The client was closed before ${call.operation} could be sent`);
    }
  }

  private debug(message: string): void {
    if (this.options.debug) this.options.log.debug(message);
  }
}

/**
 * Dropped connections, timeouts and (for a confirm) 5xx; not an abort, an untrusted server or a refused TLS handshake, which a retry
 * cannot change.
 */
function isRetryable(error: unknown, call: ApiCall): error is SigneringError {
  if (error instanceof TransportError)
    return error.code !== "ABORTED" && error.code !== "TLS_FAILURE" && !(error instanceof UntrustedServerError);
  return call.operation === "confirm" && error instanceof ServiceError && error.httpStatus >= 500;
}

function describe(call: ApiCall): string {
  return `${call.operation} ${call.method} ${maskSecrets(redactUrl(call.url))}`;
}

function requestIdOf(response: HttpResponse): string {
  for (const name of REQUEST_ID_HEADERS) {
    const value = response.header(name);
    if (value) return ` (${name}: ${maskSecrets(value.slice(0, 100))})`;
  }
  return "";
}

const DISCARD_LIMIT = 64 * 1024;

async function discardBody(response: HttpResponse): Promise<void> {
  let size = 0;
  try {
    for await (const chunk of response.body) {
      size += (chunk as Buffer).length;
      if (size > DISCARD_LIMIT) break; // the status said it all; drop the connection instead
    }
  } catch {
    // The call succeeded; a body that breaks off afterwards changes nothing.
  }
}
