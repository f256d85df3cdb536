import type { Node, NodeAPI, NodeDef } from "node-red";
import { InvalidInputError, type DirectSignerResponse } from "../../src/core";
import { createSigneringNode, registerNode, requireConfig, type Translate } from "../shared/node-red";
import { handleInput, setSignering, signeringOf } from "../shared/node-support";

/** Acts on an existing job: cancel a portal job, delete signed documents, or get a direct signer a new redirect URL. */

interface JobDef extends NodeDef {
  config: string;
  action: "cancel" | "delete" | "redirect";
}

export = function register(RED: NodeAPI): void {
  function SigneringJob(this: Node, saved: JobDef) {
    const node = this;
    const def = createSigneringNode<JobDef>(RED, node, "signering-job", saved);
    const config = requireConfig(RED, node, def.config);
    const action = (msgAction: unknown) =>
      msgAction === "cancel" || msgAction === "delete" || msgAction === "redirect" ? msgAction : def.action;

    handleInput(
      node,
      RED._("signering-job.status.working"),
      async (msg, send) => {
        const client = await config.use().client();
        // Service URLs only from msg.signering (what this package's nodes put there), never from msg.payload or msg.req.
        const signering = signeringOf(msg);
        switch (action((msg as { action?: unknown }).action)) {
          case "cancel": {
            const url = requireUrl(signering.cancellationUrl, "msg.signering.cancellationUrl", RED._, "cancellationUrl");
            await client.portal.cancel(url);
            if (typeof signering.jobId === "string") config.node?.journal?.jobCancelled("portal", signering.jobId, node);
            send(msg);
            return RED._("signering-job.status.cancelled", { jobId: String(signering.jobId ?? "") });
          }
          case "delete": {
            const url = requireUrl(signering.deleteDocumentsUrl, "msg.signering.deleteDocumentsUrl", RED._, "deleteDocumentsUrl");
            await client.deleteDocuments(url);
            send(msg);
            return RED._("signering-job.status.deleted", { jobId: String(signering.jobId ?? "") });
          }
          default: {
            const signers = (signering.signers ?? []) as DirectSignerResponse[];
            const index = Number((msg as { signer?: unknown }).signer ?? 1);
            const url = requireUrl(signers[index - 1]?.href, `msg.signering.signers[${index - 1}].href`, RED._, "signerHref");
            const signer = await client.direct.requestNewRedirectUrl(url);
            msg.payload = signer;
            setSignering(msg, { redirectUrl: signer.redirectUrl });
            send(msg);
            return RED._("signering-job.status.redirected");
          }
        }
      },
      config.notice,
    );
  }

  registerNode(RED, "signering-job", SigneringJob);
};

function requireUrl(value: unknown, field: string, t: Translate, source: "cancellationUrl" | "deleteDocumentsUrl" | "signerHref"): string {
  if (typeof value !== "string" || value === "") throw new InvalidInputError(field, t(`signering-job.errors.missing.${source}`));
  return value;
}
