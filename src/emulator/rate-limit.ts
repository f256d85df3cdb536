import { Rejection } from "./rejection";

export interface RateLimitOptions {
  callsPerSecond: number;
  blockSeconds: number;
}

/** 10 calls per second per organization; above that a 429 and a block, as the service does. */
export class OrganizationRateLimit {
  private readonly windows = new Map<string, { start: number; count: number; blockedUntil: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  check(organization: string, now: number): void {
    const window = this.windows.get(organization) ?? { start: now, count: 0, blockedUntil: 0 };
    this.windows.set(organization, window);
    if (now < window.blockedUntil) throw this.refusal(window.blockedUntil, now);
    if (now - window.start >= 1000) {
      window.start = now;
      window.count = 0;
    }
    window.count += 1;
    if (window.count > this.options.callsPerSecond) {
      window.blockedUntil = now + this.options.blockSeconds * 1000;
      throw this.refusal(window.blockedUntil, now);
    }
  }

  private refusal(until: number, now: number): Rejection {
    return new Rejection(429, "TOO_MANY_REQUESTS", `More than ${this.options.callsPerSecond} calls per second; blocked for ${Math.ceil((until - now) / 1000)} s`, {
      "retry-after": String(Math.ceil((until - now) / 1000)),
    });
  }
}
