import type { Clock } from "../clock";
import { PacerQueueFullError, PacerWaitTooLongError } from "../errors";

/**
 * Paces the calls of one organization at one API root below the service's limit (10 calls per
 * second; above it the organization is blocked for 30 s). Every client of the organization in the
 * process shares it (see `pacers.ts`), so two clients, a redeploy's old and new one and the
 * pre-flight check together stay below the limit, and a 429 seen by one holds back all.
 *
 * The service counts calls when they arrive, which is some time after they leave here (a TLS
 * handshake, a large upload) and before their answer comes. So a call holds its slot from the
 * moment it goes until one window after its answer (or failure): however the network bunches
 * calls up, no window of the service's sees more than the limit. A call goes only when, at that
 * moment, fewer calls than the limit hold a slot; nothing is reserved ahead, so calls that fall
 * due together (after a stalled event loop) still go one at a time.
 *
 * Calls wait in one queue per key (the job or document they are about, or new jobs), served
 * round-robin: a call waits behind at most one call of every other busy key per turn, so one
 * job's flood of look-ups delays another's call by a slot, not by the flood. The queues are
 * bounded (per job or document, and in all; new jobs, which come from many callers, in all only),
 * and so is the wait: a call that would pass a bound, or wait longer than its deadline, fails at
 * once and nothing is sent.
 */

/** The key of calls that create jobs: they share one queue. */
export const CREATE_KEY = "create";

export interface PacerSettings {
  /** Calls per second (fractions below one: one call per 1/rate seconds). */
  callsPerSecond: number;
  /** Calls that may wait in all. */
  maxQueued: number;
  /** Calls that may wait about one job or document (new jobs are bounded by `maxQueued` only). */
  maxQueuedPerKey: number;
}

export const DEFAULT_PACER_SETTINGS: Readonly<PacerSettings> = { callsPerSecond: 8, maxQueued: 200, maxQueuedPerKey: 10 };

/** What the pacer has done lately, for display. */
export interface PacerStats {
  /** Calls let through in the last 60 seconds. */
  callsLastMinute: number;
  /** Calls waiting for their turn now. */
  queued: number;
  /** Blocks after a 429 (rate limited) since the pacer was made. */
  rateLimitBlocks: number;
  /** Set while the service blocks the organization. */
  blockedUntil?: Date;
}

export interface AcquireOptions {
  /** The longest the call may wait for its turn; one that would wait longer fails at once. */
  maxWaitMs: number;
  signal?: AbortSignal;
}

/** Call when the call's answer (or failure) has come: its slot frees one window later. */
export type Release = () => void;

interface Waiter {
  key: string;
  deadline: number;
  maxWaitMs: number;
  go(release: Release): void;
  fail(error: unknown): void;
}

/** A call let through: when it went, and when its answer came (undefined while in flight). */
interface Sent {
  at: number;
  answered: number | undefined;
}

const MINUTE = 60_000;

export class Pacer {
  readonly #clock: Clock;
  /** For messages: `organization 123456785`. */
  readonly #name: string;
  /** The settings of each client sharing the pacer; the strictest of each applies. */
  readonly #members = new Map<object, PacerSettings>();
  /** Calls of the last minute, and older ones still holding a slot; oldest first. */
  #sent: Sent[] = [];
  /** Waiting calls per key, keys in round-robin order (the one served last moves to the end). */
  readonly #queues = new Map<string, Waiter[]>();
  #queued = 0;
  #blockedUntil = 0;
  #blocks = 0;
  #running = false;
  #wake: AbortController | undefined;

  constructor(clock: Clock, name: string) {
    this.#clock = clock;
    this.#name = name;
  }

  /** Adds or updates a client sharing the pacer; its settings count until it leaves. */
  join(member: object, settings: PacerSettings): void {
    this.#members.set(member, settings);
    this.#nudge();
  }

  leave(member: object): void {
    this.#members.delete(member);
    this.#nudge();
  }

