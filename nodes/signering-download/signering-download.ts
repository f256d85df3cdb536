import type { Readable } from "node:stream";
import type { Node, NodeAPI, NodeMessageInFlow } from "node-red";
import { InvalidInputError, isValidOrganizationNumber, type SigneringClient } from "../../src/core";
import { setSignering, signeringOf, type SigneringMsg } from "../common/msg-contract";
import { createSigneringNode, registerNode, requireConfig, type Translate } from "../common/node-red";
import { handleInput, safeName } from "../common/node-support";
import { definition, type DownloadConfig } from "./definition";

/**
 * Downloads a completed job's signed documents: the PAdES (signed PDF) as `msg.payload` with
 * `msg.filename`, ready for a file node, and every downloaded file in `msg.documents`. In archive
 * mode, the archived PAdES of an archive document id instead (of `msg.sender`'s or the dialog's
 * organization when a broker downloads for another).
 */

interface DownloadedDocument {
  filename: string;
  kind: "pades" | "xades";
  content: Buffer;
}

/** A completed status, as far as a download needs it. */
interface DownloadableStatus {
  jobId: string;
  status: string;
  padesUrl?: string;
  xadesUrls: string[];
}

export = function register(RED: NodeAPI): void {
  function SigneringDownload(this: Node, saved: DownloadConfig) {
    const node = this;
    const config = createSigneringNode<DownloadConfig>(RED, node, definition, saved);
    const link = requireConfig(RED, node, config.config);

    handleInput(
      node,
      RED._("signering-download.status.downloading"),
      async (msg, send) => {
        // The client stops a download beyond the configuration's maxDownloadBytes (ResponseTooLargeError).
        const client = await link.use().client();
        if (config.mode === "archive") {
          const documentId = archiveIdOf(RED, node, config, msg);
          const owner = ownerOf(msg.sender, config.sender, RED._);
          const content = await collect(await client.archive.getPades(documentId, owner ? { owner } : {}));
          deliver(msg, [{ filename: `archived-${safeName(documentId)}.pdf`, kind: "pades", content }]);
          setSignering(msg, { archiveDocumentId: documentId });
          send(msg);
          return RED._("signering-download.status.archived", { documentId });
        }
        // Service URLs only from msg.signering (what this package's nodes put there), never from msg.payload or msg.req.
        const status = statusOf(signeringOf(msg), RED._);
        const documents = await downloadSigned(client, config, status, RED._);
        deliver(msg, documents);
        send(msg);
        return RED._("signering-download.status.downloaded", { jobId: status.jobId, count: documents.length });
      },
      link.notice,
    );
  }

  registerNode(RED, "signering-download", SigneringDownload);
};

async function downloadSigned(
  client: SigneringClient,
  config: DownloadConfig,
  status: DownloadableStatus,
  t: Translate,
): Promise<DownloadedDocument[]> {
  const documents: DownloadedDocument[] = [];
  const job = safeName(status.jobId);
  if (config.pades) {
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
  if (config.xades) {
    for (const [index, url] of status.xadesUrls.entries()) {
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
  msg.filename = first.filename;
  msg.documents = documents;
}

function archiveIdOf(RED: NodeAPI, node: Node, config: DownloadConfig, msg: NodeMessageInFlow): string {
  const value: unknown = RED.util.evaluateNodeProperty(config.archiveId, config.archiveIdType, node, msg);
  if ((typeof value !== "string" && typeof value !== "number") || String(value).trim() === "") {
    throw new InvalidInputError(
      config.archiveIdType === "msg" ? `msg.${config.archiveId}` : "archiveId",
      RED._("signering-download.errors.archiveId"),
    );
  }
  return String(value).trim();
}

/** The archive's owner: `msg.sender`, else the dialog's, else none (the connection's sender). */
function ownerOf(fromMsg: unknown, fromDialog: string, t: Translate): string | undefined {
  const owner = typeof fromMsg === "string" && fromMsg !== "" ? fromMsg : fromDialog.trim();
  if (owner === "") return undefined;
  if (owner.length !== 9 || !isValidOrganizationNumber(owner))
    throw new InvalidInputError(
      typeof fromMsg === "string" && fromMsg !== "" ? "msg.sender" : "sender",
      t("signering-download.errors.sender"),
    );
  return owner;
}

/** The status a status node put on `msg.signering`. */
function statusOf(signering: SigneringMsg, t: Translate): DownloadableStatus {
  if (!signering.jobId || !signering.status) throw new InvalidInputError("msg.signering", t("signering-download.errors.noStatus"));
  const xadesUrls =
    signering.flow === "portal"
      ? (signering.signatures ?? []).flatMap((signature) => (typeof signature?.xadesUrl === "string" ? [signature.xadesUrl] : []))
      : (signering.xadesUrls ?? []).flatMap((xades) => (typeof xades?.url === "string" ? [xades.url] : []));
  return { jobId: signering.jobId, status: signering.status, ...(signering.padesUrl ? { padesUrl: signering.padesUrl } : {}), xadesUrls };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
