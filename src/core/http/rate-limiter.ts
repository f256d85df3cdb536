/**
 * Paces calls per organization below the service's limit (10 calls per second; above it the
 * organization is blocked for 30 s). A call takes the next free slot; slots are 1/rate apart.
 */

export interface Clock {
  now(): number;
  sleep(milliseconds: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (milliseconds, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, milliseconds));
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

export class RateLimiter {
  private readonly nextSlot = new Map<string, number>();
  private readonly blockedUntil = new Map<string, number>();
  private readonly interval: number;

  constructor(
    callsPerSecond: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(callsPerSecond > 0)) throw new RangeError("callsPerSecond must be positive");
    this.interval = 1000 / callsPerSecond;
  }

  /** Waits until the organization may make its next call. */
  async acquire(organization: string, signal?: AbortSignal): Promise<void> {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlot.get(organization) ?? 0, this.blockedUntil.get(organization) ?? 0);
    this.nextSlot.set(organization, slot + this.interval);
    if (slot > now) await this.clock.sleep(slot - now, signal);
  }

  /** After a 429: nobody from the organization calls again before `until`. */
  block(organization: string, until: number): void {
    this.blockedUntil.set(organization, Math.max(until, this.blockedUntil.get(organization) ?? 0));
  }
}
