import { choice, configNode, flag, text, typed, type ConfigOf } from "../common/definition";

/** The download node: a completed job's signed documents, or an archived PAdES by archive document id. */
export const definition = {
  type: "signering-download",
  version: 1,
  fields: {
    name: text(),
    config: configNode(),
    mode: choice(["status", "archive"], "status"),
    pades: flag(true),
    xades: { ...flag(false), rule: { kind: "someChecked", fields: ["pades", "xades"] }, when: { field: "mode", is: ["status"] } },
    archiveId: typed(["msg", "str", "flow", "global", "env"], "msg", { value: "payload" }),
    /** The archive's owner when a broker downloads for another organization (empty: the connection's sender). */
    sender: text({ rule: { kind: "organizationNumber" }, when: { field: "mode", is: ["archive"] } }),
  },
} as const;

export type DownloadConfig = ConfigOf<typeof definition>;
