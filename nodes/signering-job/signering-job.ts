import type { Node, NodeAPI } from "node-red";
import { InvalidInputError } from "../../src/core";
import { setSignering, signeringOf } from "../common/msg-contract";
import { createSigneringNode, registerNode, requireConfig, type Translate } from "../common/node-red";
import { handleInput } from "../common/node-support";
import { definition, type JobConfig } from "./definition";

/** Acts on an existing job: cancel a portal job, delete signed documents, or get a direct signer a new redirect URL. */

type Action = JobConfig["action"];
const ACTIONS: readonly unknown[] = definition.fields.action.choices;

export = function register(RED: NodeAPI): void {
  function SigneringJob(this: Node, saved: JobConfig) {
    const node = this;
    const config = createSigneringNode<JobConfig>(RED, node, definition, saved);
    const link = requireConfig(RED, node, config.config);
    const actionOf = (given: unknown): Action => (ACTIONS.includes(given) ? (given as Action) : config.action);

    handleInput(
      node,
      RED._("signering-job.status.working"),
      async (msg, send) => {
        const client = await link.use().client();
        // Service URLs only from msg.signering (what this package's nodes put there), never from msg.payload or msg.req.
        const signering = signeringOf(msg);
        const jobId = signering.jobId ?? "";
        switch (actionOf(msg.action)) {
          case "cancel": {
            await client.portal.cancel(requireUrl(signering.cancellationUrl, "msg.signering.cancellationUrl", RED._, "cancellationUrl"));
            if (jobId) link.node?.journal?.jobCancelled("portal", jobId, node);
            send(msg);
            return RED._("signering-job.status.cancelled", { jobId });
          }
          case "delete": {
            await client.deleteDocuments(
              requireUrl(signering.deleteDocumentsUrl, "msg.signering.deleteDocumentsUrl", RED._, "deleteDocumentsUrl"),
            );
            // Its documents were deleted (the cockpit's journal hooks in after this point).
            send(msg);
            return RED._("signering-job.status.deleted", { jobId });
          }
          case "redirect": {
            const index = Number(msg.signer ?? 1);
            const signer = Number.isInteger(index) && index >= 1 ? signering.signers?.[index - 1] : undefined;
            const href = signer && "href" in signer ? signer.href : undefined;
            const url = requireUrl(href, `msg.signering.signers[${index - 1}].href`, RED._, "signerHref");
            const response = await client.direct.requestNewRedirectUrl(url);
            msg.payload = response;
            setSignering(msg, { redirectUrl: response.redirectUrl });
            send(msg);
            return RED._("signering-job.status.redirected");
          }
        }
      },
      link.notice,
    );
  }

  registerNode(RED, "signering-job", SigneringJob);
};

function requireUrl(value: unknown, field: string, t: Translate, source: "cancellationUrl" | "deleteDocumentsUrl" | "signerHref"): string {
  if (typeof value !== "string" || value === "") throw new InvalidInputError(field, t(`signering-job.errors.missing.${source}`));
  return value;
}
