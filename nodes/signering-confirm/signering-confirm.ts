import type { Node, NodeAPI } from "node-red";
import { InvalidInputError } from "../../src/core";
import { signeringOf } from "../common/msg-contract";
import { createSigneringNode, registerNode, requireConfig } from "../common/node-red";
import { handleInput } from "../common/node-support";
import { definition, type ConfirmConfig } from "./definition";

/**
 * Confirms a status change to the service. Place it after the nodes that store the result: until
 * it is confirmed, the service delivers the change again, so nothing is lost on the way.
 */

export = function register(RED: NodeAPI): void {
  function SigneringConfirm(this: Node, saved: ConfirmConfig) {
    const node = this;
    const config = createSigneringNode<ConfirmConfig>(RED, node, definition, saved);
    const link = requireConfig(RED, node, config.config);

    handleInput(
      node,
      RED._("signering-confirm.status.confirming"),
      async (msg, send) => {
        const configNode = link.use();
        const signering = signeringOf(msg);
        const url = signering.confirmationUrl;
        const jobId = signering.jobId ?? "";
        if (url === undefined) {
          if (signering.status === undefined)
            throw new InvalidInputError("msg.signering.confirmationUrl", RED._("signering-confirm.errors.noConfirmationUrl"));
          // A status the service does not want confirmed (it offered no URL): passed on, as the official clients do.
          send(msg);
          return RED._("signering-confirm.status.nothingToConfirm", { jobId, status: signering.status });
        }
        try {
          await (await configNode.client()).confirm(url);
        } catch (error) {
          // The flow has handled the change: the service delivers it again after its redelivery
          // window, and this configuration marks that delivery as redelivered.
          throw new Error(RED._("signering-confirm.errors.notConfirmed", { jobId, reason: (error as Error).message }), { cause: error });
        }
        if (signering.changeKey !== undefined) configNode.emittedChanges.confirmed(signering.changeKey);
        send(msg);
        return RED._("signering-confirm.status.confirmed", { jobId });
      },
      link.notice,
    );
  }

  registerNode(RED, "signering-confirm", SigneringConfirm);
};
