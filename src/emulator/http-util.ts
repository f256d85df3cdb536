import type { IncomingMessage, ServerResponse } from "node:http";
import { Rejection } from "./rejection";
import { errorDocument } from "./responses";

export async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Rejection(413, "REQUEST_TOO_LARGE", `The request is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function send(response: ServerResponse, status: number, body: string | Uint8Array, contentType: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": contentType, "content-length": String(Buffer.byteLength(body)), ...headers });
  response.end(body);
}

export function sendXml(response: ServerResponse, status: number, xml: string, headers: Record<string, string> = {}): void {
  send(response, status, xml, "application/xml;charset=UTF-8", headers);
}

export function sendRejection(response: ServerResponse, error: unknown): void {
  const rejection =
    error instanceof Rejection ? error : new Rejection(500, "INTERNAL_SERVER_ERROR", `The emulator failed: ${error instanceof Error ? error.message : String(error)}`);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendXml(response, rejection.httpStatus, errorDocument(rejection.errorCode, rejection.message, rejection.httpStatus >= 500 ? "SERVER" : "CLIENT"), rejection.headers);
}
