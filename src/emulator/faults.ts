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
}

export class FaultInjector {
  private faults: (Fault & { remaining: number })[] = [];

  add(fault: Fault): void {
    if (!["latency", "server-error", "drop-connection", "rate-limit"].includes(fault.kind)) {
      throw new RangeError(`Unknown fault kind "${String(fault.kind)}": use latency, server-error, drop-connection or rate-limit`);
    }
    this.faults.push({ ...fault, remaining: Math.max(1, Math.floor(fault.count ?? 1)) });
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
