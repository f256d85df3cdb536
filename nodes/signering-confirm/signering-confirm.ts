import type { Node, NodeAPI, NodeDef } from "node-red";
import { InvalidInputError } from "../../src/core";
import { createSigneringNode, registerNode, requireConfig } from "../shared/node-red";
import { handleInput, signeringOf } from "../shared/node-support";

/**
 * Confirms a status change to the service. Place it after the nodes that store the result: until
 * it is confirmed, the service delivers the change again, so nothing is lost on the way.
 */

interface ConfirmDef extends NodeDef {
  config: string;
}

export = function register(RED: NodeAPI): void {
  function SigneringConfirm(this: Node, saved: ConfirmDef) {
    const node = this;
    const def = createSigneringNode<ConfirmDef>(RED, node, "signering-confirm", saved);
    const config = requireConfig(RED, node, def.config);

    handleInput(
      node,
      RED._("signering-confirm.status.confirming"),
      async (msg, send) => {
        const configNode = config.use();
        const signering = signeringOf(msg);
        const url = signering.confirmationUrl;
        if (typeof url !== "string") {
          if (typeof signering.status !== "string")
            throw new InvalidInputError("msg.signering.confirmationUrl", RED._("signering-confirm.errors.noConfirmationUrl"));
          // A status the service does not want confirmed (it offered no URL): passed on, as the official clients do.
          send(msg);
          return RED._("signering-confirm.status.nothingToConfirm", { jobId: String(signering.jobId ?? ""), status: signering.status });
        }
        try {
          await (await configNode.client()).confirm(url);
        } catch (error) {
          // The flow has handled the change: the service delivers it again after its redelivery
          // window, and this configuration marks that delivery as redelivered.
          throw new Error(
            RED._("signering-confirm.errors.notConfirmed", { jobId: signering.jobId ?? "", reason: (error as Error).message }),
            { cause: error },
          );
        }
        if (typeof signering.changeKey === "string") configNode.emittedChanges.confirmed(signering.changeKey);
        send(msg);
        return RED._("signering-confirm.status.confirmed", { jobId: signering.jobId ?? "" });
      },
      config.notice,
    );
  }

  registerNode(RED, "signering-confirm", SigneringConfirm);
};
