import type { Node, NodeAPI, NodeDef } from "node-red";
import { InvalidInputError, type DirectSignerResponse } from "../src/core";
import type { SigneringConfigNode } from "./lib/config-types";
import { handleInput, setSignering, signeringOf } from "./lib/node-support";

/** Acts on an existing job: cancel a portal job, delete signed documents, or get a direct signer a new redirect URL. */

interface JobDef extends NodeDef {
  config: string;
  action: "cancel" | "delete" | "redirect";
}

export = function register(RED: NodeAPI): void {
  function SigneringJob(this: Node, def: JobDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = RED.nodes.getNode(def.config) as SigneringConfigNode | null;
    const action = (msgAction: unknown) => (msgAction === "cancel" || msgAction === "delete" || msgAction === "redirect" ? msgAction : def.action);

    handleInput(node, "working", async (msg, send) => {
      if (!config) throw new InvalidInputError("config", "choose a Posten signering configuration in the node");
      const client = await config.client();
      const signering = { ...signeringOf(msg), ...(msg.payload && typeof msg.payload === "object" && !Buffer.isBuffer(msg.payload) ? (msg.payload as Record<string, unknown>) : {}) };
      switch (action((msg as { action?: unknown }).action)) {
        case "cancel": {
          const url = requireUrl(signering.cancellationUrl, "msg.signering.cancellationUrl", "a portal job from the create or status node");
          await client.portal.cancel(url);
          send(msg);
          return `cancelled job ${signering.jobId ?? ""}`.trim();
        }
        case "delete": {
          const url = requireUrl(signering.deleteDocumentsUrl, "msg.signering.deleteDocumentsUrl", "a completed job's status (offered 24 hours after completion)");
          await client.deleteDocuments(url);
          send(msg);
          return `deleted documents of job ${signering.jobId ?? ""}`.trim();
        }
        default: {
          const signers = (signering.signers ?? []) as DirectSignerResponse[];
          const index = Number((msg as { signer?: unknown }).signer ?? 1);
          const href = (msg as { signerUrl?: string }).signerUrl ?? signers[index - 1]?.href;
          const url = requireUrl(href, "msg.signerUrl", "the signer's href from the create node's response (or msg.signer as the signer's number)");
          const signer = await client.direct.requestNewRedirectUrl(url);
          msg.payload = signer;
          setSignering(msg, { redirectUrl: signer.redirectUrl });
          send(msg);
          return "new redirect URL";
        }
      }
    });
  }

  RED.nodes.registerType("signering-job", SigneringJob as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
};

function requireUrl(value: unknown, field: string, source: string): string {
  if (typeof value !== "string" || value === "") throw new InvalidInputError(field, `is missing: it comes from ${source}`);
  return value;
}
