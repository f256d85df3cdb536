import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { InvalidInputError } from "../core/errors";
import type { SigneringClient } from "../core/clients/signering-client";
import { packageDirectJob, packagePortalJob } from "../core/job-bundle";
import type { Flow } from "../core/model";
import { clientFrom, credentialsFrom } from "./connection";
import { readJobFile } from "./job-file";
import type { CliOptions } from "./options";

export interface Command {
  usage: string;
  summary: string;
  run(options: CliOptions, argv: string[]): Promise<unknown>;
}

const CONNECTION_USAGE = "[--env production|test|URL] --keystore FILE.p12 --keystore-password-env VAR [--ca FILE.pem] [--sender ORGNO] [--no-server-org-check]";

function required(options: CliOptions, name: keyof CliOptions): string {
  const value = options[name];
  if (typeof value !== "string" || value === "") throw new InvalidInputError(`--${name}`, "is required");
  return value;
}

/** Runs an operation with a client, closing its connections afterwards. */
async function withClient(options: CliOptions, operation: (client: SigneringClient) => Promise<unknown>): Promise<unknown> {
  const client = clientFrom(options);
  try {
    return await operation(client);
  } finally {
    await client.close();
  }
}

function flowOf(value: string | undefined): Flow {
  if (value === "direct" || value === "portal") return value;
  throw new InvalidInputError("--flow", `must be direct or portal, was ${JSON.stringify(value)}`);
}

export const COMMANDS: Record<string, Command> = {
  bundle: {
    usage: "bundle --job FILE --keystore FILE.p12 --keystore-password-env VAR --out FILE.asice [--sender ORGNO]",
    summary: "write the signed document bundle (ASiC-E) of a job to a file, without sending it",
    async run(options) {
      const job = readJobFile(required(options, "job"));
      const out = required(options, "out");
      const credentials = credentialsFrom(options);
      const sender = { organizationNumber: job.sender?.organizationNumber ?? options.sender ?? credentials.organizationNumber };
      const { bundle, manifestXml } = job.flow === "direct" ? packageDirectJob(job, sender, credentials) : packagePortalJob(job, sender, credentials);
      await pipeline(bundle.stream(), createWriteStream(out));
      return { out, bytes: bundle.size, sender: sender.organizationNumber, manifest: manifestXml };
    },
  },
  create: {
    usage: `create --job FILE ${CONNECTION_USAGE} [--no-pin-checksum]`,
    summary: "create a direct or portal signature job; prints the job response",
    run: (options) =>
      withClient(options, (client) => {
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
      withClient(options, async (client) => {
        const url = required(options, "url");
        const out = required(options, "out");
        const stream = /\/xades\//.test(url) ? await client.downloadXades(url) : await client.downloadPades(url);
        const file = createWriteStream(out);
        await pipeline(stream, file);
        return { out, bytes: file.bytesWritten };
      }),
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
      const { runEmulatorCommand } = await import("./emulator-command.js");
      return runEmulatorCommand(options);
    },
  },
  start: {
    usage: "start [--reset]",
    summary: "Node-RED on http://127.0.0.1:1880 with these nodes, the built-in emulator and example 1 (npm start)",
    async run(_options, argv) {
      const { runNodeRed } = await import("./start.js");
      await runNodeRed(argv);
      return undefined;
    },
  },
};
