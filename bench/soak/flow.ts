/**
 * The flow every soak runtime runs: `POST /soak/create` makes a direct job (status by polling)
 * from a PDF on disk; the polling status node hands each change to download → store → confirm.
 * A ledger (JSON lines) records each change when received, stored and confirmed, and every error.
 */

export interface SoakFlowOptions {
  apiRoot: string;
  caCertificatePem: string;
  pdfFile: string;
  documentsDir: string;
  ledgerFile: string;
  queue: string;
  callsPerSecond: number;
}

const TAB = "soak-tab";

/** The environment variables the config node reads the emulator's client keystore from. */
export const KEYSTORE_ENV = "SOAK_P12";
export const PASSWORD_ENV = "SOAK_P12_PASSWORD";
/** Names the runtime (and its restarts) in the ledger. */
export const INSTANCE_ENV = "SOAK_INSTANCE";

function ledgerLine(event: string): string {
  return `{"event":"${event}","jobId":signering.jobId,"status":signering.status,"changeKey":signering.changeKey,"redelivered":signering.redelivered = true,"instance":$env("${INSTANCE_ENV}"),"t":$millis()}`;
}

function change(id: string, name: string, rules: Record<string, unknown>[], wires: string[][]): Record<string, unknown> {
  return { id, type: "change", z: TAB, name, rules, wires };
}

function fileOut(id: string, filename: string, filenameType: "str" | "msg", wires: string[][]): Record<string, unknown> {
  return {
    id,
    type: "file",
    z: TAB,
    name: "",
    filename,
    filenameType,
    appendNewline: filenameType === "str",
    createDir: true,
    overwriteFile: filenameType === "str" ? "false" : "true",
    encoding: "none",
    wires,
  };
}

export function soakFlow(options: SoakFlowOptions): Record<string, unknown>[] {
  return [
    { id: TAB, type: "tab", label: "soak" },
    {
      id: "soak-config",
      type: "signering-config",
      name: "emulator process",
      environment: "custom",
      customUrl: options.apiRoot,
      sender: "",
      keystoreSource: "env",
      keystoreFile: "",
      keystoreEnv: KEYSTORE_ENV,
      passwordEnv: PASSWORD_ENV,
      ca: options.caCertificatePem,
      pollingQueue: options.queue,
      callsPerSecond: String(options.callsPerSecond),
      checkPinChecksum: true,
      serverOrgCheck: false,
    },
    {
      id: "soak-in",
      type: "http in",
      z: TAB,
      name: "",
      url: "/soak/create",
      method: "post",
      upload: false,
      swaggerDoc: "",
      wires: [["soak-read"]],
    },
    {
      id: "soak-read",
      type: "file in",
      z: TAB,
      name: "",
      filename: options.pdfFile,
      filenameType: "str",
      format: "",
      chunk: false,
      sendError: false,
      encoding: "none",
      allProps: false,
      wires: [["soak-signers"]],
    },
    change(
      "soak-signers",
      "signer",
      [{ t: "set", p: "signers", pt: "msg", to: '[{"personalIdentificationNumber":"01019010046"}]', tot: "json" }],
      [["soak-create"]],
    ),
    {
      id: "soak-create",
      type: "signering-create",
      z: TAB,
      config: "soak-config",
      flow: "direct",
      title: "Soak",
      titleType: "str",
      description: "",
      descriptionType: "str",
      reference: "",
      referenceType: "str",
      documentTitle: "Contract",
      documentTitleType: "str",
      signers: "signers",
      signersType: "msg",
      completionUrl: "https://example.com/ok",
      completionUrlType: "str",
      rejectionUrl: "https://example.com/no",
      rejectionUrlType: "str",
      errorUrl: "https://example.com/err",
      errorUrlType: "str",
      statusRetrievalMethod: "POLLING",
      pollingQueue: options.queue,
      nonsensitiveTitle: "",
      activationTime: "",
      activationTimeType: "str",
      availableSeconds: "",
      requiredAuthentication: "",
      identifierInSignedDocuments: "",
      wires: [["soak-created"]],
    },
    change(
      "soak-created",
      "job id",
      [{ t: "set", p: "payload", pt: "msg", to: '{"jobId": payload.jobId}', tot: "jsonata" }],
      [["soak-response"]],
    ),
    { id: "soak-response", type: "http response", z: TAB, name: "", statusCode: "", headers: {}, wires: [] },
    {
      id: "soak-create-failed",
      type: "catch",
      z: TAB,
      name: "",
      scope: ["soak-read", "soak-create"],
      uncaught: false,
      wires: [["soak-refusal"]],
    },
    change(
      "soak-refusal",
      "500",
      [
        { t: "set", p: "statusCode", pt: "msg", to: "500", tot: "num" },
        { t: "set", p: "payload", pt: "msg", to: "error.message", tot: "msg" },
      ],
      [["soak-response"]],
    ),

    {
      id: "soak-status",
      type: "signering-status",
      z: TAB,
      config: "soak-config",
      mode: "poll",
      flow: "direct",
      pollingQueue: options.queue,
      wires: [
        ["soak-download", "soak-received-line"],
        ["soak-stored-line", "soak-received-line"],
        ["soak-stored-line", "soak-received-line"],
      ],
    },
    change(
      "soak-received-line",
      "received",
      [{ t: "set", p: "payload", pt: "msg", to: ledgerLine("received"), tot: "jsonata" }],
      [["soak-ledger-received"]],
    ),
    fileOut("soak-ledger-received", options.ledgerFile, "str", [[]]),
    { id: "soak-download", type: "signering-download", z: TAB, config: "soak-config", pades: true, xades: false, wires: [["soak-path"]] },
    change(
      "soak-path",
      "in documents/",
      [{ t: "set", p: "filename", pt: "msg", to: `"${options.documentsDir}/" & filename`, tot: "jsonata" }],
      [["soak-store"]],
    ),
    fileOut("soak-store", "filename", "msg", [["soak-stored-line"]]),
    change(
      "soak-stored-line",
      "stored",
      [{ t: "set", p: "payload", pt: "msg", to: ledgerLine("stored"), tot: "jsonata" }],
      [["soak-ledger-stored"]],
    ),
    fileOut("soak-ledger-stored", options.ledgerFile, "str", [["soak-confirm"]]),
    { id: "soak-confirm", type: "signering-confirm", z: TAB, config: "soak-config", wires: [["soak-confirmed-line"]] },
    change(
      "soak-confirmed-line",
      "confirmed",
      [{ t: "set", p: "payload", pt: "msg", to: ledgerLine("confirmed"), tot: "jsonata" }],
      [["soak-ledger-confirmed"]],
    ),
    fileOut("soak-ledger-confirmed", options.ledgerFile, "str", [[]]),

    { id: "soak-errors", type: "catch", z: TAB, name: "", scope: null, uncaught: false, wires: [["soak-error-line"]] },
    change(
      "soak-error-line",
      "error",
      [
        {
          t: "set",
          p: "payload",
          pt: "msg",
          to: `{"event":"error","node":error.source.type,"message":error.message,"jobId":signering.jobId,"instance":$env("${INSTANCE_ENV}"),"t":$millis()}`,
          tot: "jsonata",
        },
      ],
      [["soak-ledger-errors"]],
    ),
    fileOut("soak-ledger-errors", options.ledgerFile, "str", [[]]),
  ];
}
