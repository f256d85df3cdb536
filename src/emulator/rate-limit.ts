import type { EmulatorClock } from "./clock";
import { Rejection } from "./rejection";

export interface RateLimitOptions {
  callsPerSecond: number;
  blockSeconds: number;
}

/** When a request arrived: at some moment between `earliest` and `latest` (emulator time). */
export interface Arrival {
  earliest: number;
  latest: number;
}

/** How often the loop's turns are noted; also the uncertainty of an arrival when the loop is not stalled. */
const BEAT_MS = 10;

/**
 * Bounds the arrival of the requests the server is reading now. Node reads a request only when
 * its event loop turns, so after a stall (a long synchronous job) everything that arrived during
 * the stall is read at once, with one and the same time. A heartbeat notes the loop's turns: a
 * request read now arrived after the beat before the last one (the last beat may be the first
 * one after the stall, which runs before the waiting requests are read).
 */
export class ArrivalWatch {
  private previousBeat: number;
  private lastBeat: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly clock: EmulatorClock) {
    this.previousBeat = this.lastBeat = clock.now();
    this.timer = setInterval(() => {
      this.previousBeat = this.lastBeat;
      this.lastBeat = clock.now();
    }, BEAT_MS);
    this.timer.unref();
  }

  /** To be called as soon as a request is seen, before any await. */
  arrival(): Arrival {
    const latest = this.clock.now();
    return { earliest: Math.min(this.previousBeat, latest), latest };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * The service's limit per organization (10 calls a second); above it every call is refused for a
 * while (30 s). Counted by arrival, over every window of one second: a call is refused only when
 * it and the limit's number of earlier calls certainly arrived within one second, so a client
 * that kept the limit is never blocked because the emulator read its calls late.
 */
export class OrganizationRateLimit {
  private readonly organizations = new Map<string, { arrivals: number[]; blockedUntil: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  check(organization: string, arrival: Arrival): void {
    const now = arrival.latest;
    const state = this.organizations.get(organization) ?? { arrivals: [], blockedUntil: 0 };
    this.organizations.set(organization, state);
    if (now < state.blockedUntil) throw this.refusal(state.blockedUntil, now);
    // Earliest arrivals within the last second: those calls certainly came less than a second before this one.
    state.arrivals = state.arrivals.filter((earliest) => earliest > now - 1000);
    const certainlyWithinTheSecond = now - arrival.earliest < 1000;
    if (certainlyWithinTheSecond && state.arrivals.length >= this.options.callsPerSecond) {
      state.arrivals = [];
      state.blockedUntil = now + this.options.blockSeconds * 1000;
      throw this.refusal(state.blockedUntil, now);
    }
    state.arrivals.push(arrival.earliest);
  }

  /** Forgets every count and block (control API reset, which also puts the clock back). */
  clear(): void {
    this.organizations.clear();
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
