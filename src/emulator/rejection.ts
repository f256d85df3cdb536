/** A request the emulator refuses, with the HTTP status and the service-style error code. */
export class Rejection extends Error {
  constructor(
    readonly httpStatus: number,
    readonly errorCode: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new Rejection(400, code, message);
