import type { Readable } from "node:stream";
import { InvalidInputError } from "../errors";
import { type ClientContext, senderOf } from "./context";

/** Documents kept in Posten's long-term archive. */
export class ArchiveClient {
  constructor(private readonly context: ClientContext) {}

  /** The archived PAdES of a document, streamed. */
  async getPades(documentId: string, options: { owner?: string } = {}): Promise<Readable> {
    if (typeof documentId !== "string" || documentId.trim() === "") throw new InvalidInputError("documentId", "is required");
    const owner = senderOf(this.context, options.owner);
    const url = `${this.context.apiRoot}/${owner}/archive/documents/${encodeURIComponent(documentId.trim())}/pades`;
    const response = await this.context.api.call({ method: "GET", url, download: true, operation: "archive", organization: owner });
    return response.body;
  }
}
