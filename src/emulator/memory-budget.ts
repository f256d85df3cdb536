import { Rejection } from "./rejection";

/**
 * The bytes that job requests in flight may hold at once: their bodies and what their bundles
 * inflate to. A request reserves its body's size before reading it, waiting its turn when the
 * budget is spent; what it inflates is added as it goes, at once or not at all (a request that
 * holds bytes never waits for more, so two can never wait for each other), and everything is
 * given back when the request ends. Small jobs thus run side by side, while a few large ones,
 * or zip bombs, cannot exhaust the process.
 */
export class MemoryBudget {
  private used = 0;
  private readonly waiting: { bytes: number; admit: () => void }[] = [];

  constructor(
    private readonly capacityBytes: number,
    private readonly maxWaiting: number,
  ) {}

  /** Holds `bytes` (at most the capacity) for a request, once they are free. */
  async reserve(bytes: number): Promise<MemoryReservation> {
    if (this.waiting.length === 0 && this.used + bytes <= this.capacityBytes) {
      this.used += bytes;
    } else {
      if (this.waiting.length >= this.maxWaiting) throw busy(`${this.waiting.length} job requests are waiting for memory already`);
      await new Promise<void>((admit) => this.waiting.push({ bytes, admit }));
    }
    return new MemoryReservation(
      bytes,
      (more) => this.take(more),
      (held) => this.giveBack(held),
    );
  }

  private take(bytes: number): boolean {
    if (this.used + bytes > this.capacityBytes) return false;
    this.used += bytes;
    return true;
  }

  private giveBack(bytes: number): void {
    this.used -= bytes;
    for (let next = this.waiting[0]; next && this.used + next.bytes <= this.capacityBytes; next = this.waiting[0]) {
      this.waiting.shift();
      this.used += next.bytes;
      next.admit();
    }
  }
}

export class MemoryReservation {
  private released = false;

  constructor(
    private heldBytes: number,
    private readonly take: (bytes: number) => boolean,
    private readonly giveBack: (bytes: number) => void,
  ) {}

  /** Adds `bytes` to what the request holds, or refuses it with 503 when the budget has no room now. */
  grow(bytes: number): void {
    if (!this.take(bytes)) throw busy("the job requests in flight hold all the memory they may");
    this.heldBytes += bytes;
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.giveBack(this.heldBytes);
  }
}

function busy(reason: string): Rejection {
  return new Rejection(503, "SERVICE_UNAVAILABLE", `The emulator is busy (${reason}); try again shortly`, { "Retry-After": "1" });
}
