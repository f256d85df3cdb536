import { readFileSync } from "node:fs";
import type { Node, NodeAPI } from "node-red";
import { InvalidInputError, type Environment, type KeystoreSource, type SigneringClientOptions } from "../../src/core";
import type { Rule } from "../common/definition";
import { builtInEmulator } from "./builtin-emulator";
import type { RunningEmulator } from "../../src/emulator";
import type { SigneringConfigCredentials, SigneringConfigDef } from "./config-types";
import { definition } from "./definition";

/**
 * The client options a configuration node stands for, made from its saved fields and secrets.
 * The config node uses it for its client, the dialog's admin endpoints for a check before deploy.
 */

/** The runtime setting with which an administrator forbids keystore file paths (like core's `tlsConfigDisableLocalFiles`). */
export const DISABLE_LOCAL_FILES_SETTING = "signeringConfigDisableLocalFiles";

export function localFilesDisabled(RED: NodeAPI): boolean {
  return Reflect.get(RED.settings, DISABLE_LOCAL_FILES_SETTING) === true;
}

export interface OptionSources {
  RED: NodeAPI;
  /** The node whose environment (flow, group, global) `${VAR}`s are read from; absent in an editor check before deploy. */
  node?: Node;
  logger?: SigneringClientOptions["logger"];
}

export interface Numbers {
  callsPerSecond: number;
  timeouts: { connect?: number; response?: number; download?: number };
  maxDownloadBytes: number;
}

const MEGABYTE = 1024 * 1024;

type RangeField = "callsPerSecond" | "connectTimeout" | "responseTimeout" | "downloadTimeout" | "maxDownloadMegabytes";

/** A numeric field's range, as its definition (and so the dialog) has it. */
function rangeOf(field: RangeField): { min: number; max: number } {
  const rule: Rule | undefined = definition.fields[field].rule;
  if (rule?.kind !== "range") throw new TypeError(`${field} has no range in the definition`);
  return rule;
}

/**
 * The numeric fields, checked: a field that is not a number in range is an error naming it,
 * never a silent NaN (which turned pacing off).
 */
export function numbersOf(RED: NodeAPI, config: SigneringConfigDef): Numbers {
  const number = (field: RangeField, fallback: number | undefined): number | undefined => {
    const { min, max } = rangeOf(field);
    const raw = String(config[field] ?? "").trim();
    if (raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < min || value > max) {
      throw new InvalidInputError(field, RED._("signering-config.errors.range", { value: raw, min, max }));
    }
    return value;
  };
  const timeout = (field: RangeField) => number(field, undefined);
  const connect = timeout("connectTimeout");
  const response = timeout("responseTimeout");
  const download = timeout("downloadTimeout");
  return {
    callsPerSecond: number("callsPerSecond", 8)!,
    timeouts: { ...(connect ? { connect } : {}), ...(response ? { response } : {}), ...(download ? { download } : {}) },
    maxDownloadBytes: Math.round(number("maxDownloadMegabytes", 200)! * MEGABYTE),
  };
}

/**
 * The built-in emulator; whoever starts it first (a deployed config node, or *Check connection*
 * in a dialog) logs where its signer pages, portal and outbox are.
 */
export function startBuiltInEmulator(RED: NodeAPI): Promise<RunningEmulator> {
  return builtInEmulator(RED.settings.userDir as string | undefined, (emulator) =>
    RED.log.info(
      RED._("signering-config.log.emulatorStarted", {
        portal: `${emulator.signerWebUrl}/portal`,
        outbox: `${emulator.signerWebUrl}/outbox`,
        api: emulator.apiRoot,
      }),
    ),
  );
}

export async function clientOptionsOf(
  config: SigneringConfigDef,
  secrets: SigneringConfigCredentials,
  sources: OptionSources,
): Promise<SigneringClientOptions> {
  const { RED } = sources;
  const numbers = numbersOf(RED, config);
  const common = {
    ...(config.sender.trim() ? { sender: config.sender.trim() } : {}),
    ...(config.pollingQueue.trim() ? { pollingQueue: config.pollingQueue.trim() } : {}),
    rateLimit: numbers.callsPerSecond > 0 ? { callsPerSecond: numbers.callsPerSecond } : (false as const),
    checkNationalIdChecksum: config.checkPinChecksum !== false,
    userAgent: "Node-RED",
    timeouts: numbers.timeouts,
    maxDownloadBytes: numbers.maxDownloadBytes,
    ...(config.debug === true ? { debug: true } : {}),
    ...(config.dumpBundles.trim() ? { dumpBundles: config.dumpBundles.trim() } : {}),
    ...(secrets.proxy ? { proxy: secrets.proxy } : {}),
    ...(sources.logger ? { logger: sources.logger } : {}),
  };
  if (config.environment === "emulator") {
    const emulator = await startBuiltInEmulator(RED);
    return {
      ...common,
      environment: { url: emulator.apiRoot },
      keystore: { pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword },
      trustedCertificates: emulator.caCertificatePem,
    };
  }
  return {
    ...common,
    environment: environmentOf(RED, config),
    keystore: keystoreOf(config, secrets, sources),
    ...(config.ca.trim() ? { trustedCertificates: config.ca } : {}),
    ...(config.serverOrgCheck === false ? { serverOrganizationNumber: false as const } : {}),
  };
}

function environmentOf(RED: NodeAPI, config: SigneringConfigDef): Environment {
  switch (config.environment) {
    case "custom":
      return { url: config.customUrl };
    case "production":
    case "test":
    case "qa":
      return config.environment;
    default:
      throw new InvalidInputError("environment", RED._("signering-config.errors.environment", { value: String(config.environment) }));
  }
}

function keystoreOf(config: SigneringConfigDef, secrets: SigneringConfigCredentials, { RED, node }: OptionSources): KeystoreSource {
  // Variables are read as core's tls node reads them: the node's env (flow, group, global), then the process's.
  const fromEnv = (name: string): string | undefined => {
    const value: unknown = name.trim() ? RED.util.evaluateNodeProperty(name.trim(), "env", node as Node, {}) : undefined;
    return typeof value === "string" && value !== "" ? value : undefined;
  };
  const password =
    (config.keystoreSource === "env" && config.passwordEnv ? fromEnv(config.passwordEnv) : undefined) ?? secrets.password ?? "";
  switch (config.keystoreSource) {
    case "file": {
      if (localFilesDisabled(RED))
        throw new InvalidInputError(
          "keystoreFile",
          RED._("signering-config.errors.localFilesDisabled", { setting: DISABLE_LOCAL_FILES_SETTING }),
        );
      if (!config.keystoreFile) throw new InvalidInputError("keystoreFile", RED._("signering-config.errors.keystoreFileMissing"));
      try {
        return { pkcs12: readFileSync(config.keystoreFile), password };
      } catch (error) {
        throw new InvalidInputError(
          "keystoreFile",
          RED._("signering-config.errors.keystoreFileUnreadable", {
            file: config.keystoreFile,
            reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message,
          }),
        );
      }
    }
    case "env": {
      const encoded = fromEnv(config.keystoreEnv);
      if (!encoded)
        throw new InvalidInputError(
          "keystoreEnv",
          RED._("signering-config.errors.keystoreEnvMissing", { name: config.keystoreEnv || "—" }),
        );
      return { pkcs12: Buffer.from(encoded, "base64"), password };
    }
    default:
      if (!secrets.keystore) throw new InvalidInputError("keystore", RED._("signering-config.errors.keystoreMissing"));
      return { pkcs12: Buffer.from(secrets.keystore, "base64"), password };
  }
}
