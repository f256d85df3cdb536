import type { Readable } from "node:stream";
import { InvalidInputError } from "../errors";
import { LIMITS } from "../limits";
import { type ClientContext, requireServiceUrl, senderOf } from "./context";

/** Documents kept in Posten's long-term archive. */
export class ArchiveClient {
  constructor(private readonly context: ClientContext) {}

  /** The archived PAdES of a document, streamed and bounded by `maxDownloadBytes`. */
  async getPades(documentId: string, options: { owner?: string } = {}): Promise<Readable> {
    if (typeof documentId !== "string" || documentId.trim() === "") throw new InvalidInputError("documentId", "is required");
    if (documentId.length > LIMITS.archiveDocumentIdLength) {
      throw new InvalidInputError("documentId", `must be at most ${LIMITS.archiveDocumentIdLength} characters, was ${documentId.length}`);
    }
    if (/^\.+$/.test(documentId.trim())) throw new InvalidInputError("documentId", "must be a document id, not a path segment");
    const owner = senderOf(this.context, options.owner);
    const url = requireServiceUrl(
      this.context,
      `${this.context.apiRoot}/${owner}/archive/documents/${encodeURIComponent(documentId.trim())}/pades`,
      "documentId",
    );
    return this.context.api.download({ method: "GET", url, download: true, operation: "archive", organization: owner });
  }
}
