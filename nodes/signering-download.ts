import type { Readable } from "node:stream";
import type { Node, NodeAPI, NodeDef } from "node-red";
import { InvalidInputError, type DirectJobStatus, type PortalJobStatus } from "../src/core";
import type { SigneringConfigNode } from "./lib/config-types";
import { handleInput, setSignering, signeringOf } from "./lib/node-support";

/**
 * Downloads a completed job's signed documents: the PAdES (signed PDF) as `msg.payload` with
 * `msg.filename`, ready for a file node, and every downloaded file in `msg.documents`.
 */

interface DownloadDef extends NodeDef {
  config: string;
  pades: boolean;
  xades: boolean;
}

interface DownloadedDocument {
  filename: string;
  kind: "pades" | "xades";
  content: Buffer;
}

export = function register(RED: NodeAPI): void {
  function SigneringDownload(this: Node, def: DownloadDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = RED.nodes.getNode(def.config) as SigneringConfigNode | null;

    handleInput(node, "downloading", async (msg, send) => {
      if (!config) throw new InvalidInputError("config", "choose a Posten signering configuration in the node");
      const status = statusOf(msg.payload, signeringOf(msg));
      const client = await config.client();
      const documents: DownloadedDocument[] = [];
      if (def.pades !== false) {
        if (!status.padesUrl) throw new InvalidInputError("msg.payload.padesUrl", `job ${status.jobId} has no signed PDF (status ${status.status}); download when COMPLETED_SUCCESSFULLY`);
        documents.push({ filename: `signed-job-${status.jobId}.pdf`, kind: "pades", content: await collect(await client.downloadPades(status.padesUrl)) });
      }
      if (def.xades) {
        for (const [index, url] of xadesUrlsOf(status).entries()) {
          documents.push({ filename: `signed-job-${status.jobId}-signer-${index + 1}.xml`, kind: "xades", content: await collect(await client.downloadXades(url)) });
        }
      }
      if (documents.length === 0) throw new InvalidInputError("xades", "nothing to download: choose PAdES and/or XAdES in the node");
      const [first] = documents as [DownloadedDocument];
      msg.payload = first.content;
      (msg as { filename?: string }).filename = first.filename;
      (msg as { documents?: DownloadedDocument[] }).documents = documents;
      setSignering(msg, { ...status });
      send(msg);
      return `job ${status.jobId}: ${documents.length} file(s)`;
    });
  }

  RED.nodes.registerType("signering-download", SigneringDownload as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
};

/** The status from the status node: `msg.payload`, or `msg.signering` when the payload was replaced. */
function statusOf(payload: unknown, signering: Record<string, unknown>): DirectJobStatus | PortalJobStatus {
  const candidate = (payload && typeof payload === "object" && "jobId" in payload ? payload : signering) as { jobId?: unknown; status?: unknown };
  if (!candidate.jobId || !candidate.status) throw new InvalidInputError("msg.payload", "must be a job status from a Posten signering status node");
  return candidate as unknown as DirectJobStatus | PortalJobStatus;
}

function xadesUrlsOf(status: DirectJobStatus | PortalJobStatus): string[] {
  return status.flow === "portal" ? status.signatures.flatMap((signature) => (signature.xadesUrl ? [signature.xadesUrl] : [])) : status.xadesUrls.map((xades) => xades.url);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
