import type { NodeDef } from "node-red";

/**
 * Saved node configurations brought to the current version when a node is created. The editors
 * write `version`; flows from before a field existed (or written by hand) lack it, and get the
 * field's default here, in one place per node type, instead of `||` fall-backs in each node.
 */

export const CURRENT_VERSION = 1;

export type NodeType =
  "signering-config" | "signering-create" | "signering-status" | "signering-download" | "signering-confirm" | "signering-job";

type Saved = Record<string, unknown>;

/** What a field holds when the saved configuration does not have it (version 1's defaults). */
const DEFAULTS: Record<NodeType, Saved> = {
  "signering-config": {
    environment: "emulator",
    customUrl: "",
    sender: "",
    keystoreSource: "upload",
    keystoreFile: "",
    keystoreEnv: "",
    passwordEnv: "",
    ca: "",
    pollingQueue: "",
    callsPerSecond: "8",
    checkPinChecksum: true,
    serverOrgCheck: true,
    connectTimeout: "",
    responseTimeout: "",
    downloadTimeout: "",
    maxDownloadMegabytes: "200",
    debug: false,
    dumpBundles: "",
  },
  "signering-create": {
    flow: "direct",
    title: "",
    titleType: "str",
    description: "",
    descriptionType: "str",
    reference: "",
    referenceType: "str",
    documentTitle: "",
    documentTitleType: "str",
    signers: "signers",
    signersType: "msg",
    completionUrl: "",
    completionUrlType: "str",
    rejectionUrl: "",
    rejectionUrlType: "str",
    errorUrl: "",
    errorUrlType: "str",
    statusRetrievalMethod: "",
    pollingQueue: "",
    nonsensitiveTitle: "",
    activationTime: "",
    activationTimeType: "str",
    availableSeconds: "",
    requiredAuthentication: "",
    identifierInSignedDocuments: "",
  },
  "signering-status": { mode: "token", flow: "portal", pollingQueue: "" },
  "signering-download": { mode: "status", pades: true, xades: false, archiveId: "payload", archiveIdType: "msg" },
  "signering-confirm": {},
  "signering-job": { action: "cancel" },
};

/** The fields of a node type, with their defaults. */
export function fieldsOf(type: NodeType): Readonly<Saved> {
  return DEFAULTS[type];
}

/** A saved version this package cannot read: `reason` keys the message in the catalogues. */
export class MigrationError extends Error {
  override readonly name = "MigrationError";
  constructor(
    readonly reason: "badVersion" | "newerVersion",
    readonly version: string,
  ) {
    super(
      `configuration version ${version}: ${reason === "badVersion" ? "not a whole number" : `newer than ${CURRENT_VERSION}, the latest this package reads`}`,
    );
  }
}

/** The saved configuration at the current version, with a default for every field it lacks. */
export function migrate<TDef extends NodeDef>(type: NodeType, saved: NodeDef): TDef & { version: number } {
  const version = (saved as NodeDef & { version?: unknown }).version;
  // Version 0 is a flow saved before versions were written; version 1 only added defaults.
  // A version 2 that renames or reshapes a field adds its step here, applied to `from < 2`.
  const from = version === undefined || version === "" ? 0 : Number(version);
  if (!Number.isInteger(from) || from < 0) throw new MigrationError("badVersion", String(version));
  if (from > CURRENT_VERSION) throw new MigrationError("newerVersion", String(version));
  const withDefaults: Saved = { ...DEFAULTS[type] };
  for (const [key, value] of Object.entries(saved)) if (value !== undefined && value !== null) withDefaults[key] = value;
  return { ...withDefaults, version: CURRENT_VERSION } as TDef & { version: number };
}
