import { choice, configNode, text, type ConfigOf } from "../common/definition";

/** The job action node: cancel a portal job, delete signed documents, or a new redirect URL for a direct signer. */
export const definition = {
  type: "signering-job",
  version: 1,
  fields: { name: text(), config: configNode(), action: choice(["cancel", "delete", "redirect"], "cancel") },
} as const;

export type JobConfig = ConfigOf<typeof definition>;
