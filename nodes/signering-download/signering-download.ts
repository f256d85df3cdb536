import type { Readable } from "node:stream";
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import { InvalidInputError, type DirectJobStatus, type PortalJobStatus, type SigneringClient } from "../../src/core";
import { createSigneringNode, registerNode, requireConfig, type Translate } from "../shared/node-red";
import { handleInput, safeName, setSignering, signeringOf, type SigneringContext } from "../shared/node-support";

/**
 * Downloads a completed job's signed documents: the PAdES (signed PDF) as `msg.payload` with
 * `msg.filename`, ready for a file node, and every downloaded file in `msg.documents`. In archive
 * mode, the archived PAdES of an archive document id instead.
 */

interface DownloadDef extends NodeDef {
  config: string;
  mode: "status" | "archive";
  pades: boolean;
  xades: boolean;
  archiveId: string;
  archiveIdType: string;
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

    handleInput(
      node,
      RED._("signering-download.status.downloading"),
      async (msg, send) => {
        const configNode = config.use();
        // The client stops a download beyond the configuration's maxDownloadBytes (ResponseTooLargeError).
        const client = await configNode.client();
        if (def.mode === "archive") {
          const documentId = archiveIdOf(RED, node, def, msg);
          const content = await collect(await client.archive.getPades(documentId));
          deliver(msg, [{ filename: `archived-${safeName(documentId)}.pdf`, kind: "pades", content }]);
          setSignering(msg, { archiveDocumentId: documentId });
          send(msg);
          return RED._("signering-download.status.archived", { documentId });
        }
        // Service URLs only from msg.signering (what this package's nodes put there), never from msg.payload or msg.req.
        const status = statusOf(signeringOf(msg), RED._);
        const documents = await downloadSigned(client, def, status, RED._);
        deliver(msg, documents);
        send(msg);
        return RED._("signering-download.status.downloaded", { jobId: status.jobId, count: documents.length });
      },
      config.notice,
    );
  }

  registerNode(RED, "signering-download", SigneringDownload);
};

async function downloadSigned(
  client: SigneringClient,
  def: DownloadDef,
  status: DirectJobStatus | PortalJobStatus,
  t: Translate,
): Promise<DownloadedDocument[]> {
  const documents: DownloadedDocument[] = [];
  const job = safeName(status.jobId);
  if (def.pades !== false) {
    if (!status.padesUrl)
      throw new InvalidInputError(
        "msg.signering.padesUrl",
        t("signering-download.errors.noPades", { jobId: status.jobId, status: status.status }),
      );
    documents.push({
      filename: `signed-job-${job}.pdf`,
      kind: "pades",
      content: await collect(await client.downloadPades(status.padesUrl)),
    });
  }
  if (def.xades) {
    for (const [index, url] of xadesUrlsOf(status).entries()) {
      documents.push({
        filename: `signed-job-${job}-signer-${index + 1}.xml`,
        kind: "xades",
        content: await collect(await client.downloadXades(url)),
      });
    }
  }
  if (documents.length === 0) throw new InvalidInputError("xades", t("signering-download.errors.nothing"));
  return documents;
}

function deliver(msg: NodeMessageInFlow, documents: DownloadedDocument[]): void {
  const [first] = documents as [DownloadedDocument];
  msg.payload = first.content;
  (msg as { filename?: string }).filename = first.filename;
  (msg as { documents?: DownloadedDocument[] }).documents = documents;
}

function archiveIdOf(RED: NodeAPI, node: Node, def: DownloadDef, msg: NodeMessageInFlow): string {
  const value: unknown = RED.util.evaluateNodeProperty(def.archiveId, def.archiveIdType, node, msg);
  if ((typeof value !== "string" && typeof value !== "number") || String(value).trim() === "") {
    throw new InvalidInputError(
      def.archiveIdType === "msg" ? `msg.${def.archiveId}` : "archiveId",
      RED._("signering-download.errors.archiveId"),
    );
  }
  return String(value).trim();
}

/** The status a status node put on `msg.signering`. */
function statusOf(signering: SigneringContext, t: Translate): DirectJobStatus | PortalJobStatus {
  if (!signering.jobId || !signering.status) throw new InvalidInputError("msg.signering", t("signering-download.errors.noStatus"));
  return signering as unknown as DirectJobStatus | PortalJobStatus;
}

function xadesUrlsOf(status: DirectJobStatus | PortalJobStatus): string[] {
  return status.flow === "portal"
    ? (status.signatures ?? []).flatMap((signature) => (signature.xadesUrl ? [signature.xadesUrl] : []))
    : (status.xadesUrls ?? []).map((xades) => xades.url);
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
