import { X509Certificate } from "node:crypto";
import type tls from "node:tls";
import {
  apiRootOf,
  checkCertificateFitsEnvironment,
  defaultTrustAnchors,
  isNamedEnvironment,
  POSTEN_ORGANIZATION_NUMBER,
  type Environment,
} from "../environments";
import { SigneringError } from "../errors";
import { checkServerOrganization, ServerOrganizationMismatch } from "../http/server-identity";
import { DEFAULT_TIMEOUTS, type Timeouts } from "../http/transport";
import { isValidOrganizationNumber } from "../identifiers";
import {
  certificatePemBlocks,
  formatForDisplay,
  loadCredentials,
  readCertificateName,
  type CertificateSummary,
  type KeystoreSource,
  type DistinguishedName,
  type SenderCredentials,
} from "../keys";
import { trimEnd } from "../text";
import { connect, get, handshake, resolve, StepTimeout, tunnel } from "./network";

/** The connection settings of a client (same meanings as in `SigneringClientOptions`). */
export interface PreflightOptions {
  environment: Environment;
  keystore: KeystoreSource | SenderCredentials;
  sender?: string;
  trustedCertificates?: string | readonly string[];
  serverOrganizationNumber?: string | false;
  /** An http(s) proxy URL; default `HTTPS_PROXY`/`https_proxy` unless `NO_PROXY` names the host; `false`: none. */
  proxy?: string | false;
  timeouts?: Partial<Timeouts>;
  signal?: AbortSignal;
}

export interface PreflightCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do about a failure. */
  hint?: string;
}

export interface PreflightReport {
  /** Every step passed. */
  ok: boolean;
  certificate?: Omit<CertificateSummary, "expiresWithinDays">;
  checks: PreflightCheck[];
}

/** The whole check ends by then, whatever the network does. */
const DEADLINE_MS = 20_000;

class StepFailure extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/**
 * Checks a connection setup before the first real job, in the order a problem would show: the
 * keystore, the certificate against the environment and sender, the trust anchors, DNS and TCP
 * (through the proxy, if any), mutual TLS with Posten's server certificate, and one
 * authenticated request that changes nothing (`GET {root}/{org}`, the service's documented
 * "who am I"). It stops at the first failed step and never takes longer than 20 seconds.
 */
