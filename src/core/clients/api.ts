import { RateLimitedError, ServiceError, TransportError } from "../errors";
import { serviceErrorFrom, type Operation } from "../http/errors";
import type { RateLimiter, Clock } from "../http/rate-limiter";
import type { HttpRequest, HttpResponse, HttpTransport } from "../http/transport";

export interface ApiCall extends HttpRequest {
  operation: Operation;
  /** The organization whose rate limit the call counts against. */
  organization: string;
}

export interface ApiOptions {
  transport: HttpTransport;
  limiter: RateLimiter | undefined;
  clock: Clock;
  /** How many times a call refused with 429 is tried again after the block (default 2). */
  rateLimitRetries: number;
  log: (message: string) => void;
}

/**
 * Sends one API call with pacing, error mapping and the only retries that are safe: a 429 from
 * the rate limiter means the call was refused before it did anything, so it is sent again after
 * the block; a GET is sent once more after a dropped connection. A job creation is never
 * repeated after a failure in flight, which could create the job twice.
 */
export class Api {
  constructor(private readonly options: ApiOptions) {}

  async call(call: ApiCall): Promise<HttpResponse> {
    const { transport, limiter, clock } = this.options;
    for (let attempt = 0; ; attempt++) {
      await limiter?.acquire(call.organization, call.signal);
      let response: HttpResponse;
      try {
        response = await transport.send(call);
      } catch (error) {
        const retryable = call.method === "GET" && attempt === 0 && error instanceof TransportError && error.code !== "ABORTED";
        if (!retryable) throw error;
        this.options.log(`${call.method} ${call.operation} failed (${(error as TransportError).code}); trying once more`);
        continue;
      }
      if (response.status >= 200 && response.status < 300) return response;
      const error: ServiceError = await serviceErrorFrom(response, call.operation, clock.now());
      if (error instanceof RateLimitedError && attempt < this.options.rateLimitRetries) {
        limiter?.block(call.organization, error.retryAt.getTime());
        this.options.log(`rate limited; waiting until ${error.retryAt.toISOString()} before trying ${call.operation} again`);
        await clock.sleep(error.retryAt.getTime() - clock.now(), call.signal);
        continue;
      }
      throw error;
    }
  }

  /** Calls and reads the body as text (API responses are small XML documents). */
  async callForText(call: ApiCall): Promise<{ response: HttpResponse; text: string }> {
    const response = await this.call(call);
    let text = "";
    for await (const chunk of response.body) text += (chunk as Buffer).toString("utf8");
    return { response, text };
  }

  /** Calls where only success matters; drains the body so the connection is reused. */
  async callForNothing(call: ApiCall): Promise<void> {
    const response = await this.call(call);
    response.body.resume();
    await new Promise<void>((resolve) => {
      if (response.body.readableEnded) return resolve();
      response.body.once("end", resolve);
      response.body.once("close", resolve);
      response.body.once("error", () => resolve());
    });
  }
}
