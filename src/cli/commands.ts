import type { SigneringClient } from "../core/clients/signering-client";
import { InvalidInputError } from "../core/errors";
import type { Flow } from "../core/model";
import type { PreflightReport } from "../core/preflight";
import type { CliOptions, OptionName } from "./options";

/**
 * The commands. Each loads what it needs when it runs, so `bundle` never loads the HTTP stack and
 * `--help` loads nothing.
 */
export interface Command {
  summary: string;
  /** Options the command cannot run without, in the order the usage line shows them. */
  required: readonly OptionName[];
  optional: readonly OptionName[];
  /** Whether it talks to the service, and so takes the connection options. */
  connects: boolean;
  example: string;
  run(options: CliOptions, argv: string[]): Promise<unknown>;
  /** The exit code for a result (default 0). */
  exitCode?(result: unknown): number;
}

/** What every command that talks to the service takes. */
export const CONNECTION_OPTIONS: readonly OptionName[] = [
  "env",
  "keystore",
  "keystore-password-env",
  "ca",
  "sender",
  "no-server-org-check",
  "proxy",
  "proxy-env",
  "connect-timeout",
  "response-timeout",
  "download-timeout",
  "debug",
];

/** The connection part of the examples: the test service, the password in an environment variable. */
const TEST_CONNECTION = "--env test --keystore virksomhet.p12 --keystore-password-env P12_PASSWORD";

/**
 * Loads a module of a command when it runs. `require`, not `import()`: for CommonJS, `import()`
 * starts Node's ES module loader first, which costs a one-shot command ~10 ms.
 */
function load<T>(id: string): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id) as T;
}

