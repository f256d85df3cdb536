import { Rejection } from "./rejection";

/**
 * Bounds how many job creation requests the emulator holds at once. Each may bring a body of up
 * to 201 MB and inflate as much again, so a handful at once would exhaust the process; the rest
 * wait unread (the socket's flow control holds their bodies back), and beyond the waiting room
 * they are refused with 503 before any byte of their body is read.
 */
export class JobRequestGate {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly atOnce: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.atOnce) {
      if (this.waiting.length >= this.maxWaiting) {
        throw new Rejection(
          503,
          "SERVICE_UNAVAILABLE",
          `The emulator handles ${this.atOnce} job requests at once and queues ${this.maxWaiting}; try again shortly`,
          {
            "Retry-After": "1",
            connection: "close",
          },
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next in line, so a newcomer cannot take it in between.
      if (next) next();
      else this.active -= 1;
    }
  }
}
