import { parseArgs } from "node:util";
import { nearest } from "./nearest";

/** Every option any command takes, with what its help says; each command lists the ones it takes. */
export const OPTIONS = {
  job: { type: "string", value: "FILE", help: "the job JSON (see the README's job JSON); document files are relative to it" },
  out: { type: "string", value: "FILE", help: "where to write the file (mode 0600; missing folders are made 0700)" },
  url: { type: "string", value: "URL", help: "the service URL from a job's status or response" },
  "status-url": { type: "string", value: "URL", help: "the job's status URL (statusUrl in create's output)" },
  token: { type: "string", value: "TOKEN", help: "the status_query_token the signer's browser brought to the exit URL" },
  flow: { type: "string", value: "direct|portal", help: "which flow's queue" },
  queue: { type: "string", value: "NAME", help: "a named polling queue (default: the organization's default queue)" },
  "signer-url": { type: "string", value: "URL", help: "the signer's href in create's output" },
  id: { type: "string", value: "ID", help: "the archive document id" },
  env: {
    type: "string",
    value: "production|test|qa|URL",
    help: "which service: production (the default), test (difitest), qa (difiqa) or an https URL",
  },
  keystore: { type: "string", value: "FILE.p12", help: "the enterprise certificate (virksomhetssertifikat) as PKCS#12" },
  "keystore-password-env": { type: "string", value: "VAR", help: "the environment variable holding the keystore password" },
  ca: { type: "string", value: "FILE.pem", help: "trusted CA certificates (needed only for a custom URL)" },
  sender: { type: "string", value: "ORGNO", help: "the sender organization (default: the certificate's)" },
  "no-server-org-check": { type: "boolean", help: "accept a server certificate that is not Posten's (984661185)" },
  "no-pin-checksum": { type: "boolean", help: "skip national identity numbers' check digits (synthetic test identities)" },
  proxy: { type: "string", value: "URL", help: "an HTTP(S) proxy; credentials here are visible to local users, see --proxy-env" },
  "proxy-env": { type: "string", value: "VAR", help: "the environment variable holding the proxy URL (with credentials)" },
  "connect-timeout": { type: "string", value: "MS", help: "connect timeout in milliseconds (default 5000)" },
  "response-timeout": { type: "string", value: "MS", help: "response timeout in milliseconds (default 10000)" },
  "download-timeout": { type: "string", value: "MS", help: "download timeout in milliseconds (default 60000)" },
  "max-download-bytes": { type: "string", value: "BYTES", help: "refuse a download larger than this (default 209715200, 200 MB)" },
  debug: { type: "boolean", help: "log each request on stderr" },
  "dump-dir": { type: "string", value: "DIR", help: "keep a copy of each sent bundle (ASiC-E) in DIR" },
  port: { type: "string", value: "N", help: "the API port (default: the last start's, else a free one)" },
  "web-port": { type: "string", value: "N", help: "the signer pages' port (default: the last start's, else a free one)" },
  "data-dir": { type: "string", value: "DIR", help: "where state and ports are kept (default .posten-signering-emulator)" },
  reset: { type: "boolean", help: "start from a fresh Node-RED user directory" },
  help: { type: "boolean", short: "h", help: "show this help" },
  version: { type: "boolean", help: "print the version" },
} as const satisfies Record<string, { type: "string" | "boolean"; value?: string; help: string; short?: string }>;

export type OptionName = keyof typeof OPTIONS;

export type CliOptions = {
  [Name in OptionName]?: (typeof OPTIONS)[Name]["type"] extends "string" ? string : boolean;
};

/** A mistake on the command line: a few lines on stderr and exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help would help, if any. */
    readonly command?: string,
  ) {
    super(message);
    this.name = "UsageError";
  }
}

export interface CommandLine {
  command: string | undefined;
  options: CliOptions;
}

/** The longest option name worth comparing for a suggestion: bounds the edit-distance work. */
const MAX_SUGGESTED_LENGTH = 64;

/**
 * Splits argv into the command and its options. `allowedFor(command)` is the list of options a
 * command takes; an option it does not take is a `UsageError` naming the nearest one it does.
 */
export function parseCommandLine(argv: readonly string[], allowedFor: (command: string) => readonly OptionName[] | undefined): CommandLine {
  const { tokens } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: false, tokens: true });
  const positionals = tokens.filter((token) => token.kind === "positional").map((token) => token.value);
  const [command, ...extra] = positionals;
  const allowed = command === undefined ? (["help", "version"] as const) : allowedFor(command);
  const options: Record<string, string | boolean> = {};
  for (const token of tokens) {
    if (token.kind !== "option") continue;
    const name = token.name;
    const known = Object.hasOwn(OPTIONS, name) ? OPTIONS[name as OptionName] : undefined;
    // --help and --version always answer, whatever else the line holds.
    if (name === "help" || name === "h" || name === "version") {
      options[name === "h" ? "help" : name] = true;
      continue;
    }
    if (allowed && !allowed.includes(name as OptionName)) throw unknownOption(token.rawName, name, known !== undefined, command, allowed);
    if (!known) continue; // an unknown command: reported below
    if (known.type === "boolean") {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`, command);
      options[name] = true;
    } else {
      const value = token.value;
      if (value === undefined || (!token.inlineValue && value.startsWith("--")))
        throw new UsageError(`${token.rawName} needs a value: ${token.rawName} ${known.value}`, command);
      options[name] = value;
    }
  }
  if (allowed && extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (options start with --)`, command);
  return { command, options: options as CliOptions };
}

function unknownOption(
  rawName: string,
  name: string,
  known: boolean,
  command: string | undefined,
  allowed: readonly OptionName[],
): UsageError {
  const where = command === undefined ? "" : ` for ${command}`;
  if (known) return new UsageError(`${rawName} is not an option${where}`, command);
  const suggestion = name.length <= MAX_SUGGESTED_LENGTH ? nearest(name, allowed) : undefined;
  return new UsageError(`unknown option ${rawName}${where}${suggestion ? `; did you mean --${suggestion}?` : ""}`, command);
}
