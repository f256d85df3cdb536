import { readFileSync } from "node:fs";
import type { NodeAPI } from "node-red";
import { CertificateError, InvalidInputError, loadCredentials, SigneringClient, type KeystoreSource, type SenderCredentials } from "../src/core";
import { builtInEmulator } from "./lib/builtin-emulator";
import type { SigneringConfigCredentials, SigneringConfigDef, SigneringConfigNode } from "./lib/config-types";

/**
 * Configuration of one connection to Posten signering: environment, sender, enterprise
 * certificate (in credentials, a file or environment variables) and polling defaults. Offers the
 * other nodes one client, made on first use and closed on redeploy.
 */

export = function register(RED: NodeAPI): void {
  function SigneringConfig(this: SigneringConfigNode, config: SigneringConfigDef) {
    RED.nodes.createNode(this, config);
    const node = this;
    node.environment = config.environment || "emulator";
    node.pollingQueue = config.pollingQueue?.trim() || undefined;
    let client: Promise<SigneringClient> | undefined;
    const jobs = new Map<string, { jobId: string; statusUrl?: string }>();

    node.client = () => {
      client ??= createClient(node, config, RED.settings.userDir as string | undefined);
      client.catch(() => (client = undefined));
      return client;
    };
    node.rememberJob = (correlation, job) => {
      jobs.set(correlation, job);
      // Also in the node's context, so a persistent context store keeps it across restarts.
      node.context().set(`job:${correlation}`, job);
    };
    node.recallJob = (correlation) => jobs.get(correlation) ?? (node.context().get(`job:${correlation}`) as { jobId: string; statusUrl?: string } | undefined);

    if (node.environment === "emulator") {
      // Started at deploy, so its pages are listed in the log before the first job.
      builtInEmulator(RED.settings.userDir as string | undefined, (emulator) =>
        node.log(`Built-in emulator: signer pages and portal ${emulator.signerWebUrl}/portal, outbox ${emulator.signerWebUrl}/outbox, API ${emulator.apiRoot}`),
      ).catch((error: unknown) => node.error(`The built-in emulator did not start: ${(error as Error).message}`));
    }

    node.on("close", (done: () => void) => {
      const closing = client;
      client = undefined;
      if (!closing) return done();
      closing.then((c) => c.close()).then(done, done);
    });
  }

  RED.nodes.registerType("signering-config", SigneringConfig as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1], {
    credentials: { keystore: { type: "password" }, password: { type: "password" } },
  });

  // The dialog asks what certificate a keystore holds before deploy. The keystore and password
  // come in the request (or from the deployed node's credentials); only the summary goes back.
  RED.httpAdmin.post("/signering-config/certificate", RED.auth.needsPermission("signering-config.write"), (request, response) => {
    const body = (request.body ?? {}) as { id?: string; keystore?: string; password?: string };
    const stored = body.id ? (RED.nodes.getCredentials(body.id) as SigneringConfigCredentials | undefined) : undefined;
    const keystore = body.keystore || stored?.keystore;
    const password = body.password ?? stored?.password ?? "";
    if (!keystore) return void response.status(400).json({ error: "No keystore uploaded" });
    try {
      const credentials = loadCredentials({ pkcs12: Buffer.from(keystore, "base64"), password });
      response.json({ subject: credentials.subject, organizationNumber: credentials.organizationNumber, validTo: credentials.validTo.toISOString() });
    } catch (error) {
      response.status(400).json({ error: error instanceof Error ? error.message : String(error), code: error instanceof CertificateError ? error.code : undefined });
    }
  });
};

async function createClient(node: SigneringConfigNode, config: SigneringConfigDef, userDir: string | undefined): Promise<SigneringClient> {
  const callsPerSecond = Number(config.callsPerSecond || 8);
  const common = {
    ...(config.sender?.trim() ? { sender: config.sender.trim() } : {}),
    ...(node.pollingQueue ? { pollingQueue: node.pollingQueue } : {}),
    rateLimit: callsPerSecond > 0 ? { callsPerSecond } : (false as const),
    checkNationalIdChecksum: config.checkPinChecksum !== false,
    userAgent: "Node-RED",
    logger: (level: string, message: string) => (level === "warn" ? node.warn(message) : node.debug(message)),
  };
  if (node.environment === "emulator") {
    const emulator = await builtInEmulator(userDir);
    return new SigneringClient({
      ...common,
      environment: { url: emulator.apiRoot },
      keystore: { pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword },
      trustedCertificates: emulator.caCertificatePem,
    });
  }
  const environment = node.environment === "custom" ? { url: config.customUrl } : node.environment;
  return new SigneringClient({
    ...common,
    environment,
    keystore: keystoreOf(node, config),
    ...(config.ca?.trim() ? { trustedCertificates: config.ca } : {}),
    ...(config.serverOrgCheck === false ? { serverOrganizationNumber: false as const } : {}),
  });
}

function keystoreOf(node: SigneringConfigNode, config: SigneringConfigDef): KeystoreSource | SenderCredentials {
  const password = (config.keystoreSource === "env" && config.passwordEnv ? process.env[config.passwordEnv] : undefined) ?? node.credentials.password ?? "";
  switch (config.keystoreSource) {
    case "file":
      if (!config.keystoreFile) throw new InvalidInputError("keystoreFile", "is required: the path of the enterprise certificate (.p12)");
      try {
        return { pkcs12: readFileSync(config.keystoreFile), password };
      } catch (error) {
        throw new InvalidInputError("keystoreFile", `cannot read ${config.keystoreFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
    case "env": {
      const encoded = config.keystoreEnv ? process.env[config.keystoreEnv] : undefined;
      if (!encoded) throw new InvalidInputError("keystoreEnv", `the environment variable ${config.keystoreEnv || "(not named)"} with the base64 .p12 is not set`);
      return { pkcs12: Buffer.from(encoded, "base64"), password };
    }
    default:
      if (!node.credentials.keystore) throw new InvalidInputError("keystore", "no enterprise certificate (.p12) is uploaded in the configuration node");
      return { pkcs12: Buffer.from(node.credentials.keystore, "base64"), password };
  }
}
