import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import type { DocumentBundle } from "../bundle";

export interface MultipartBody {
  contentType: string;
  length: number;
  stream(): Readable;
}

const CRLF = "\r\n";

/**
 * The job request as the service takes it: multipart/mixed with the job XML and then the
 * document bundle, each part with only a Content-Type header. The bundle streams through.
 */
export function jobRequestBody(requestXml: string, bundle: DocumentBundle): MultipartBody {
  const boundary = randomBytes(24).toString("base64url");
  const head = Buffer.from(
    `--${boundary}${CRLF}Content-Type: application/xml${CRLF}${CRLF}${requestXml}${CRLF}` +
      `--${boundary}${CRLF}Content-Type: application/octet-stream${CRLF}${CRLF}`,
    "utf8",
  );
  const tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`, "utf8");
  async function* parts(): AsyncGenerator<Buffer> {
    yield head;
    for await (const chunk of bundle.stream()) yield chunk as Buffer;
    yield tail;
  }
  return {
    contentType: `multipart/mixed; boundary=${boundary}`,
    length: head.length + bundle.size + tail.length,
    stream: () => Readable.from(parts(), { objectMode: false }),
  };
}
