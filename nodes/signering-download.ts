import type { Readable } from "node:stream";
import type { Node, NodeAPI, NodeDef } from "node-red";
import { InvalidInputError, type DirectJobStatus, type PortalJobStatus } from "../src/core";
import { createSigneringNode, registerNode, requireConfig, type Translate } from "./lib/node-red";
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
  function SigneringDownload(this: Node, saved: DownloadDef) {
    const node = this;
    const def = createSigneringNode<DownloadDef>(RED, node, "signering-download", saved);
    const config = requireConfig(RED, node, def.config);

    handleInput(node, RED._("signering-download.status.downloading"), async (msg, send) => {
      const configNode = config.use();
      const status = statusOf(msg.payload, signeringOf(msg), RED._);
      const client = await configNode.client();
      const documents: DownloadedDocument[] = [];
      if (def.pades !== false) {
        if (!status.padesUrl) throw new InvalidInputError("msg.signering.padesUrl", RED._("signering-download.errors.noPades", { jobId: status.jobId, status: status.status }));
        documents.push({ filename: `signed-job-${status.jobId}.pdf`, kind: "pades", content: await collect(await client.downloadPades(status.padesUrl)) });
      }
      if (def.xades) {
        for (const [index, url] of xadesUrlsOf(status).entries()) {
          documents.push({ filename: `signed-job-${status.jobId}-signer-${index + 1}.xml`, kind: "xades", content: await collect(await client.downloadXades(url)) });
        }
      }
      if (documents.length === 0) throw new InvalidInputError("xades", RED._("signering-download.errors.nothing"));
      const [first] = documents as [DownloadedDocument];
      msg.payload = first.content;
      (msg as { filename?: string }).filename = first.filename;
      (msg as { documents?: DownloadedDocument[] }).documents = documents;
      setSignering(msg, { ...status });
      send(msg);
      return RED._("signering-download.status.downloaded", { jobId: status.jobId, count: documents.length });
    }, config.notice);
  }

  registerNode(RED, "signering-download", SigneringDownload);
};

/** The status from the status node: `msg.payload`, or `msg.signering` when the payload was replaced. */
function statusOf(payload: unknown, signering: Record<string, unknown>, t: Translate): DirectJobStatus | PortalJobStatus {
  const candidate = (payload && typeof payload === "object" && "jobId" in payload ? payload : signering) as { jobId?: unknown; status?: unknown };
  if (!candidate.jobId || !candidate.status) throw new InvalidInputError("msg.payload", t("signering-download.errors.noStatus"));
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