export async function checkConnection(options: PreflightOptions): Promise<PreflightReport> {
  const deadline = AbortSignal.any([AbortSignal.timeout(DEADLINE_MS), ...(options.signal ? [options.signal] : [])]);
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const checks: PreflightCheck[] = [];
  const report = (): PreflightReport => ({
    ok: checks.length === 6 && checks.every((check) => check.ok),
    ...(certificate ? { certificate } : {}),
    checks,
  });
  let certificate: PreflightReport["certificate"];

  async function step<T>(name: string, run: () => T | Promise<T>, detail: (value: T) => string): Promise<T | undefined> {
    try {
      const value = await run();
      checks.push({ name, ok: true, detail: detail(value) });
      return value;
    } catch (error) {
      checks.push(failureOf(name, error));
      return undefined;
    }
  }

  const credentials = await step(
    "keystore",
    () => {
      const loaded =
        "privateKey" in options.keystore ? options.keystore : loadCredentials(options.keystore, { allowOutsideValidity: true });
      certificate = {
        subject: loaded.subject,
        organizationNumber: loaded.organizationNumber,
        issuer: loaded.issuer,
        kind: loaded.kind,
        validFrom: loaded.validFrom,
        validTo: loaded.validTo,
      };
      return requireValidNow(loaded);
    },
    describeCertificate,
  );
  if (!credentials) return report();
  if (
    !(await step(
      "certificate",
      () => fitsEnvironment(credentials, options),
      (detail) => detail,
    ))
  )
    return report();
  const anchors = await step(
    "trust anchors",
    () => trustAnchors(options),
    (found) => found.detail,
  );
  if (!anchors) return report();

  const root = new URL(apiRootOf(options.environment));
  const port = Number(root.port || 443);
  let proxy: ReturnType<typeof proxyOf> | undefined;
  const socket = await step(
    "network",
    async () => {
      const setting = proxySetting(options.proxy, root.hostname);
      proxy = setting === undefined ? undefined : proxyOf(setting);
      const hop = proxy ?? { host: root.hostname, port };
      const addresses = await resolve(hop.host, timeouts.connect, deadline).catch((error: unknown) => {
        throw new StepFailure(
          error instanceof StepTimeout ? `DNS: ${error.message}` : `DNS: ${hop.host} cannot be looked up (${codeOf(error)})`,
          proxy
            ? "Check the proxy's host name and this machine's DNS."
            : "Check the host name and this machine's DNS and network; behind a corporate proxy, give its URL.",
        );
      });
      const address = addresses[0] as string;
      const open = await connect(address, hop.port, timeouts.connect, deadline).catch((error: unknown) => {
        throw new StepFailure(
          error instanceof StepTimeout
            ? `TCP: ${error.message}`
            : `TCP: connecting to ${address} port ${hop.port} failed (${codeOf(error)})`,
          proxy
            ? "Is the proxy running and reachable from here?"
            : "A firewall may block it: the service uses 51.124.140.176/28, port 443. Behind a corporate proxy, give its URL.",
        );
      });
      const via = proxy;
      if (!via) return { socket: open, address };
      try {
        const toProxy = via.tls ? await handshake(open, { host: via.host }, timeouts.connect, deadline) : open;
        await tunnel(toProxy, root.hostname, port, via.authorization, timeouts.connect, deadline);
        return { socket: toProxy, address };
      } catch (error) {
        open.destroy();
        throw new StepFailure(
          `proxy ${via.host}:${via.port}: ${(error as Error).message}`,
          "The proxy must allow CONNECT to the service's host on port 443 (and may need credentials in the proxy URL).",
        );
      }
    },
    ({ address }) =>
      proxy
        ? `proxy ${proxy.host}:${proxy.port} (${address}) reached and opened a tunnel to ${root.hostname}:${port}`
        : `${root.hostname} is ${address}; TCP port ${port} is open`,
  );
  if (!socket) return report();

  const expectedOrganization = options.serverOrganizationNumber ?? POSTEN_ORGANIZATION_NUMBER;
  const secure = await step(
    "tls",
    () =>
      handshake(
        socket.socket,
        {
          host: root.hostname,
          key: credentials.tls.key,
          cert: credentials.tls.cert,
          ca: anchors.pems,
          checkServerIdentity: checkServerOrganization(expectedOrganization),
        },
        timeouts.connect,
        deadline,
      ).catch((error: unknown) => {
        socket.socket.destroy();
        throw tlsFailure(error, expectedOrganization);
      }),
    (connected) => describeServer(connected, expectedOrganization),
  );
  if (!secure) return report();

  const sender = options.sender ?? credentials.organizationNumber;
  const url = new URL(`${trimEnd(root.href, "/")}/${sender}`);
  await step(
    "api",
    async () => {
      const response = await get(
        secure,
        url,
        { accept: "text/plain, application/xml", "user-agent": "node-red-posten-signering preflight" },
        timeouts.response,
        deadline,
      ).catch((error: unknown) => {
        secure.destroy();
        throw new StepFailure(
          `GET ${url.pathname}: ${(error as Error).message}`,
          "The service accepted the connection but did not answer; try again, or check the proxy.",
        );
      });
      secure.destroy();
      if (response.status !== 200) throw apiFailure(response.status, response.text, url.pathname);
      return response;
    },
    (response) => `GET ${url.pathname}: HTTP ${response.status} "${printable(response.text)}"`,
  );
  return report();
}

function requireValidNow(credentials: SenderCredentials): SenderCredentials {
  const now = new Date();
  if (now > credentials.validTo)
    throw new StepFailure(
      `The certificate "${credentials.subject}" expired ${credentials.validTo.toISOString()}`,
      "Order a new enterprise certificate from Buypass or Commfides.",
    );
  if (now < credentials.validFrom)
    throw new StepFailure(
      `The certificate "${credentials.subject}" is valid only from ${credentials.validFrom.toISOString()}`,
      "Check this machine's clock, or wait until the certificate is valid.",
    );
  return credentials;
}

