import type { Node } from "node-red";
import type { SigneringClient } from "../../src/core";
import type { EmittedChanges } from "../common/change-key";
import type { Journal } from "../cockpit/journal";

import type { SigneringConfigDef } from "./definition";

export type { SigneringConfigDef };
export type EnvironmentChoice = SigneringConfigDef["environment"];

export interface SigneringConfigCredentials {
  /** The uploaded .p12, base64. */
  keystore?: string;
  password?: string;
  /** `http://user:password@proxy:3128`: a credential, since it may carry a password. */
  proxy?: string;
}

/** The config node as the other nodes see it. */
export interface SigneringConfigNode extends Node<SigneringConfigCredentials> {
  environment: EnvironmentChoice;
  /** The deployed fields (no secrets: those stay in `credentials`). */
  configuration: SigneringConfigDef;
  pollingQueue: string | undefined;
  /** The shared client; rejects with a clear error when the configuration is incomplete. */
  client(): Promise<SigneringClient>;
  /** Set once the client exists and its certificate expires within 30 days: the warning to show. */
  certificateNotice: string | undefined;
  /** The status changes emitted and not yet confirmed, to mark redeliveries. */
  emittedChanges: EmittedChanges;
  /** The cockpit's journal of this configuration's jobs (undefined when the cockpit's settings are wrong). */
  journal: Journal | undefined;
}
