/** A request the emulator refuses, with the HTTP status and the service-style error code. */
export class Rejection extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** For refusals that end at a known time (rate limit): when to try again. */
    readonly retryAt?: number,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new Rejection(400, code, message);