function describeCertificate(credentials: SenderCredentials): string {
  const days = Math.floor((credentials.validTo.getTime() - Date.now()) / 86_400_000);
  return (
    `${credentials.subject}, organization ${credentials.organizationNumber}, issued by ${credentials.issuer} (${kindOf(credentials)}), ` +
    `valid ${credentials.validFrom.toISOString().slice(0, 10)} to ${credentials.validTo.toISOString().slice(0, 10)}${days <= 30 ? ` — expires in ${days} days` : ""}`
  );
}

function fitsEnvironment(credentials: SenderCredentials, options: PreflightOptions): string {
  try {
    checkCertificateFitsEnvironment(credentials, options.environment);
  } catch (error) {
    throw new StepFailure(
      (error as Error).message,
      "Use a test certificate (Buypass Test4, Commfides TEST) for test and qa, a production certificate for production.",
    );
  }
  const sender = options.sender ?? credentials.organizationNumber;
  if (!isValidOrganizationNumber(sender))
    throw new StepFailure(`The sender organization number "${sender}" is not valid`, "Give the 9-digit organization number of the sender.");
  const environment = isNamedEnvironment(options.environment) ? options.environment : options.environment.url;
  return sender === credentials.organizationNumber
    ? `${kindOf(credentials)} for ${environment}; sender ${sender} is the certificate's organization`
    : `${kindOf(credentials)} for ${environment}; sender ${sender} on behalf of the certificate's organization ${credentials.organizationNumber} (Posten must have authorized this)`;
}

/** A CA's common name, which says which it is; the whole name when it has none. */
function commonNameOrWhole(name: DistinguishedName): string {
  const commonName = name.flat().find((attribute) => attribute.oid === COMMON_NAME_OID);
  return commonName?.value ?? formatForDisplay(name);
}

const COMMON_NAME_OID = "2.5.4.3";

function kindOf(credentials: SenderCredentials): string {
  return credentials.kind === "unknown" ? "issuer not known as a test or production CA" : `a ${credentials.kind} certificate`;
}

function trustAnchors(options: PreflightOptions): { pems: string[]; detail: string } {
  let pems: string[];
  try {
    const given = options.trustedCertificates ?? defaultTrustAnchors(options.environment);
    pems = typeof given === "string" ? certificatePemBlocks(given) : [...given];
  } catch (error) {
    throw new StepFailure(
      (error as Error).message,
      "Give the PEM certificate of the CA that issued the server's certificate (trustedCertificates, --ca).",
    );
  }
  if (pems.length === 0)
    throw new StepFailure("No CA certificate was given", "Give the PEM certificate of the CA that issued the server's certificate.");
  const names = pems.map((pem, index) => {
    try {
      return commonNameOrWhole(readCertificateName(new X509Certificate(pem).raw, "subject"));
    } catch {
      throw new StepFailure(
        `Trust anchor ${index + 1} is not a PEM certificate`,
        "Give CA certificates in PEM form (-----BEGIN CERTIFICATE-----).",
      );
    }
  });
  const source = options.trustedCertificates === undefined ? "shipped with the package" : "given";
  return { pems, detail: `${pems.length} CA certificate(s) ${source}: ${names.join("; ")}` };
}

/** The proxy the client would use: the given one, none for `false`, else the environment's, as undici's EnvHttpProxyAgent reads it. */
function proxySetting(proxy: string | false | undefined, host: string): string | undefined {
  if (proxy !== undefined) return proxy === false || proxy === "" ? undefined : proxy;
  const fromEnvironment = process.env["HTTPS_PROXY"] || process.env["https_proxy"];
  if (!fromEnvironment) return undefined;
  const exceptions = (process.env["NO_PROXY"] ?? process.env["no_proxy"] ?? "").split(/[,\s]+/).filter(Boolean);
  const bypassed = exceptions.some((entry) => {
    const name = entry.replace(/:\d+$/, "").replace(/^\*?\./, "");
    return entry === "*" || host === name || host.endsWith(`.${name}`);
  });
  return bypassed ? undefined : fromEnvironment;
}

