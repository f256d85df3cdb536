import type { NodeAPI } from "node-red";
import { SigneringClient } from "../../src/core";
import { EmittedChanges } from "../common/change-key";
import { createSigneringNode, registerNode } from "../common/node-red";
import { registerAdminEndpoints } from "./admin-endpoints";
import { clientOptionsOf, DISABLE_LOCAL_FILES_SETTING, numbersOf, startBuiltInEmulator } from "./client-options";
import type { SigneringConfigCredentials, SigneringConfigNode } from "./config-types";
import { definition, type SigneringConfigDef } from "./definition";
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
    const config = createSigneringNode<SigneringConfigDef>(RED, node, definition, saved);
    node.configuration = config;
    node.environment = config.environment;
    node.pollingQueue = config.pollingQueue.trim() || undefined;
    node.certificateNotice = undefined;
    let client: Promise<SigneringClient> | undefined;
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

    // Started at deploy, so its pages are listed in the log before the first job.
    if (node.environment === "emulator")
      startBuiltInEmulator(RED).catch((error: unknown) =>
        node.error(RED._("signering-config.errors.emulatorFailed", { reason: (error as Error).message })),
      );

    node.on("close", (done: () => void) => {
      const closing = client;
      client = undefined;
      // The journal's last writes go to the store before the node (and its context) stops.
      Promise.all([node.journal?.idle(), closing?.then((c) => c.close())]).then(() => done(), done);
    });
  }

  registerNode<SigneringConfigNode, SigneringConfigDef, SigneringConfigCredentials>(RED, "signering-config", SigneringConfig, {
    credentials: definition.credentials,
    settings: { [DISABLE_LOCAL_FILES_SETTING]: { value: false, exportable: true } },
  });
  registerAdminEndpoints(RED);
};
