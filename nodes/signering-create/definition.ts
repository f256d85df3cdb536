// The definition is bundled into the editor, so it takes the service's limits from the core's pure module, not its index.
// eslint-disable-next-line no-restricted-imports
import { LIMITS } from "../../src/core/limits";
import { choice, configNode, text, typed, type ConfigOf } from "../common/definition";

const TEXT_TYPES = ["str", "msg", "flow", "global", "env"] as const;
const direct = { field: "flow", is: ["direct"] } as const;

/** The create node: a direct or portal job from the msg's documents and the dialog's settings. */
export const definition = {
  type: "signering-create",
  version: 1,
  fields: {
    name: text(),
    config: configNode(),
    flow: choice(["direct", "portal"], "direct"),
    title: typed(TEXT_TYPES, "str", { required: true, rule: { kind: "length", max: LIMITS.titleLength } }),
    description: typed(TEXT_TYPES, "str", { rule: { kind: "length", max: LIMITS.descriptionLength } }),
    reference: typed(TEXT_TYPES, "str", { rule: { kind: "length", max: LIMITS.referenceLength } }),
    documentTitle: typed(TEXT_TYPES, "str", { rule: { kind: "length", max: LIMITS.titleLength } }),
    /** How documents from msg.payload are read: by their `mimeType` or file name (`.txt` is text), or always one kind. */
    documentType: choice(["auto", "application/pdf", "text/plain"], "auto"),
    signers: typed(["json", "msg", "flow", "global", "env"], "msg", {
      value: "signers",
      required: true,
      checks: "json",
      rule: { kind: "signers" },
    }),
    completionUrl: typed(TEXT_TYPES, "str", { rule: { kind: "exitUrl" }, when: direct }),
    rejectionUrl: typed(TEXT_TYPES, "str", { rule: { kind: "exitUrl" }, when: direct }),
    errorUrl: typed(TEXT_TYPES, "str", { rule: { kind: "exitUrl" }, when: direct }),
    statusRetrievalMethod: choice(["", "WAIT_FOR_CALLBACK", "POLLING"], ""),
    pollingQueue: text(),
    nonsensitiveTitle: text({ rule: { kind: "length", max: LIMITS.nonsensitiveTitleLength } }),
    activationTime: typed(TEXT_TYPES, "str"),
    availableSeconds: text({ rule: { kind: "seconds", max: LIMITS.availableSeconds } }),
    requiredAuthentication: choice(["", "3", "4"], ""),
    identifierInSignedDocuments: choice(["", "PERSONAL_IDENTIFICATION_NUMBER_AND_NAME", "DATE_OF_BIRTH_AND_NAME", "NAME"], ""),
  },
} as const;

export type CreateConfig = ConfigOf<typeof definition>;
