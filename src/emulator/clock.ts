/** Where the emulator's clock reads the time: the wall clock, or a clock a test moves itself. */
export type TimeSource = () => number;

/** The emulator's time: a time source (the real clock unless a test gives another) plus an offset that tests move forward. */
export class EmulatorClock {
  private offsetMs: number;

  /**
   * An offset restored from the data directory is taken only within the bounds `advance` keeps; otherwise the clock starts at real
   * time.
   */
  constructor(
    storedOffsetMs = 0,
    private readonly source: TimeSource = Date.now,
  ) {
    this.offsetMs = Number.isFinite(storedOffsetMs) && storedOffsetMs >= 0 && storedOffsetMs <= MAX_CLOCK_OFFSET_MS ? storedOffsetMs : 0;
  }

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

  /**
   * Refuses, changing nothing, a step that is not a whole number of milliseconds up to 400 days, or that takes the clock beyond 100
   * years ahead.
   */
  advance(milliseconds: number): void {
    if (!Number.isSafeInteger(milliseconds) || milliseconds < 0 || milliseconds > MAX_CLOCK_STEP_MS) {
      throw new RangeError(
        `advanceMs must be a whole number of milliseconds from 0 to ${MAX_CLOCK_STEP_MS} (400 days), was ${String(milliseconds)}`,
      );
    }
    if (this.offsetMs + milliseconds > MAX_CLOCK_OFFSET_MS) {
      throw new RangeError(
        `The clock may run at most ${MAX_CLOCK_OFFSET_MS} ms (100 years) ahead of real time; it is ${this.offsetMs} ms ahead (reset to start again)`,
      );
    }
    this.offsetMs += milliseconds;
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Longer than any availability (90 days) or deadline a job can have. */
export const MAX_CLOCK_STEP_MS = 400 * DAY_MS;
/** Keeps every time the emulator shows a valid date. */
export const MAX_CLOCK_OFFSET_MS = 36_525 * DAY_MS;
