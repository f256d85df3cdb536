import type { PeerCertificate } from "node:tls";
import { organizationNumberOfCertificate } from "../keys";

/** Raised inside the TLS handshake when the server's certificate is not the expected organization's. */
export class ServerOrganizationMismatch extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string | undefined,
  ) {
    super(`The server's certificate belongs to organization ${actual ?? "(none)"}, expected Posten (${expected})`);
    this.name = "ServerOrganizationMismatch";
  }
}

/**
 * The service's certificate is an enterprise certificate of Posten Bring AS, not a web
 * certificate for the host name, so the official clients skip the host name check and check
 * the organization number instead. `false` switches the check off (e.g. for the emulator
 * reached through a proxy, or a test double).
 */
export function checkServerOrganization(expected: string | false) {
  return (_host: string, certificate: PeerCertificate): Error | undefined => {
    if (expected === false) return undefined;
    const actual = certificate.raw ? organizationNumberOfCertificate(certificate.raw) : undefined;
    return actual === expected ? undefined : new ServerOrganizationMismatch(expected, actual);
  };
}
