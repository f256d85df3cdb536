import { readFileSync } from "node:fs";
import { InvalidInputError } from "../core/errors";
import { loadCredentials, type SenderCredentials } from "../core/keys";
import { SigneringClient } from "../core/clients/signering-client";
import type { Environment } from "../core/environments";
import type { CliOptions } from "./options";

/** Reads the keystore named on the command line; its password comes from an environment variable, never argv. */
export function credentialsFrom(options: CliOptions): SenderCredentials {
  const keystore = options.keystore;
  if (!keystore) throw new InvalidInputError("--keystore", "is required: the enterprise certificate as a .p12 file");
  const variable = options["keystore-password-env"];
  if (!variable) throw new InvalidInputError("--keystore-password-env", "is required: the name of the environment variable holding the keystore password");
  const password = process.env[variable];
  if (password === undefined) throw new InvalidInputError("--keystore-password-env", `the environment variable ${variable} is not set`);
  let pkcs12: Buffer;
  try {
    pkcs12 = readFileSync(keystore);
  } catch (error) {
    throw new InvalidInputError("--keystore", `cannot read ${keystore}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return loadCredentials({ pkcs12, password });
}

export function environmentFrom(value: string | undefined): Environment {
  if (value === undefined || value === "production" || value === "test") return value ?? "production";
  if (/^https:\/\//.test(value)) return { url: value };
  throw new InvalidInputError("--env", `must be production, test or an https URL, was "${value}"`);
}

export function clientFrom(options: CliOptions): SigneringClient {
  const ca = options.ca;
  let trustedCertificates: string | undefined;
  if (ca) {
    try {
      trustedCertificates = readFileSync(ca, "utf8");
    } catch (error) {
      throw new InvalidInputError("--ca", `cannot read ${ca}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  return new SigneringClient({
    environment: environmentFrom(options.env),
    keystore: credentialsFrom(options),
    ...(options.sender ? { sender: options.sender } : {}),
    ...(trustedCertificates ? { trustedCertificates } : {}),
    ...(options["no-server-org-check"] ? { serverOrganizationNumber: false as const } : {}),
    ...(options["no-pin-checksum"] ? { checkNationalIdChecksum: false } : {}),
    logger: (level, message) => {
      if (level !== "debug" || process.env.POSTEN_SIGNERING_DEBUG) process.stderr.write(`${level}: ${message}\n`);
    },
  });
}
