import { Rejection } from "./rejection";

export interface RateLimitOptions {
  callsPerSecond: number;
  blockSeconds: number;
}

/** The service's limit per organization (10 calls a second); above it every call is refused for a while (30 s). */
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
    return tooManyRequests(now, until - now, `More than ${this.options.callsPerSecond} calls per second from this organization; blocked`);
  }
}

/** 429 Too Many Requests, saying when the block ends (Retry-After, and in the message). */
export function tooManyRequests(now: number, blockMs: number, reason: string): Rejection {
  const seconds = Math.ceil(blockMs / 1000);
  return new Rejection(429, "TOO_MANY_REQUESTS", `${reason} for ${seconds} s`, { "Retry-After": String(seconds) }, now + blockMs);
}
