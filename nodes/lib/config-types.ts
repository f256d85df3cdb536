import type { Node, NodeDef } from "node-red";
import type { SigneringClient } from "../../src/core";

/** The config node as the other nodes see it. */
export type EnvironmentChoice = "emulator" | "test" | "production" | "custom";
export type KeystoreChoice = "upload" | "file" | "env";

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
}

export interface SigneringConfigCredentials {
  /** The uploaded .p12, base64. */
  keystore?: string;
  password?: string;
}

export interface SigneringConfigNode extends Node<SigneringConfigCredentials> {
  environment: EnvironmentChoice;
  pollingQueue: string | undefined;
  /** The shared client; rejects with a clear error when the configuration is incomplete. */
  client(): Promise<SigneringClient>;
  /** Remembers where a direct job's status is read, for the exit URL's return. */
  rememberJob(correlation: string, job: { jobId: string; statusUrl?: string }): void;
  recallJob(correlation: string): { jobId: string; statusUrl?: string } | undefined;
}