  /** The settings in force: for each, the strictest of the clients sharing the pacer. */
  get settings(): PacerSettings {
    if (this.#members.size === 0) return { ...DEFAULT_PACER_SETTINGS };
    const all = [...this.#members.values()];
    return {
      callsPerSecond: Math.min(...all.map((settings) => settings.callsPerSecond)),
      maxQueued: Math.min(...all.map((settings) => settings.maxQueued)),
      maxQueuedPerKey: Math.min(...all.map((settings) => settings.maxQueuedPerKey)),
    };
  }

  /** Nothing waits or holds a slot, nobody shares it, no block, no call in the last minute: it can be forgotten. */
  isIdle(): boolean {
    const now = this.#clock.now();
    this.#forget(now);
    return this.#queued === 0 && this.#members.size === 0 && this.#blockedUntil <= now && this.#sent.length === 0;
  }

  /**
   * Waits for the call's turn and counts it as sent; resolves to the `Release` to call when its
   * answer has come. Fails at once with `PacerQueueFullError` when its queue or all queues are
   * full, with `PacerWaitTooLongError` when it would wait past `maxWaitMs` (also later, if a 429
   * block pushes its turn past that), and with the signal's reason when aborted.
   */
  acquire(key: string, options: AcquireOptions): Promise<Release> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    const now = this.#clock.now();
    this.#forget(now);
    const settings = this.settings;
    const own = this.#queues.get(key)?.length ?? 0;
    if (own >= settings.maxQueuedPerKey && key !== CREATE_KEY) {
      return Promise.reject(
        new PacerQueueFullError(
          `Not sent: ${own} calls about ${describeKey(key)} already wait for the rate limit of ${this.#name} (at most ${settings.maxQueuedPerKey} per job or document)`,
          settings.maxQueuedPerKey,
        ),
      );
    }
    if (this.#queued >= settings.maxQueued) {
      return Promise.reject(
        new PacerQueueFullError(
          `Not sent: ${this.#queued} calls already wait for the rate limit of ${this.#name} (at most ${settings.maxQueued})`,
          settings.maxQueued,
        ),
      );
    }
    if (this.#queued === 0 && this.#mayGo(now, settings)) return Promise.resolve(this.#send(now));
    const wait = this.#turnOf(this.#callsAhead(key, own), now, settings) - now;
    if (wait > options.maxWaitMs) {
      return Promise.reject(this.#waitTooLong(`the call would have to wait ${seconds(wait)}`, options.maxWaitMs, now));
    }
    return new Promise((resolve, reject) => {
      const { signal } = options;
      const onAbort = () => {
        this.#remove(waiter);
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        key,
        deadline: now + options.maxWaitMs,
        maxWaitMs: options.maxWaitMs,
        go: (release) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
        fail: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const queue = this.#queues.get(key);
      if (queue) queue.push(waiter);
      else this.#queues.set(key, [waiter]);
      this.#queued++;
      this.#nudge();
    });
  }

  /** After a 429: no call goes before `until`, whichever client it comes from. */
  block(until: number): void {
    if (until <= this.#blockedUntil) return;
    if (this.#blockedUntil <= this.#clock.now()) this.#blocks++;
    this.#blockedUntil = until;
    this.#nudge();
  }

  stats(): PacerStats {
    const now = this.#clock.now();
    this.#forget(now);
    return {
      callsLastMinute: this.#sent.filter((sent) => sent.at > now - MINUTE).length,
      queued: this.#queued,
      rateLimitBlocks: this.#blocks,
      ...(this.#blockedUntil > now ? { blockedUntil: new Date(this.#blockedUntil) } : {}),
    };
  }

  /** Counts a call as gone now; its slot is held until a window after its release. */
  #send(now: number): Release {
    const sent: Sent = { at: now, answered: undefined };
    this.#sent.push(sent);
    return () => {
      if (sent.answered !== undefined) return;
      sent.answered = this.#clock.now();
      this.#nudge();
    };
  }

  /** Whether a call may go now: no block, and fewer calls than the limit hold a slot. */
  #mayGo(now: number, settings: PacerSettings): boolean {
    const { limit, window } = windowOf(settings);
    const holding = this.#sent.filter((sent) => sent.answered === undefined || sent.answered + window > now).length;
    return this.#blockedUntil <= now && holding < limit;
  }

  /**
   * Calls served before a new call of `key` under round-robin: those already waiting for the key,
   * and from every other key as many as would be served before it (one per turn).
   */
  #callsAhead(key: string, own: number): number {
    let ahead = own;
    for (const [other, queue] of this.#queues) if (other !== key) ahead += Math.min(queue.length, own + 1);
    return ahead;
  }

  /**
   * When the call with `ahead` calls before it may go, if calls in flight were answered now and
   * the ones ahead at once: an estimate, which the deadline check while waiting makes good.
   */
  #turnOf(ahead: number, now: number, settings: PacerSettings): number {
    const { limit, window } = windowOf(settings);
    // When each slot frees, ascending; those up to `freed` are free at `turn`.
    const frees = this.#sent
      .map((sent) => (sent.answered ?? now) + window)
      .filter((free) => free > now)
      .sort((a, b) => a - b);
    let turn = Math.max(now, this.#blockedUntil);
    let freed = 0;
    for (let call = 0; call <= ahead; call++) {
      while (freed < frees.length && (frees[freed] as number) <= turn) freed++;
      if (frees.length - freed >= limit) turn = frees[frees.length - limit] as number;
      // Never earlier than any slot already counted, so the list stays sorted.
      frees.push(turn + window);
    }
    return turn;
  }

  /** Serves waiting calls as slots free up; runs only while calls wait. */
  #nudge(): void {
    if (this.#running) {
      this.#wake?.abort();
      return;
    }
    if (this.#queued === 0) return;
    this.#running = true;
    void this.#serve().finally(() => {
      this.#running = false;
      this.#wake = undefined;
      if (this.#queued > 0) this.#nudge();
    });
  }

  async #serve(): Promise<void> {
    while (this.#queued > 0) {
      const now = this.#clock.now();
      this.#forget(now);
      const settings = this.settings;
      if (this.#mayGo(now, settings)) {
        this.#next().go(this.#send(now));
        continue;
      }
      this.#expire(now);
      if (this.#queued === 0) return;
      // Until the estimated turn, a deadline or a nudge (a release, a block, a new call).
      const until = Math.min(Math.max(this.#turnOf(0, now, settings), now + 1), this.#earliestDeadline());
      this.#wake = new AbortController();
      await this.#clock.sleep(until - now, this.#wake.signal).catch(() => undefined);
    }
  }

  /** The first call of the key whose turn it is; the key moves to the end of the round. */
  #next(): Waiter {
    const [key, queue] = this.#queues.entries().next().value as [string, Waiter[]];
    const waiter = queue.shift() as Waiter;
    this.#queues.delete(key);
    if (queue.length > 0) this.#queues.set(key, queue);
    this.#queued--;
    return waiter;
  }

  #remove(waiter: Waiter): void {
    const queue = this.#queues.get(waiter.key);
    const index = queue?.indexOf(waiter) ?? -1;
    if (!queue || index < 0) return;
    queue.splice(index, 1);
    if (queue.length === 0) this.#queues.delete(waiter.key);
    this.#queued--;
  }

  /** Fails the calls whose deadline passed while they waited (a 429 block came in between). */
  #expire(now: number): void {
    for (const queue of [...this.#queues.values()]) {
      for (const waiter of [...queue]) {
        if (waiter.deadline > now) continue;
        this.#remove(waiter);
        waiter.fail(this.#waitTooLong("the call's turn did not come in time", waiter.maxWaitMs, now));
      }
    }
  }

  #earliestDeadline(): number {
    let earliest = Infinity;
    for (const queue of this.#queues.values()) for (const waiter of queue) earliest = Math.min(earliest, waiter.deadline);
    return earliest;
  }

  #waitTooLong(what: string, maxWaitMs: number, now: number): PacerWaitTooLongError {
    const blocked = this.#blockedUntil > now ? `; the service blocks it until ${new Date(this.#blockedUntil).toISOString()}` : "";
    return new PacerWaitTooLongError(
      `Not sent: ${what}, and a call may wait at most ${seconds(maxWaitMs)} for the rate limit of ${this.#name} (${this.#queued} calls waiting${blocked})`,
      maxWaitMs,
    );
  }

  /** Keeps the calls of the last minute (the stats' span) and those still holding a slot. */
  #forget(now: number): void {
    const { window } = windowOf(this.settings);
    this.#sent = this.#sent.filter((sent) => sent.at > now - MINUTE || sent.answered === undefined || sent.answered + window > now);
  }
}

/** The window a limit counts in: a second, or longer for fewer than one call a second. */
function windowOf(settings: PacerSettings): { limit: number; window: number } {
  const rate = settings.callsPerSecond;
  return { limit: Math.max(1, Math.floor(rate)), window: rate >= 1 ? 1000 : 1000 / rate };
}

/** `direct job 123`, `archived document 9` or the operation, for messages. */
function describeKey(key: string): string {
  const [area, id] = key.split("/", 2);
  if (id === undefined) return key;
  return area === "archive" ? `archived document ${id}` : `${area} job ${id}`;
}

function seconds(milliseconds: number): string {
  return `${(Math.max(0, milliseconds) / 1000).toFixed(1)} s`;
}
