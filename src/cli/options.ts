import { parseArgs } from "node:util";

/** Every option any command takes; each command checks the ones it needs. */
const OPTIONS = {
  job: { type: "string" },
  out: { type: "string" },
  url: { type: "string" },
  "status-url": { type: "string" },
  token: { type: "string" },
  flow: { type: "string" },
  queue: { type: "string" },
  "signer-url": { type: "string" },
  env: { type: "string" },
  keystore: { type: "string" },
  "keystore-password-env": { type: "string" },
  ca: { type: "string" },
  sender: { type: "string" },
  "no-server-org-check": { type: "boolean" },
  "no-pin-checksum": { type: "boolean" },
  proxy: { type: "string" },
  "connect-timeout": { type: "string" },
  "response-timeout": { type: "string" },
  "download-timeout": { type: "string" },
  debug: { type: "boolean" },
  "dump-dir": { type: "string" },
  id: { type: "string" },
  port: { type: "string" },
  "web-port": { type: "string" },
  "data-dir": { type: "string" },
  reset: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

export type CliOptions = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>["values"];

export function parseCommandLine(argv: string[]): { command: string | undefined; options: CliOptions } {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  return { command: positionals[0], options: values };
}
