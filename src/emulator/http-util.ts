import type { IncomingMessage, ServerResponse } from "node:http";
import { Rejection } from "./rejection";
import { errorDocument } from "./responses";

/**
 * The whole body, refused with 413 beyond `limit` (at once when the declared Content-Length is
 * larger). It is read into one buffer, so a large body is never held twice (chunks and their
 * concatenation); for a body of unknown length the buffer is as large as the limit, which costs
 * only what arrives, since the pages of a large allocation that are never written stay unmapped.
 */
export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = () => new Rejection(413, "REQUEST_TOO_LARGE", `The request is larger than ${limit} bytes`, { connection: "close" });
  const declared = request.headers["content-length"] === undefined ? undefined : Number(request.headers["content-length"]);
  if (declared !== undefined && declared > limit) throw tooLarge();
  const body = Buffer.allocUnsafe(declared ?? limit);
  let size = 0;
  for await (const chunk of request) {
    const bytes = chunk as Buffer;
    if (size + bytes.length > body.length) throw tooLarge();
    bytes.copy(body, size);
    size += bytes.length;
  }
  return body.subarray(0, size);
}

export function send(
  response: ServerResponse,
  status: number,
  body: string | Uint8Array,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, { "content-type": contentType, "content-length": String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

export function sendXml(response: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  send(response, status, xml, "application/xml;charset=UTF-8", headers);
}

export function sendRejection(response: ServerResponse, error: unknown): void {
  const rejection =
    error instanceof Rejection
      ? error
      : new Rejection(500, "INTERNAL_SERVER_ERROR", `The emulator failed: ${error instanceof Error ? error.message : String(error)}`);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendXml(
    response,
    rejection.httpStatus,
    errorDocument(rejection.errorCode, rejection.message, rejection.httpStatus >= 500 ? "SERVER" : "CLIENT"),
    rejection.headers,
  );
}
