/** Faults the control API injects into the service side, for testing clients' error handling. */

export type FaultKind = "latency" | "server-error" | "drop-connection" | "rate-limit";

export interface Fault {
  kind: FaultKind;
  /** Only requests whose path contains this text (default: every API request). */
  pathContains?: string;
  /** How many requests it hits (default 1). */
  count?: number;
  /** For latency: the delay. */
  delayMs?: number;
  /** For server-error: the status (default 500). */
  status?: number;
  /** For rate-limit: how long the refusal says to wait (default 30 s, as the service's block). */
  retryAfterSeconds?: number;
}

/** Far more than a test sets up at once; keeps the list, and the search per request, small. */
const MAX_FAULTS = 100;
const MAX_PATH_TEXT = 500;

export class FaultInjector {
  private faults: (Fault & { remaining: number })[] = [];

  add(fault: Fault): void {
    if (!["latency", "server-error", "drop-connection", "rate-limit"].includes(fault.kind)) {
      throw new RangeError(`Unknown fault kind "${String(fault.kind)}": use latency, server-error, drop-connection or rate-limit`);
    }
    requireWithin(fault, "count", 1, 1_000_000);
    requireWithin(fault, "delayMs", 0, 600_000);
    requireWithin(fault, "status", 500, 599);
    requireWithin(fault, "retryAfterSeconds", 0, 3600);
    if (fault.pathContains !== undefined && (typeof fault.pathContains !== "string" || fault.pathContains.length > MAX_PATH_TEXT)) {
      throw new RangeError(`pathContains must be a string of at most ${MAX_PATH_TEXT} characters`);
    }
    if (this.faults.length >= MAX_FAULTS) throw new RangeError(`At most ${MAX_FAULTS} faults can wait at once; clear them first`);
    this.faults.push({ ...fault, remaining: fault.count ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The fault for this request, if any, used up as it is taken. */
  take(path: string): Fault | undefined {
    const fault = this.faults.find((candidate) => candidate.pathContains === undefined || path.includes(candidate.pathContains));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }
}

function requireWithin(fault: Fault, field: "count" | "delayMs" | "status" | "retryAfterSeconds", min: number, max: number): void {
  const value = fault[field];
  if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) {
    throw new RangeError(`${field} must be a whole number from ${min} to ${max}, was ${JSON.stringify(value)}`);
  }
}
