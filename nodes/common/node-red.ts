import type { Node, NodeAPI, NodeDef } from "node-red";
import { InvalidInputError } from "../../src/core";
import type { SigneringConfigNode } from "../signering-config/config-types";
import type { NodeDefinition } from "./definition";
import { migrate, MigrationError } from "./migrations";

export type NodeType =
  "signering-config" | "signering-create" | "signering-status" | "signering-download" | "signering-confirm" | "signering-job";

/** The package name, as Node-RED names its message catalogues (`<module>/<node set>`). */
export const PACKAGE_NAME = "@posten-signering-community/node-red-posten-signering";

/** `RED._`: a text from the calling node type's catalogue, in the runtime's language. */
export type Translate = (key: string, substitutions?: Record<string, string | number>) => string;

/**
 * Texts every node shows (a missing configuration node) live once, in the configuration node's
 * catalogue; a node reaches them through that catalogue's namespace.
 */
export function sharedText(RED: NodeAPI, key: string, substitutions?: Record<string, string | number>): string {
  return RED._(`${PACKAGE_NAME}/signering-config:signering-config.shared.${key}`, substitutions);
}

/** Node-RED's `registerType`, typed for a node constructor of this package (no cast at each call). */
export function registerNode<TNode extends Node<TCredentials>, TDef extends NodeDef, TCredentials extends object = object>(
  RED: NodeAPI,
  type: NodeType,
  constructor: (this: TNode, def: TDef) => void,
  options?: {
    credentials?: { [K in keyof TCredentials]: { type: "text" | "password" } };
    settings?: Record<string, { value: unknown; exportable?: boolean }>;
  },
): void {
  RED.nodes.registerType<TNode, TDef, Record<string, unknown>, TCredentials>(type, constructor, options);
}

/** A node's link to its configuration node. */
export interface ConfigLink {
  readonly node: SigneringConfigNode | undefined;
  /** The configuration node, or an error naming the `config` field when none is chosen. */
  use(): SigneringConfigNode;
  /** The configuration's warning to keep showing (a certificate that expires soon). */
  notice(): string | undefined;
}

/** The configuration node a node needs. Without one the node shows it at once (red ring) and refuses each msg. */
export function requireConfig(RED: NodeAPI, node: Node, configId: string | undefined): ConfigLink {
  const config = (configId ? (RED.nodes.getNode(configId) as SigneringConfigNode | null) : null) ?? undefined;
  if (!config) node.status({ fill: "red", shape: "ring", text: sharedText(RED, "status.noConfig") });
  return {
    node: config,
    use: () => {
      if (!config) throw new InvalidInputError("config", sharedText(RED, "errors.noConfig"));
      return config;
    },
    notice: () => config?.certificateNotice,
  };
}

/**
 * `RED.nodes.createNode` and the saved configuration at the current version (defaults filled
 * in): how every node of this package starts.
 */
export function createSigneringNode<TConfig extends NodeDef>(
  RED: NodeAPI,
  node: Node,
  definition: NodeDefinition,
  saved: NodeDef,
): TConfig {
  RED.nodes.createNode(node, saved);
  try {
    return migrate<TConfig>(definition, saved);
  } catch (error) {
    if (error instanceof MigrationError)
      throw new Error(sharedText(RED, `errors.${error.reason}`, { type: definition.type, version: error.version }), { cause: error });
    throw error;
  }
}
