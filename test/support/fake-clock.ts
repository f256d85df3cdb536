import type { Clock } from "../../src/core";

/** A clock whose sleeps pass at once, moving time forward; records every sleep. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private time = Date.parse("2026-01-01T12:00:00Z")) {}

  now(): number {
    return this.time;
  }

  async sleep(milliseconds: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(milliseconds);
    this.time += Math.max(0, milliseconds);
    await Promise.resolve();
  }

  advance(milliseconds: number): void {
    this.time += milliseconds;
  }
}
