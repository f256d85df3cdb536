/** The emulator's time: the real clock plus an offset that tests move forward. */
export class EmulatorClock {
  constructor(private offsetMs = 0) {}

  now(): number {
    return Date.now() + this.offsetMs;
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
