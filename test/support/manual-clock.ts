import type { Clock } from "../../src/core";

/** A clock that moves only when the test says so; sleeps end when it passes their time. */
export class ManualClock implements Clock {
  private readonly timers: { due: number; resolve: () => void }[] = [];

  constructor(private time = Date.parse("2026-01-01T12:00:00Z")) {}

  now(): number {
    return this.time;
  }

  /** Sleeps not yet over. */
  get sleeping(): number {
    return this.timers.length;
  }

  sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = { due: this.time + Math.max(0, milliseconds), resolve: () => resolve() };
      this.timers.push(timer);
      signal?.addEventListener(
        "abort",
        () => {
          const index = this.timers.indexOf(timer);
          if (index >= 0) this.timers.splice(index, 1);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /**
   * Moves time forward at once, as a stalled event loop sees it: every sleep that fell due in
   * between ends together, at the new time.
   */
  async advance(milliseconds: number): Promise<void> {
    this.time += milliseconds;
    const due = this.timers.filter((timer) => timer.due <= this.time);
    for (const timer of due) this.timers.splice(this.timers.indexOf(timer), 1);
    for (const timer of due) timer.resolve();
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}
