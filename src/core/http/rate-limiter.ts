import { type Clock, systemClock } from "../clock";

/**
 * Paces calls per organization below the service's limit (10 calls per second; above it the
 * organization is blocked for 30 s). It keeps the send times of the last second and lets a call
 * go only when, at the moment it goes, the last second holds fewer than the limit. Nothing is
 * reserved ahead, so calls that fall due together (e.g. after a stalled event loop) still go
 * out one window at a time.
 */
export class RateLimiter {
  private readonly sent = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly limit: number;
  private readonly window: number;

  constructor(
    callsPerSecond: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(Number.isFinite(callsPerSecond) && callsPerSecond > 0)) throw new RangeError("callsPerSecond must be a positive number");
    // Below one call per second: one call per 1/rate seconds.
    this.limit = Math.max(1, Math.floor(callsPerSecond));
    this.window = callsPerSecond >= 1 ? 1000 : 1000 / callsPerSecond;
  }

  /** Waits until the organization may make its next call, and counts the call as sent now. */
  async acquire(organization: string, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.clock.now();
      const times = (this.sent.get(organization) ?? []).filter((time) => time > now - this.window);
      this.sent.set(organization, times);
      const blocked = this.blockedUntil.get(organization) ?? 0;
      if (blocked > now) {
        await this.clock.sleep(blocked - now, signal);
        continue;
      }
      if (times.length < this.limit) {
        times.push(now);
        return;
      }
      await this.clock.sleep((times[0] as number) + this.window - now, signal);
    }
  }

  /** After a 429: nobody from the organization calls again before `until`. */
  block(organization: string, until: number): void {
    this.blockedUntil.set(organization, Math.max(until, this.blockedUntil.get(organization) ?? 0));
  }
}
