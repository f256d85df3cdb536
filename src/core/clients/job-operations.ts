import type { Readable } from "node:stream";
import { type ClientContext, organizationOfUrl, requireUrl } from "./context";

/** Operations on an existing job, by the URLs the service handed out. */

export async function confirm(context: ClientContext, confirmationUrl: string): Promise<void> {
  const url = requireUrl(confirmationUrl, "confirmationUrl");
  await context.api.callForNothing({ method: "POST", url, accept: "application/xml", operation: "confirm", organization: organizationOfUrl(context, url) });
}

export async function deleteDocuments(context: ClientContext, deleteDocumentsUrl: string): Promise<void> {
  const url = requireUrl(deleteDocumentsUrl, "deleteDocumentsUrl");
  await context.api.callForNothing({ method: "DELETE", url, accept: "application/xml", operation: "delete-documents", organization: organizationOfUrl(context, url) });
}

/** A streamed download (XAdES or PAdES); the caller consumes or destroys the stream. */
export async function download(context: ClientContext, documentUrl: string, accept: string | undefined, field: string): Promise<Readable> {
  const url = requireUrl(documentUrl, field);
  const response = await context.api.call({
    method: "GET",
    url,
    ...(accept ? { accept } : {}),
    download: true,
    operation: "download",
    organization: organizationOfUrl(context, url),
  });
  return response.body;
}
