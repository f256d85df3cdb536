import { configNode, text, type ConfigOf } from "../common/definition";

/** The confirm node: confirms a status change after the flow has handled it. */
export const definition = {
  type: "signering-confirm",
  version: 1,
  fields: { name: text(), config: configNode() },
} as const;

export type ConfirmConfig = ConfigOf<typeof definition>;
