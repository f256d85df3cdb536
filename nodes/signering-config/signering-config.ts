import type { NodeAPI, NodeDef } from "node-red";
import { apiRootOf, CertificateError, checkConnection, loadCredentials, SigneringClient } from "../../src/core";
import { builtInEmulator } from "./builtin-emulator";
import { EmittedChanges } from "../shared/change-key";
import { clientOptionsOf, DISABLE_LOCAL_FILES_SETTING, numbersOf } from "./client-options";
import type { SigneringConfigCredentials, SigneringConfigDef, SigneringConfigNode } from "./config-types";
import { correlationKeyFrom, ExitCorrelation } from "../shared/exit-correlation";
import { fieldsOf, migrate } from "../shared/migrations";
import { createSigneringNode, registerNode } from "../shared/node-red";
import { openJournal } from "../cockpit/open-journal";

/**
 * Configuration of one connection to Posten signering: environment, sender, enterprise
 * certificate (in credentials, a file or environment variables), proxy, timeouts and polling
 * defaults. Offers the other nodes one client, made on first use and closed on redeploy.
 */

const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export = function register(RED: NodeAPI): void {
  function SigneringConfig(this: SigneringConfigNode, saved: SigneringConfigDef) {
    const node = this;
    const config = createSigneringNode<SigneringConfigDef>(RED, node, "signering-config", saved);
    node.environment = config.environment;
    node.pollingQueue = config.pollingQueue.trim() || undefined;
    node.certificateNotice = undefined;
    let client: Promise<SigneringClient> | undefined;
    let correlation: Promise<ExitCorrelation> | undefined;
    node.emittedChanges = new EmittedChanges();
    node.journal = openJournal(RED, node);

    // Numbers are checked at deploy, so a typo shows in the log before the first msg (the client then refuses to start).
    try {
      numbersOf(RED, config);
    } catch (error) {
      node.error((error as Error).message);
    }

    node.client = () => {
      client ??= clientOptionsOf(config, node.credentials ?? {}, {
        RED,
        node,
        // With the debug switch on, the request lines go to the log at info level, where they are seen.
        logger: (level, message) => (level === "warn" ? node.warn(message) : config.debug ? node.log(message) : node.debug(message)),
      }).then((options) => {
        const created = new SigneringClient(options);
        warnIfExpiring(created);
        return created;
      });
      client.catch(() => (client = undefined));
      return client;
    };
    // Once per deploy: this node is made anew when its configuration is deployed.
    const warnIfExpiring = (created: SigneringClient) => {
      const daysLeft = Math.floor((created.certificate.validTo.getTime() - Date.now()) / DAY_MS);
      if (daysLeft >= EXPIRY_WARNING_DAYS || node.certificateNotice) return;
      node.certificateNotice = RED._("signering-config.status.expiresSoon", {
        date: created.certificate.validTo.toISOString().slice(0, 10),
      });
      node.warn(
        RED._("signering-config.warnings.expiresSoon", {
          subject: created.certificate.subject,
          date: created.certificate.validTo.toISOString(),
          days: daysLeft,
        }),
      );
    };
    // The HMAC key is derived from the enterprise certificate's private key: every replica with
    // this configuration has it, it survives restarts, and there is no second secret to share.
    node.exitCorrelation = () => {
      correlation ??= clientOptionsOf(config, node.credentials ?? {}, { RED, node }).then((options) => {
        const credentials = "privateKey" in options.keystore ? options.keystore : loadCredentials(options.keystore);
        const key = credentials.privateKey.export({ type: "pkcs8", format: "der" });
        return new ExitCorrelation(correlationKeyFrom(key), apiRootOf(options.environment), (reason, substitutions) =>
          RED._(`signering-config.exitReturn.${reason}`, substitutions),
        );
      });
      correlation.catch(() => (correlation = undefined));
      return correlation;
    };

    if (node.environment === "emulator") {
      // Started at deploy, so its pages are listed in the log before the first job.
      builtInEmulator(RED.settings.userDir as string | undefined, (emulator) =>
        node.log(
          RED._("signering-config.log.emulatorStarted", {
            portal: `${emulator.signerWebUrl}/portal`,
            outbox: `${emulator.signerWebUrl}/outbox`,
            api: emulator.apiRoot,
          }),
        ),
      ).catch((error: unknown) => node.error(RED._("signering-config.errors.emulatorFailed", { reason: (error as Error).message })));
    }

    node.on("close", (done: () => void) => {
      const closing = client;
      client = undefined;
      // The journal's last writes go to the store before the node (and its context) stops.
      Promise.all([node.journal?.idle(), closing?.then((c) => c.close())]).then(() => done(), done);
    });
  }

  registerNode<SigneringConfigNode, SigneringConfigDef, SigneringConfigCredentials>(RED, "signering-config", SigneringConfig, {
    credentials: { keystore: { type: "password" }, password: { type: "password" }, proxy: { type: "password" } },
    settings: { [DISABLE_LOCAL_FILES_SETTING]: { value: false, exportable: true } },
  });

  // The dialog asks what certificate a keystore holds before deploy. With an `id`, only the
  // deployed node's stored keystore and password are used (a password in the body is ignored, so
  // nobody can test guesses against the stored keystore); without one, only what the body brings.
  RED.httpAdmin.post("/signering-config/certificate", RED.auth.needsPermission("signering-config.write"), (request, response) => {
    const body = (request.body ?? {}) as { id?: unknown; keystore?: unknown; password?: unknown };
    const { keystore, password } =
      typeof body.id === "string" && body.id !== ""
        ? ((RED.nodes.getCredentials(body.id) as SigneringConfigCredentials | undefined) ?? {})
        : {
            keystore: typeof body.keystore === "string" ? body.keystore : undefined,
            password: typeof body.password === "string" ? body.password : undefined,
          };
    if (!keystore) return void response.status(400).json({ error: RED._("signering-config.errors.noKeystoreUploaded") });
    try {
      const credentials = loadCredentials({ pkcs12: Buffer.from(keystore, "base64"), password: password ?? "" });
      response.json({
        subject: credentials.subject,
        organizationNumber: credentials.organizationNumber,
        validTo: credentials.validTo.toISOString(),
      });
    } catch (error) {
      response.status(400).json({
        error: error instanceof Error ? error.message : String(error),
        code: error instanceof CertificateError ? error.code : undefined,
      });
    }
  });

  // Check connection: the core's pre-flight check with the dialog's current values. Secrets as
  // for the certificate: the stored ones by `id` only, or only those entered in the dialog.
  RED.httpAdmin.post("/signering-config/check", RED.auth.needsPermission("signering-config.write"), (request, response) => {
    const body = (request.body ?? {}) as { id?: unknown; config?: unknown; credentials?: unknown };
    const stored = typeof body.id === "string" && body.id !== "";
    const secrets = stored
      ? ((RED.nodes.getCredentials(body.id as string) as SigneringConfigCredentials | undefined) ?? {})
      : textsOf(body.credentials, ["keystore", "password", "proxy"]);
    const config = migrate<SigneringConfigDef>("signering-config", {
      ...fieldsFrom(body.config),
      id: "check",
      type: "signering-config",
    } as unknown as NodeDef);
    clientOptionsOf(config, secrets, { RED, ...(stored ? { node: RED.nodes.getNode(body.id as string) ?? undefined } : {}) })
      .then(({ proxy, ...options }) => checkConnection({ ...options, ...(proxy ? { proxy } : {}) }))
      .then(
        (report) => response.json(report),
        (error: unknown) =>
          response.json({
            ok: false,
            checks: [{ name: "configuration", ok: false, detail: error instanceof Error ? error.message : String(error) }],
          }),
      );
  });
};

/** Only the config node's own fields, each of its default's type: the body is the dialog's, but checked. */
function fieldsFrom(value: unknown): Record<string, string | boolean> {
  const given = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const defaults = fieldsOf("signering-config");
  return Object.fromEntries(
    Object.entries(given).filter(([key, field]) => key in defaults && typeof field === typeof defaults[key]),
  ) as Record<string, string | boolean>;
}

function textsOf<K extends string>(value: unknown, keys: readonly K[]): Partial<Record<K, string>> {
  const given = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  return Object.fromEntries(
    keys.flatMap((key) => (typeof given[key] === "string" && given[key] !== "" ? [[key, given[key]]] : [])),
  ) as Partial<Record<K, string>>;
}