function required(options: CliOptions, name: OptionName): string {
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

/** Streams a download into a private file. */
async function save(download: Promise<NodeJS.ReadableStream>, out: string): Promise<{ out: string; bytes: number }> {
  const { writeStreamToPrivateFile } = load<typeof import("./private-file")>("./private-file");
  return { out, bytes: await writeStreamToPrivateFile(out, download) };
}

function flowOf(value: string | undefined): Flow {
  if (value === "direct" || value === "portal") return value;
  throw new InvalidInputError("--flow", `must be direct or portal, was ${JSON.stringify(value)}`);
}

export const COMMANDS: Record<string, Command> = {
  check: {
    summary:
      "check the setup step by step (keystore, certificate, trust anchors, network, TLS, one harmless request); exit 0 only if all pass",
    required: [],
    optional: [],
    connects: true,
    example: `P12_PASSWORD=… posten-signering check ${TEST_CONNECTION}`,
    async run(options) {
      const { connectionFrom } = load<typeof import("./connection")>("./connection");
      const { checkConnection } = load<typeof import("../core/preflight")>("../core/preflight");
      return checkConnection(connectionFrom(options));
    },
    exitCode: (report) => ((report as PreflightReport).ok ? 0 : 1),
  },
  bundle: {
    summary: "validate a job and write its signed document bundle (ASiC-E) to a file, without sending it",
    required: ["job", "keystore", "keystore-password-env", "out"],
    optional: ["sender", "no-pin-checksum"],
    connects: false,
    example:
      "P12_PASSWORD=… posten-signering bundle --job job.json --keystore virksomhet.p12 --keystore-password-env P12_PASSWORD --out job.asice",
    async run(options) {
      const { runBundleCommand } = load<typeof import("./bundle-command")>("./bundle-command");
      return runBundleCommand(options, required(options, "job"), required(options, "out"));
    },
  },
  create: {
    summary: "create a direct or portal signature job; prints the job response (--dump-dir keeps a copy of the sent bundle)",
    required: ["job"],
    optional: ["dump-dir", "no-pin-checksum"],
    connects: true,
    example: `P12_PASSWORD=… posten-signering create --job job.json ${TEST_CONNECTION}`,
    run: (options) =>
      withClient(options, async (client) => {
        const { readValidJobFile } = load<typeof import("./job-file")>("./job-file");
        const { job } = readValidJobFile(required(options, "job"), { checkNationalIdChecksum: !options["no-pin-checksum"] });
        return job.flow === "direct" ? client.direct.createJob(job) : client.portal.createJob(job);
      }),
  },
  status: {
    summary: "a direct job's status by the status_query_token from the exit URL",
    required: ["status-url", "token"],
    optional: [],
    connects: true,
    example: `posten-signering status --status-url https://…/status --token 8c3e… ${TEST_CONNECTION}`,
    run: (options) => withClient(options, (client) => client.direct.getStatus(required(options, "status-url"), required(options, "token"))),
  },
  poll: {
    summary: "the next status change from the queue, or NO_CHANGES with the next permitted poll time",
    required: ["flow"],
    optional: ["queue"],
    connects: true,
    example: `posten-signering poll --flow portal ${TEST_CONNECTION}`,
    run: (options) =>
      withClient(options, (client) => {
        const flow = flowOf(options.flow);
        const queue = options.queue === undefined ? {} : { pollingQueue: options.queue };
        return flow === "direct" ? client.direct.nextStatusChange(queue) : client.portal.nextStatusChange(queue);
      }),
  },
  download: {
    summary: "download a XAdES or PAdES document to a file",
    required: ["url", "out"],
    optional: ["max-download-bytes"],
    connects: true,
    example: `posten-signering download --url https://…/pades --out signed.pdf ${TEST_CONNECTION}`,
    run: (options) =>
      withClient(options, (client) => {
        const url = required(options, "url");
        return save(/\/xades\//.test(url) ? client.downloadXades(url) : client.downloadPades(url), required(options, "out"));
      }),
  },
  archive: {
    summary: "download an archived document's PAdES by its archive document id (owner: --sender, else the certificate's organization)",
    required: ["id", "out"],
    optional: ["max-download-bytes"],
    connects: true,
    example: `posten-signering archive --id 1234 --out archived.pdf ${TEST_CONNECTION}`,
    run: (options) =>
      withClient(options, (client) =>
        save(client.archive.getPades(required(options, "id"), options.sender ? { owner: options.sender } : {}), required(options, "out")),
      ),
  },
  confirm: {
    summary: "confirm a status change (after you have handled it)",
    required: ["url"],
    optional: [],
    connects: true,
    example: `posten-signering confirm --url https://…/confirmation ${TEST_CONNECTION}`,
    run: (options) => withClient(options, async (client) => (await client.confirm(required(options, "url")), { confirmed: true })),
  },
  cancel: {
    summary: "cancel a portal job",
    required: ["url"],
    optional: [],
    connects: true,
    example: `posten-signering cancel --url https://…/cancel ${TEST_CONNECTION}`,
    run: (options) => withClient(options, async (client) => (await client.portal.cancel(required(options, "url")), { cancelled: true })),
  },
  delete: {
    summary: "delete a completed job's documents",
    required: ["url"],
    optional: [],
    connects: true,
    example: `posten-signering delete --url https://…/documents ${TEST_CONNECTION}`,
    run: (options) => withClient(options, async (client) => (await client.deleteDocuments(required(options, "url")), { deleted: true })),
  },
  redirect: {
    summary: "a new redirect URL for a direct signer",
    required: ["signer-url"],
    optional: [],
    connects: true,
    example: `posten-signering redirect --signer-url https://…/signers/1 ${TEST_CONNECTION}`,
    run: (options) => withClient(options, (client) => client.direct.requestNewRedirectUrl(required(options, "signer-url"))),
  },
  emulator: {
    summary: "run the local emulator of the service until stopped (Ctrl+C); state and ports are kept in DIR",
    required: [],
    optional: ["port", "web-port", "data-dir"],
    connects: false,
    example: "posten-signering emulator --port 8443 --web-port 8080 --data-dir ./emulator-data",
    async run(options) {
      const { runEmulatorCommand } = load<typeof import("./emulator-command")>("./emulator-command");
      return runEmulatorCommand(options);
    },
  },
  start: {
    summary: "Node-RED on http://127.0.0.1:1880 with these nodes, the built-in emulator and example 1 (npm start)",
    required: [],
    optional: ["reset"],
    connects: false,
    example: "PORT=18801 posten-signering start",
    async run(_options, argv) {
      const { runNodeRed } = load<typeof import("./start")>("./start");
      await runNodeRed(argv);
      return undefined;
    },
  },
};

/** The options a command takes (undefined for an unknown command). */
export function optionsOf(name: string): readonly OptionName[] | undefined {
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) return undefined;
  return [...command.required, ...command.optional, ...(command.connects ? CONNECTION_OPTIONS : []), "help"];
}
