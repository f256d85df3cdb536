import { readFileSync } from "node:fs";
import { SigneringClient } from "../core/clients/signering-client";
import type { Environment } from "../core/environments";
import { InvalidInputError } from "../core/errors";
import type { Timeouts } from "../core/http/transport";
import { loadCredentials } from "../core/keys";
import type { PreflightOptions } from "../core/preflight";
import { keystoreFrom } from "./keystore";
import type { CliOptions } from "./options";

const NAMED_ENVIRONMENTS = ["production", "test", "qa"] as const;

export function environmentFrom(value: string | undefined): Environment {
  if (value === undefined) return "production";
  const named = NAMED_ENVIRONMENTS.find((environment) => environment === value);
  if (named) return named;
  if (/^https:\/\//.test(value)) return { url: value };
  throw new InvalidInputError("--env", `must be production, test, qa or an https URL, was "${value}"`);
}

const TIMEOUT_FLAGS = { connect: "connect-timeout", response: "response-timeout", download: "download-timeout" } as const;
const MAX_TIMEOUT_MS = 10 * 60 * 1000;

function timeoutsFrom(options: CliOptions): Partial<Timeouts> {
  const timeouts: Partial<Timeouts> = {};
  for (const [key, flag] of Object.entries(TIMEOUT_FLAGS) as [keyof Timeouts, (typeof TIMEOUT_FLAGS)[keyof Timeouts]][]) {
    const value = options[flag];
    if (value === undefined) continue;
    const ms = Number(value);
    if (!/^\d+$/.test(value) || ms < 1 || ms > MAX_TIMEOUT_MS)
      throw new InvalidInputError(`--${flag}`, `must be milliseconds from 1 to ${MAX_TIMEOUT_MS}, was "${value}"`);
    timeouts[key] = ms;
  }
  return timeouts;
}

function proxyFrom(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value may hold credentials: do not echo it.
    throw new InvalidInputError("--proxy", "must be a URL such as http://proxy.example:3128");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidInputError("--proxy", `must be an http:// or https:// URL, was a ${url.protocol} URL`);
  return value;
}

function trustedCertificatesFrom(ca: string | undefined): string | undefined {
  if (!ca) return undefined;
  try {
    return readFileSync(ca, "utf8");
  } catch (error) {
    throw new InvalidInputError("--ca", `cannot read ${ca}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The connection settings every command that talks to the service takes. */
export function connectionFrom(options: CliOptions): PreflightOptions {
  const trustedCertificates = trustedCertificatesFrom(options.ca);
  const proxy = proxyFrom(options.proxy);
  return {
    environment: environmentFrom(options.env),
    keystore: keystoreFrom(options),
    timeouts: timeoutsFrom(options),
    ...(options.sender ? { sender: options.sender } : {}),
    ...(trustedCertificates ? { trustedCertificates } : {}),
    ...(proxy ? { proxy } : {}),
    ...(options["no-server-org-check"] ? { serverOrganizationNumber: false as const } : {}),
  };
}

export function clientFrom(options: CliOptions): SigneringClient {
  const connection = connectionFrom(options);
  const keystore = "privateKey" in connection.keystore ? connection.keystore : loadCredentials(connection.keystore);
  return new SigneringClient({
    ...connection,
    keystore,
    ...(options["no-pin-checksum"] ? { checkNationalIdChecksum: false } : {}),
    ...(options["dump-dir"] ? { dumpBundles: options["dump-dir"] } : {}),
    debug: options.debug === true,
    logger: (level, message) => {
      if (level !== "debug" || options.debug || process.env.POSTEN_SIGNERING_DEBUG) process.stderr.write(`${level}: ${message}\n`);
    },
  });
}
