/** Where the emulator's clock reads the time: the wall clock, or a clock a test moves itself. */
export type TimeSource = () => number;

/** The emulator's time: a time source (the real clock unless a test gives another) plus an offset that tests move forward. */
export class EmulatorClock {
  constructor(
    private offsetMs = 0,
    private readonly source: TimeSource = Date.now,
  ) {}

  now(): number {
    return this.source() + this.offsetMs;
  }

  get offset(): number {
    return this.offsetMs;
  }

  /**
   * The real time at which this clock shows `instant`: what a client, whose clock was not moved,
   * must be told when it is asked to wait (the next permitted poll time).
   */
  realTimeOf(instant: number): number {
    return instant - this.offsetMs;
  }

  /** Back to real time (control API reset). */
  reset(): void {
    this.offsetMs = 0;
  }

  advance(milliseconds: number): void {
    if (!(milliseconds >= 0)) throw new RangeError("The clock only moves forward");
    this.offsetMs += milliseconds;
  }
}
