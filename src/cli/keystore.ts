import { readFileSync } from "node:fs";
import { InvalidInputError } from "../core/errors";
import type { KeystoreSource } from "../core/keys";
import type { CliOptions } from "./options";

/** The keystore named on the command line; its password comes from an environment variable, never argv. */
export function keystoreFrom(options: CliOptions): KeystoreSource {
  const keystore = options.keystore;
  if (!keystore) throw new InvalidInputError("--keystore", "is required: the enterprise certificate as a .p12 file");
  const variable = options["keystore-password-env"];
  if (!variable)
    throw new InvalidInputError(
      "--keystore-password-env",
      "is required: the name of the environment variable holding the keystore password",
    );
  const password = process.env[variable];
  if (password === undefined) throw new InvalidInputError("--keystore-password-env", `the environment variable ${variable} is not set`);
  try {
    return { pkcs12: readFileSync(keystore), password };
  } catch (error) {
    throw new InvalidInputError(
      "--keystore",
      `cannot read ${keystore}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