function proxyOf(proxy: string): { host: string; port: number; tls: boolean; authorization?: string } {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    throw new StepFailure(
      "The proxy setting is not a URL",
      "Give the proxy as http://host:port (credentials, if any, as http://user:password@host:port).",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new StepFailure(
      `The proxy's scheme is ${url.protocol.slice(0, -1)}`,
      "Give an http:// or https:// proxy URL; the TLS session to the service runs inside its tunnel.",
    );
  }
  const authorization = url.username
    ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString("base64")}`
    : undefined;
  const tls = url.protocol === "https:";
  return { host: url.hostname, port: Number(url.port || (tls ? 443 : 80)), tls, ...(authorization ? { authorization } : {}) };
}

function describeServer(socket: tls.TLSSocket, expected: string | false): string {
  const peer = socket.getPeerX509Certificate();
  const subject = peer ? formatForDisplay(readCertificateName(peer.raw, "subject")) : "(none)";
  const issuer = peer ? formatForDisplay(readCertificateName(peer.raw, "issuer")) : "(none)";
  const belongs = expected === false ? "organization not checked" : `organization ${expected}`;
  return `${socket.getProtocol() ?? "TLS"} with the client certificate; the server is "${subject}" (${belongs}), issued by "${issuer}", chained to the trust anchors`;
}

function tlsFailure(error: unknown, expected: string | false): StepFailure {
  if (error instanceof StepTimeout)
    return new StepFailure(error.message, "Something between here and the service holds the connection; check the proxy or firewall.");
  if (error instanceof ServerOrganizationMismatch || (error as Error).name === "ServerOrganizationMismatch") {
    return new StepFailure(
      (error as Error).message,
      `This is not Posten's service (expected organization ${String(expected)}); check the URL, or a proxy that intercepts TLS.`,
    );
  }
  const code = codeOf(error);
  if (/CERT|SELF_SIGNED|ISSUER|VERIFY/.test(code)) {
    return new StepFailure(
      `The server's certificate does not chain to the trust anchors (${code})`,
      "Use the trust anchors of this environment (the shipped set for production, test and qa, or --ca for a custom URL); a TLS-intercepting proxy also causes this.",
    );
  }
  if (/ALERT|HANDSHAKE|ECONNRESET|EPIPE|socket hang up/i.test(`${code} ${(error as Error).message}`)) {
    return new StepFailure(
      `The server ended the TLS handshake (${code}): it did not accept the client certificate`,
      "Check that the certificate is an enterprise certificate for this environment (test certificates for test and qa) and that Posten has registered the organization.",
    );
  }
  return new StepFailure(`The TLS handshake failed (${code})`, "Check the trust anchors and the certificate.");
}

function apiFailure(status: number, text: string, path: string): StepFailure {
  const errorCode = /<error-code>([^<]{1,100})<\/error-code>/.exec(text)?.[1];
  const shown = `GET ${path}: HTTP ${status}${errorCode ? ` ${errorCode}` : ""}`;
  if (errorCode === "BROKER_NOT_AUTHORIZED")
    return new StepFailure(
      shown,
      "The certificate's organization may not act for this sender; ask Posten to register it as a broker, or use the sender's own certificate.",
    );
  if (status === 403 || errorCode === "NOT_AUTHORIZED")
    return new StepFailure(
      shown,
      "The certificate is fine but its organization has no access: it needs an agreement with Posten signering and a registered sender.",
    );
  return new StepFailure(`${shown} "${printable(text)}"`, "The service answered unexpectedly; try again later.");
}

function failureOf(name: string, error: unknown): PreflightCheck {
  if (error instanceof StepFailure) return { name, ok: false, detail: error.message, hint: error.hint };
  if (error instanceof SigneringError) {
    const hints: Record<string, string> = {
      WRONG_PASSWORD: "Check the keystore password.",
      UNREADABLE_KEYSTORE: "The file must be the enterprise certificate as PKCS#12 (.p12/.pfx).",
      NO_ORGANIZATION_NUMBER: "Use an enterprise certificate (virksomhetssertifikat) from Buypass or Commfides.",
    };
    return { name, ok: false, detail: error.message, hint: hints[error.code] ?? "Check the setting named in the message." };
  }
  return { name, ok: false, detail: (error as Error).message ?? String(error), hint: "Unexpected; please report it." };
}

function codeOf(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? String(error);
}

/** Server text is shown, but only as one short printable line. */
function printable(text: string): string {
  return text
    .replace(/[^\x20-\x7e\u00a0-\u024f]+/g, " ")
    .trim()
    .slice(0, 200);
}
