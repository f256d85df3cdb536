import { readFileSync } from "node:fs";
import { SigneringClient } from "../core/clients/signering-client";
import type { Environment } from "../core/environments";
import { InvalidInputError } from "../core/errors";
import type { Timeouts } from "../core/http/transport";
import { loadCredentials } from "../core/keys";
import type { PreflightOptions } from "../core/preflight";
import { keystoreFrom } from "./keystore";
import { nearest } from "./nearest";
import { UsageError, type CliOptions } from "./options";

const NAMED_ENVIRONMENTS = ["production", "test", "qa"] as const;

export function environmentFrom(value: string | undefined): Environment {
  if (value === undefined) return "production";
  const named = NAMED_ENVIRONMENTS.find((environment) => environment === value);
  if (named) return named;
  if (/^https:\/\//.test(value)) return { url: value };
  const suggestion = value.length <= 64 ? nearest(value, NAMED_ENVIRONMENTS) : undefined;
  throw new InvalidInputError(
    "--env",
    `must be production, test, qa or an https URL, was "${value}"${suggestion ? `; did you mean ${suggestion}?` : ""}`,
  );
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

/**
 * The proxy from --proxy or, better, from the environment variable --proxy-env names: a URL on the
 * command line, credentials and all, is readable by every local user in /proc/<pid>/cmdline.
 * Neither given: the client takes HTTPS_PROXY (and NO_PROXY).
 */
function proxyFrom(options: CliOptions): string | undefined {
  const variable = options["proxy-env"];
  if (variable !== undefined && options.proxy !== undefined) throw new UsageError("give --proxy or --proxy-env, not both");
  let flag = "--proxy";
  let value = options.proxy;
  if (variable !== undefined) {
    flag = "--proxy-env";
    value = process.env[variable];
    if (value === undefined || value === "") throw new InvalidInputError(flag, `the environment variable ${variable} is not set`);
  }
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value may hold credentials: do not echo it.
    throw new InvalidInputError(flag, "must be a URL such as http://proxy.example:3128");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidInputError(flag, `must be an http:// or https:// URL, was a ${url.protocol} URL`);
  if (flag === "--proxy" && (url.username || url.password))
    process.stderr.write(
      "posten-signering: warning: --proxy carries credentials, which every local user can read in the process list; " +
        "put the URL in an environment variable and name it with --proxy-env VAR (or set HTTPS_PROXY)\n",
    );
  return value;
}

/** Bytes, a positive whole number, for --max-download-bytes. */
function maxDownloadBytesFrom(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const bytes = Number(value);
  if (!/^\d{1,16}$/.test(value) || bytes < 1 || bytes > Number.MAX_SAFE_INTEGER)
    throw new InvalidInputError("--max-download-bytes", `must be a whole number of bytes from 1, was "${value}"`);
  return bytes;
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
  const proxy = proxyFrom(options);
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
  const maxDownloadBytes = maxDownloadBytesFrom(options["max-download-bytes"]);
  const keystore = "privateKey" in connection.keystore ? connection.keystore : loadCredentials(connection.keystore);
  return new SigneringClient({
    ...connection,
    keystore,
    ...(options["no-pin-checksum"] ? { checkNationalIdChecksum: false } : {}),
    ...(options["dump-dir"] ? { dumpBundles: options["dump-dir"] } : {}),
    ...(maxDownloadBytes === undefined ? {} : { maxDownloadBytes }),
    debug: options.debug === true,
    logger: (level, message) => {
      if (level !== "debug" || options.debug || process.env.POSTEN_SIGNERING_DEBUG) process.stderr.write(`${level}: ${message}\n`);
    },
  });
}
