import { choice, configNode, text, type ConfigOf } from "../common/definition";

const polling = { field: "mode", is: ["poll"] } as const;

/** The status node: the status of a signer returning to an exit URL, or every change from a status queue. */
export const definition = {
  type: "signering-status",
  version: 1,
  fields: {
    name: text(),
    config: configNode(),
    mode: choice(["token", "poll"], "token"),
    flow: choice(["portal", "direct"], "portal"),
    pollingQueue: text(),
    /** A broker polls the queue of the organization it sends for (empty: the connection's sender). */
    sender: text({ rule: { kind: "organizationNumber" }, when: polling }),
  },
} as const;

export type StatusConfig = ConfigOf<typeof definition>;
