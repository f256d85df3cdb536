import { choice, flag, text, type ConfigOf } from "../common/definition";

/** Timeouts in milliseconds, shown with the client's defaults (an older flow's empty field means the same). */
const timeout = (value: string) => text({ value, rule: { kind: "range", min: 100, max: 600_000 } });

/** The configuration node: one connection to Posten signering. */
export const definition = {
  type: "signering-config",
  version: 1,
  fields: {
    name: text(),
    environment: choice(["emulator", "test", "qa", "production", "custom"], "emulator", { required: true }),
    customUrl: text({ rule: { kind: "serviceUrl" }, when: { field: "environment", is: ["custom"] } }),
    sender: text({ rule: { kind: "organizationNumber" } }),
    keystoreSource: choice(["upload", "file", "env"], "upload"),
    keystoreFile: text(),
    keystoreEnv: text(),
    passwordEnv: text(),
    ca: text(),
    pollingQueue: text(),
    callsPerSecond: text({ value: "8", rule: { kind: "range", min: 0, max: 10 } }),
    checkPinChecksum: flag(true),
    serverOrgCheck: flag(true),
    connectTimeout: timeout("5000"),
    responseTimeout: timeout("10000"),
    downloadTimeout: timeout("60000"),
    maxDownloadMegabytes: text({ value: "200", rule: { kind: "range", min: 0.01, max: 4096 } }),
    debug: flag(false),
    dumpBundles: text(),
  },
  credentials: { keystore: { type: "password" }, password: { type: "password" }, proxy: { type: "password" } },
} as const;

export type SigneringConfigDef = ConfigOf<typeof definition>;
