import type { Clock } from "../clock";
import { CREATE_KEY, DEFAULT_PACER_SETTINGS, Pacer, type PacerSettings, type PacerStats, type Release } from "./pacer";

/**
 * The process's pacers: one per API root and organization (and clock, so a test's own clock gets
 * its own), shared by every client and the pre-flight check. A pacer is forgotten once it is idle
 * (nobody shares it, nothing waits, no call in the last minute); a client keeps the pacer of its
 * sender alive until it closes, so its counts last as long as the client.
 */

const pacersByClock = new WeakMap<Clock, Map<string, Pacer>>();
const lastSweep = new WeakMap<Clock, number>();
const SWEEP_INTERVAL_MS = 1000;

/** The pacer of an organization at an API root. */
export function sharedPacer(clock: Clock, apiRoot: string, organization: string): Pacer {
  const pacers = pacersByClock.get(clock) ?? new Map<string, Pacer>();
  pacersByClock.set(clock, pacers);
  sweep(clock, pacers);
  const id = `${organization} ${apiRoot}`;
  let pacer = pacers.get(id);
  if (!pacer) {
    pacer = new Pacer(clock, `organization ${organization}`);
    pacers.set(id, pacer);
  }
  return pacer;
}

/** Forgets idle pacers, at most once a second, so organizations met once do not pile up. */
function sweep(clock: Clock, pacers: Map<string, Pacer>): void {
  const now = clock.now();
  if (now - (lastSweep.get(clock) ?? -Infinity) < SWEEP_INTERVAL_MS) return;
  lastSweep.set(clock, now);
  for (const [id, pacer] of pacers) if (pacer.isIdle()) pacers.delete(id);
}

/**
 * The queue a call waits in: the job it is about (`direct/123`) or the archived document
 * (`archive/9`), from its URL; `create` for new jobs, otherwise its operation (`poll`).
 */
export function pacingKey(apiRoot: string, url: string, operation: string): string {
  if (operation === CREATE_KEY) return CREATE_KEY;
  // {root}/{organization}/{flow}/signature-jobs/{id}/… or {root}/{organization}/archive/documents/{id}/pades
  const [, area, kind, id] = url.startsWith(`${apiRoot}/`) ? url.slice(apiRoot.length + 1).split("/", 4) : [];
  const about = id?.split("?")[0];
  if (!area || !about) return operation;
  if (kind === "signature-jobs") return `${area}/${about}`;
  return kind === "documents" ? `${area}/${about}` : operation;
}

/** A client's settings: the shared pacer's, and how long each of its calls may wait. */
export interface PacingSettings extends PacerSettings {
  maxWaitMs: number;
}

export const DEFAULT_PACING_SETTINGS: Readonly<PacingSettings> = { ...DEFAULT_PACER_SETTINGS, maxWaitMs: 30_000 };

/** How one client takes part in the shared pacers of the organizations it calls for. */
export class ClientPacing {
  readonly #clock: Clock;
  readonly #apiRoot: string;
  readonly #settings: PacingSettings;
  /** The pacers this client joined; it leaves them when it closes. */
  readonly #joined = new Set<Pacer>();
  readonly #own: Pacer;

  constructor(clock: Clock, apiRoot: string, sender: string, settings: PacingSettings) {
    this.#clock = clock;
    this.#apiRoot = apiRoot;
    this.#settings = settings;
    this.#own = this.#pacerOf(sender);
  }

  /**
   * Waits for the call's turn under its organization's shared limit, or refuses it at once;
   * release the turn when the call's answer (or failure) has come.
   */
  acquire(organization: string, call: { url: string; operation: string }, signal?: AbortSignal): Promise<Release> {
    return this.#pacerOf(organization).acquire(pacingKey(this.#apiRoot, call.url, call.operation), {
      maxWaitMs: this.#settings.maxWaitMs,
      ...(signal ? { signal } : {}),
    });
  }

  /** After a 429: every client of the organization waits until `until`. */
  block(organization: string, until: number): void {
    this.#pacerOf(organization).block(until);
  }

  /** The shared pacer of the client's sender. */
  stats(): PacerStats {
    return this.#own.stats();
  }

  /** The client closed: its settings no longer count, and its pacers may be forgotten when idle. */
  leave(): void {
    for (const pacer of this.#joined) pacer.leave(this);
    this.#joined.clear();
  }

  #pacerOf(organization: string): Pacer {
    const pacer = sharedPacer(this.#clock, this.#apiRoot, organization);
    if (!this.#joined.has(pacer)) {
      pacer.join(this, this.#settings);
      this.#joined.add(pacer);
    }
    return pacer;
  }
}
