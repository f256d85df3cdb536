import type { Node, NodeAPI, NodeDef } from "node-red";
import { InvalidInputError } from "../src/core";
import type { SigneringConfigNode } from "./lib/config-types";
import { handleInput, signeringOf } from "./lib/node-support";

/**
 * Confirms a status change to the service. Place it after the nodes that store the result: until
 * it is confirmed, the service delivers the change again, so nothing is lost on the way.
 */

interface ConfirmDef extends NodeDef {
  config: string;
}

export = function register(RED: NodeAPI): void {
  function SigneringConfirm(this: Node, def: ConfirmDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = RED.nodes.getNode(def.config) as SigneringConfigNode | null;

    handleInput(node, "confirming", async (msg, send) => {
      if (!config) throw new InvalidInputError("config", "choose a Posten signering configuration in the node");
      const signering = signeringOf(msg);
      const url = signering.confirmationUrl;
      if (typeof url !== "string") {
        throw new InvalidInputError("msg.signering.confirmationUrl", "is missing: the msg must come from a status node (keep msg.signering on the way)");
      }
      await (await config.client()).confirm(url);
      send(msg);
      return `confirmed job ${signering.jobId ?? ""}`.trim();
    });
  }

  RED.nodes.registerType("signering-confirm", SigneringConfirm as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
};
