import type { Readable } from "node:stream";
import { type ClientContext, organizationOfUrl, requireServiceUrl } from "./context";

/** Operations on an existing job, by the URLs the service handed out (only the service's own). */

/** Idempotent on the service: tried again after a transport error or a 5xx (see `Api`). */
export async function confirm(context: ClientContext, confirmationUrl: string): Promise<void> {
  const url = requireServiceUrl(context, confirmationUrl, "confirmationUrl");
  await context.api.nothing({
    method: "POST",
    url,
    accept: "application/xml",
    operation: "confirm",
    organization: organizationOfUrl(context, url),
  });
}

export async function deleteDocuments(context: ClientContext, deleteDocumentsUrl: string): Promise<void> {
  const url = requireServiceUrl(context, deleteDocumentsUrl, "deleteDocumentsUrl");
  await context.api.nothing({
    method: "DELETE",
    url,
    accept: "application/xml",
    operation: "delete-documents",
    organization: organizationOfUrl(context, url),
  });
}

/** A streamed download (XAdES or PAdES), bounded by `maxDownloadBytes`; the caller consumes or destroys the stream. */
export async function download(context: ClientContext, documentUrl: string, accept: string | undefined, field: string): Promise<Readable> {
  const url = requireServiceUrl(context, documentUrl, field);
  return context.api.download({
    method: "GET",
    url,
    ...(accept ? { accept } : {}),
    download: true,
    operation: "download",
    organization: organizationOfUrl(context, url),
  });
}
