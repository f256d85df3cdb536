import { badRequest } from "./rejection";

export interface JobRequestParts {
  requestXml: string;
  bundle: Buffer;
}

/** A header field of Node's HTTP parser is at most 16 kB; a media type with a boundary is far shorter. */
const MAX_CONTENT_TYPE_LENGTH = 1000;
/** RFC 2046 §5.1.1. */
const MAX_BOUNDARY_LENGTH = 70;
/** A part's headers are a line or two. */
const MAX_PART_HEADER_BYTES = 8 * 1024;
/** A job request is a few kB; the manifest and signature document are held to the same limit. */
export const MAX_REQUEST_XML_BYTES = 1024 * 1024;
const CRLF = Buffer.from("\r\n");
const HEADERS_END = Buffer.from("\r\n\r\n");

/**
 * Splits a job creation request: multipart/mixed with exactly two parts, the job XML
 * (application/xml) and the document bundle (application/octet-stream), as the service takes them.
 * Every search moves forward through the body and stops at a third part, so a body of a
 * million tiny parts or of megabytes of header lines costs no more than reading it once.
 */
export function parseJobRequest(contentType: string | undefined, body: Buffer): JobRequestParts {
  if (!contentType || contentType.length > MAX_CONTENT_TYPE_LENGTH || !/^multipart\/mixed\s*;/i.test(contentType)) {
    throw badRequest(
      "INVALID_MULTIPART",
      `Expected Content-Type multipart/mixed with a boundary, got ${contentType === undefined ? "none" : contentType.slice(0, 100)}`,
    );
  }
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw badRequest("INVALID_MULTIPART", "The multipart Content-Type has no boundary");
  if (boundary.length > MAX_BOUNDARY_LENGTH)
    throw badRequest("INVALID_MULTIPART", `The multipart boundary is longer than ${MAX_BOUNDARY_LENGTH} characters`);
  const delimiter = Buffer.from(`--${boundary}`);
  const partEnd = Buffer.concat([CRLF, delimiter]);
  const parts: { headers: Map<string, string>; body: Buffer }[] = [];
  let position = body.indexOf(delimiter);
  if (position === -1) throw badRequest("INVALID_MULTIPART", "The body holds no multipart boundary");
  for (;;) {
    const afterDelimiter = position + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString("latin1") === "--") break;
    if (parts.length === 2) throw badRequest("INVALID_MULTIPART", "Expected two parts (job XML and document bundle), got 3 or more");
    const headersStart = body.indexOf(CRLF, afterDelimiter) + 2;
    if (headersStart < 2) throw badRequest("INVALID_MULTIPART", "A multipart part is not terminated by the boundary");
    const headersLength = body.subarray(headersStart, headersStart + MAX_PART_HEADER_BYTES + HEADERS_END.length).indexOf(HEADERS_END);
    if (headersLength === -1)
      throw badRequest(
        "INVALID_MULTIPART",
        body.length - headersStart > MAX_PART_HEADER_BYTES
          ? `A multipart part's headers are longer than ${MAX_PART_HEADER_BYTES} bytes`
          : "A multipart part is not terminated by the boundary",
      );
    const headersEnd = headersStart + headersLength;
    const next = body.indexOf(partEnd, headersEnd);
    if (next === -1) throw badRequest("INVALID_MULTIPART", "A multipart part is not terminated by the boundary");
    const headers = new Map<string, string>();
    for (const line of body.subarray(headersStart, headersEnd).toString("latin1").split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    parts.push({ headers, body: body.subarray(headersEnd + 4, next) });
    position = next + 2;
  }
  if (parts.length !== 2) throw badRequest("INVALID_MULTIPART", `Expected two parts (job XML and document bundle), got ${parts.length}`);
  const [xmlPart, bundlePart] = parts as [(typeof parts)[0], (typeof parts)[0]];
  if (!/^application\/xml\b/i.test(xmlPart.headers.get("content-type") ?? "")) {
    throw badRequest("INVALID_MULTIPART", "The first part must be the job request with Content-Type application/xml");
  }
  if (!/^application\/octet-stream\b/i.test(bundlePart.headers.get("content-type") ?? "")) {
    throw badRequest("INVALID_MULTIPART", "The second part must be the document bundle with Content-Type application/octet-stream");
  }
  if (xmlPart.body.length > MAX_REQUEST_XML_BYTES)
    throw badRequest(
      "INVALID_REQUEST",
      `The job request XML is larger than ${MAX_REQUEST_XML_BYTES} bytes (1 MB); a job request is a few kB`,
    );
  return { requestXml: xmlPart.body.toString("utf8"), bundle: bundlePart.body };
}
