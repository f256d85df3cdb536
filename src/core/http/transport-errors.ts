import { SigneringError, TransportError, UntrustedServerError } from "../errors";
import { maskSecrets } from "./redact";
import { ServerOrganizationMismatch } from "./server-identity";

const TLS_HINTS = [
  "the enterprise certificate is not accepted by the server (wrong environment: test certificates for the test environment, production certificates for production)",
  "the trusted CA certificates do not include the issuer of the server's certificate",
  "a proxy or firewall intercepts TLS",
  "the certificate's key usage does not allow client authentication / digital signature",
];

/** Wraps connection-level failures (also those while a body streams) with a hint, never with key material or proxy credentials. */
export function transportErrorFrom(error: unknown, url: string): SigneringError {
  if (error instanceof SigneringError) return error;
  const host = new URL(url).host;
  const chain = causes(error);
  const mismatch = chain.find((cause): cause is ServerOrganizationMismatch => cause instanceof ServerOrganizationMismatch);
  if (mismatch) return new UntrustedServerError(`${mismatch.message} (${host})`);
  const code = chain.map((cause) => (cause as { code?: string }).code).find((value) => typeof value === "string") ?? "";
  const message = maskSecrets(chain.map((cause) => (cause as Error).message).find(Boolean) ?? String(error));
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/.test(code)) {
    return new UntrustedServerError(`The server's certificate is not trusted (${code}): ${message}`);
  }
  if (/ERR_SSL|EPROTO|ECONNRESET/.test(code) || /alert|handshake/i.test(message)) {
    return new TransportError(
      "TLS_FAILURE",
      `TLS connection to ${host} failed (${code || "handshake"}): ${message}. Possible causes: ${TLS_HINTS.join("; ")}.`,
      {
        cause: error,
      },
    );
  }
  if (/TIMEOUT/i.test(code) || (error as Error)?.name === "TimeoutError") {
    return new TransportError("TIMEOUT", `No answer from ${host} in time (${code || "timeout"})`, { cause: error });
  }
  if ((error as Error)?.name === "AbortError") return new TransportError("ABORTED", "The request was aborted", { cause: error });
  return new TransportError(code || "CONNECTION_FAILED", `Could not reach ${host}: ${message}`, { cause: error });
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 8; current = (current as { cause?: unknown }).cause) chain.push(current);
  return chain;
}
