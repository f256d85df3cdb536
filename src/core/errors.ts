/**
 * The error hierarchy of the client: input, certificate, transport and service failures all
 * extend `SigneringError` (programming errors such as a `TypeError` from a wrong call are not
 * wrapped). Every error carries a stable `code` a flow can branch on; errors from the service also carry the HTTP status
 * and the service's own error code, message and type. No error ever carries key
 * material, passwords or full national identity numbers.
 */

export class SigneringError extends Error {
  /** Stable, machine-readable code, e.g. `INVALID_INPUT` or the service's error code. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** One rule a field of the input broke. */
export interface InputProblem {
  /** Path of the field, e.g. `signers[1].personalIdentificationNumber`. */
  readonly field: string;
  /** The whole sentence, field first: `title: must be at most 80 characters, was 81`. */
  readonly message: string;
}

/**
 * Input rejected before anything was sent. It carries every problem found in one run (a job with
 * four mistakes gives four), so a caller can show them all at once; `field` and the start of
 * `message` are those of the first.
 */
export class InvalidInputError extends SigneringError {
  /** Path of the first offending field, e.g. `signers[1].personalIdentificationNumber`. */
  readonly field: string;
  /** Every problem found, in the order of the fields; at least one. */
  readonly problems: ReadonlyArray<InputProblem>;

  constructor(field: string, problem: string);
  constructor(problems: readonly InputProblem[]);
  constructor(fieldOrProblems: string | readonly InputProblem[], problem = "") {
    const problems = typeof fieldOrProblems === "string" ? [inputProblem(fieldOrProblems, problem)] : [...fieldOrProblems];
    const [first] = problems;
    if (first === undefined) throw new TypeError("An InvalidInputError needs at least one problem");
    const more = problems.length - 1;
    super("INVALID_INPUT", more === 0 ? first.message : `${first.message} (and ${more} more ${more === 1 ? "problem" : "problems"})`);
    this.field = first.field;
    this.problems = Object.freeze(problems);
  }
}

/** A problem of `field`, its message starting with the field as every input error's does. */
export function inputProblem(field: string, problem: string): InputProblem {
  return { field, message: `${field}: ${problem}` };
}

/** The keystore or certificate cannot be used (wrong password, expired, no org number…). */
export class CertificateError extends SigneringError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A connection-level failure: TLS handshake, refused connection, timeout. */
export class TransportError extends SigneringError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** A response body was larger than the client accepts; nothing more of it was read. */
export class ResponseTooLargeError extends SigneringError {
  /** The limit in bytes. */
  readonly limit: number;

  constructor(what: string, limit: number) {
    super("RESPONSE_TOO_LARGE", `${what} is larger than the limit of ${limit} bytes`);
    this.limit = limit;
  }
}

/** The client was closed before the call could be sent. */
export class ClientClosedError extends SigneringError {
  constructor(message: string) {
    super("CLIENT_CLOSED", message);
  }
}

/** The server's certificate is not one this client trusts (wrong CA or not Posten's organization). */
export class UntrustedServerError extends TransportError {
  constructor(message: string) {
    super("UNTRUSTED_SERVER", message);
  }
}

export interface ServiceErrorDetails {
  httpStatus: number;
  /** `error-code` from the service's error XML, or `HTTP_<status>` when there was none. */
  errorCode: string;
  errorMessage: string;
  /** `error-type` from the service (`CLIENT` or `SERVER`), when given. */
  errorType?: string;
}

/** The service answered with a non-2xx status. */
export class ServiceError extends SigneringError {
  readonly httpStatus: number;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly errorType?: string;

  constructor(details: ServiceErrorDetails) {
    super(details.errorCode, `Posten signering answered ${details.httpStatus} ${details.errorCode}: ${details.errorMessage}`);
    this.httpStatus = details.httpStatus;
    this.errorCode = details.errorCode;
    this.errorMessage = details.errorMessage;
    if (details.errorType !== undefined) this.errorType = details.errorType;
  }
}

/** The certificate is valid, but its organization has no access to the API. */
export class NotAuthorizedError extends ServiceError {}

/** The certificate's organization may not act on behalf of the sender organization. */
export class BrokerNotAuthorizedError extends ServiceError {}

/** A status queue was polled before the next permitted poll time. */
export class TooEagerPollingError extends ServiceError {
  readonly nextPermittedPollTime: Date;

  constructor(details: ServiceErrorDetails, nextPermittedPollTime: Date) {
    super(details);
    this.nextPermittedPollTime = nextPermittedPollTime;
  }
}

/** More than the allowed calls per second: the service blocks the organization for a while. */
export class RateLimitedError extends ServiceError {
  readonly retryAt: Date;

  constructor(details: ServiceErrorDetails, retryAt: Date) {
    super(details);
    this.retryAt = retryAt;
  }
}

/** The status query token from the exit URL is not valid for this job. */
export class InvalidStatusQueryTokenError extends ServiceError {}

/** Status by token was asked before the signer finished the ceremony. */
export class SigningCeremonyNotCompletedError extends ServiceError {}

/** The job cannot be cancelled (already completed, or no cancellation URL). */
export class JobNotCancellableError extends ServiceError {}

/** The documents cannot be deleted (not all signed, too early, or no delete URL). */
export class DocumentsNotDeletableError extends ServiceError {}

/** The service rejected the request's content (schema, bundle, limits). */
export class InvalidRequestError extends ServiceError {}

/** A 2xx response the client cannot use: malformed XML, a DOCTYPE, a missing element, an identifier or URL of the wrong shape. */
export class UnexpectedResponseError extends ServiceError {
  constructor(message: string, httpStatus = 200) {
    super({ httpStatus, errorCode: "UNEXPECTED_RESPONSE", errorMessage: message });
  }
}
