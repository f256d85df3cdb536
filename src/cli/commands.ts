import { InvalidInputError } from "../core/errors";
import type { SigneringClient } from "../core/clients/signering-client";
import type { Flow } from "../core/model";
import type { PreflightReport } from "../core/preflight";
import type { CliOptions } from "./options";

/**
 * The commands. Each loads what it needs when it runs, so `bundle` never loads the HTTP stack and
 * `--help` loads nothing.
 */
export interface Command {
  usage: string;
  summary: string;
  run(options: CliOptions, argv: string[]): Promise<unknown>;
  /** The exit code for a result (default 0). */
  exitCode?(result: unknown): number;
}

/** What "[connection options]" stands for in the usage lines. */
export const CONNECTION_OPTIONS =
  "[--env production|test|qa|URL] --keystore FILE.p12 --keystore-password-env VAR [--ca FILE.pem] [--sender ORGNO] [--no-server-org-check]\n" +
  "  [--proxy URL] [--connect-timeout MS] [--response-timeout MS] [--download-timeout MS] [--debug]";
const CONNECTION_USAGE = "[connection options]";

/**
 * Loads a module of a command when it runs. `require`, not `import()`: for CommonJS, `import()`
 * starts Node's ES module loader first, which costs a one-shot command ~10 ms.
 */
function load<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as T;
}

function required(options: CliOptions, name: keyof CliOptions): string {
  const value = options[name];
  if (typeof value !== "string" || value === "") throw new InvalidInputError(`--${name}`, "is required");
  return value;
}

/** Runs an operation with a client, closing its connections afterwards. */
async function withClient(options: CliOptions, operation: (client: SigneringClient) => Promise<unknown>): Promise<unknown> {
  const { clientFrom } = load<typeof import("./connection")>("./connection");
  const client = clientFrom(options);
  try {
    return await operation(client);
  } finally {
    await client.close();
  }
}

/** Streams a download into a file. */
async function save(download: Promise<NodeJS.ReadableStream>, out: string): Promise<{ out: string; bytes: number }> {
  const [{ createWriteStream }, { pipeline }] = await Promise.all([import("node:fs"), import("node:stream/promises")]);
  const stream = await download;
  const file = createWriteStream(out);
  await pipeline(stream, file);
  return { out, bytes: file.bytesWritten };
}

function flowOf(value: string | undefined): Flow {
  if (value === "direct" || value === "portal") return value;
  throw new InvalidInputError("--flow", `must be direct or portal, was ${JSON.stringify(value)}`);
}

export const COMMANDS: Record<string, Command> = {
  check: {
    usage: `check ${CONNECTION_USAGE}`,
    summary:
      "check the setup step by step (keystore, certificate, trust anchors, network, TLS, one harmless request); exit 0 only if all pass",
    async run(options) {
      const { connectionFrom } = load<typeof import("./connection")>("./connection");
      const { checkConnection } = load<typeof import("../core/preflight")>("../core/preflight");
      return checkConnection(connectionFrom(options));
    },
    exitCode: (report) => ((report as PreflightReport).ok ? 0 : 1),
  },
  bundle: {
    usage: "bundle --job FILE --keystore FILE.p12 --keystore-password-env VAR --out FILE.asice [--sender ORGNO] [--no-pin-checksum]",
    summary: "validate a job and write its signed document bundle (ASiC-E) to a file, without sending it",
    async run(options) {
      const { runBundleCommand } = load<typeof import("./bundle-command")>("./bundle-command");
      return runBundleCommand(options, required(options, "job"), required(options, "out"));
    },
  },
  create: {
    usage: `create --job FILE [--dump-dir DIR] ${CONNECTION_USAGE} [--no-pin-checksum]`,
    summary: "create a direct or portal signature job; prints the job response (--dump-dir keeps a copy of the sent bundle)",
    run: (options) =>
      withClient(options, async (client) => {
        const { readJobFile } = load<typeof import("./job-file")>("./job-file");
        const job = readJobFile(required(options, "job"));
        return job.flow === "direct" ? client.direct.createJob(job) : client.portal.createJob(job);
      }),
  },
  status: {
    usage: `status --status-url URL --token TOKEN ${CONNECTION_USAGE}`,
    summary: "a direct job's status by the status_query_token from the exit URL",
    run: (options) => withClient(options, (client) => client.direct.getStatus(required(options, "status-url"), required(options, "token"))),
  },
  poll: {
    usage: `poll --flow direct|portal [--queue NAME] ${CONNECTION_USAGE}`,
    summary: "the next status change from the queue, or NO_CHANGES with the next permitted poll time",
    run: (options) =>
      withClient(options, (client) => {
        const flow = flowOf(options.flow);
        const queue = options.queue === undefined ? {} : { pollingQueue: options.queue };
        return flow === "direct" ? client.direct.nextStatusChange(queue) : client.portal.nextStatusChange(queue);
      }),
  },
  download: {
    usage: `download --url URL --out FILE ${CONNECTION_USAGE}`,
    summary: "download a XAdES or PAdES document to a file",
    run: (options) =>
      withClient(options, (client) => {
        const url = required(options, "url");
        return save(/\/xades\//.test(url) ? client.downloadXades(url) : client.downloadPades(url), required(options, "out"));
      }),
  },
  archive: {
    usage: `archive --id ID --out FILE ${CONNECTION_USAGE}`,
    summary: "download an archived document's PAdES by its archive document id (owner: --sender, else the certificate's organization)",
    run: (options) =>
      withClient(options, (client) =>
        save(client.archive.getPades(required(options, "id"), options.sender ? { owner: options.sender } : {}), required(options, "out")),
      ),
  },
  confirm: {
    usage: `confirm --url URL ${CONNECTION_USAGE}`,
    summary: "confirm a status change (after you have handled it)",
    run: (options) => withClient(options, async (client) => (await client.confirm(required(options, "url")), { confirmed: true })),
  },
  cancel: {
    usage: `cancel --url URL ${CONNECTION_USAGE}`,
    summary: "cancel a portal job",
    run: (options) => withClient(options, async (client) => (await client.portal.cancel(required(options, "url")), { cancelled: true })),
  },
  delete: {
    usage: `delete --url URL ${CONNECTION_USAGE}`,
    summary: "delete a completed job's documents",
    run: (options) => withClient(options, async (client) => (await client.deleteDocuments(required(options, "url")), { deleted: true })),
  },
  redirect: {
    usage: `redirect --signer-url URL ${CONNECTION_USAGE}`,
    summary: "a new redirect URL for a direct signer",
    run: (options) => withClient(options, (client) => client.direct.requestNewRedirectUrl(required(options, "signer-url"))),
  },
  emulator: {
    usage: "emulator [--port N] [--web-port N] [--data-dir DIR]",
    summary: "run the local emulator of the service until stopped (Ctrl+C); state and ports are kept in DIR",
    async run(options) {
      const { runEmulatorCommand } = load<typeof import("./emulator-command")>("./emulator-command");
      return runEmulatorCommand(options);
    },
  },
  start: {
    usage: "start [--reset]",
    summary: "Node-RED on http://127.0.0.1:1880 with these nodes, the built-in emulator and example 1 (npm start)",
    async run(_options, argv) {
      const { runNodeRed } = load<typeof import("./start")>("./start");
      await runNodeRed(argv);
      return undefined;
    },
  },
};
