import type { Node, NodeDef } from "node-red";
import type { SigneringClient } from "../../src/core";
import type { EmittedChanges } from "../shared/change-key";
import type { ExitCorrelation } from "../shared/exit-correlation";
import type { Journal } from "../cockpit/journal";

/** The config node as the other nodes see it. */
export type EnvironmentChoice = "emulator" | "test" | "qa" | "production" | "custom";
export type KeystoreChoice = "upload" | "file" | "env";

/** The config node's saved fields (after migration: every field present). */
export interface SigneringConfigDef extends NodeDef {
  environment: EnvironmentChoice;
  customUrl: string;
  sender: string;
  keystoreSource: KeystoreChoice;
  keystoreFile: string;
  keystoreEnv: string;
  passwordEnv: string;
  ca: string;
  pollingQueue: string;
  callsPerSecond: string;
  checkPinChecksum: boolean;
  serverOrgCheck: boolean;
  connectTimeout: string;
  responseTimeout: string;
  downloadTimeout: string;
  maxDownloadMegabytes: string;
  debug: boolean;
  dumpBundles: string;
}

export interface SigneringConfigCredentials {
  /** The uploaded .p12, base64. */
  keystore?: string;
  password?: string;
  /** `http://user:password@proxy:3128`: a credential, since it may carry a password. */
  proxy?: string;
}

export interface SigneringConfigNode extends Node<SigneringConfigCredentials> {
  environment: EnvironmentChoice;
  pollingQueue: string | undefined;
  /** The shared client; rejects with a clear error when the configuration is incomplete. */
  client(): Promise<SigneringClient>;
  /** Set once the client exists and its certificate expires within 30 days: the warning to show. */
  certificateNotice: string | undefined;
  /** Ties a signer's return to the exit URL to the job, with a key every instance of this configuration derives alike. */
  exitCorrelation(): Promise<ExitCorrelation>;
  /** The status changes emitted and not yet confirmed, to mark redeliveries. */
  emittedChanges: EmittedChanges;
  /** The cockpit's journal of this configuration's jobs (undefined when the cockpit's settings are wrong). */
  journal: Journal | undefined;
}
