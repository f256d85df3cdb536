import { maskSecrets } from "../http/redact";

export type LogLevel = "debug" | "info" | "warn";

/** Where the client's log lines go (the `logger` option). */
export type Logger = (level: LogLevel, message: string) => void;

/**
 * The client's only way to log: every line, whoever writes it, goes through the masking errors
 * get, so a national identity number in a job's title or reference, URL credentials or a server's
 * message reach the log cut to their first six digits or hidden.
 */
export function maskedLog(logger: Logger | undefined, level: LogLevel): (message: string) => void {
  return (message) => logger?.(level, maskSecrets(message));
}
