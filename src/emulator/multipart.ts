import { badRequest } from "./rejection";

export interface JobRequestParts {
  requestXml: string;
  bundle: Buffer;
}

/**
 * Splits a job creation request: multipart/mixed with exactly two parts, the job XML
 * (application/xml) and the document bundle (application/octet-stream), as the service takes them.
 */
export function parseJobRequest(contentType: string | undefined, body: Buffer): JobRequestParts {
  if (!contentType || !/^multipart\/mixed\s*;/i.test(contentType)) {
    throw badRequest("INVALID_MULTIPART", `Expected Content-Type multipart/mixed with a boundary, got ${contentType ?? "none"}`);
  }
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) throw badRequest("INVALID_MULTIPART", "The multipart Content-Type has no boundary");
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: Map<string, string>; body: Buffer }[] = [];
  let position = body.indexOf(delimiter);
  if (position === -1) throw badRequest("INVALID_MULTIPART", "The body holds no multipart boundary");
  for (;;) {
    const afterDelimiter = position + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString("latin1") === "--") break;
    const headersStart = body.indexOf("\r\n", afterDelimiter) + 2;
    const headersEnd = body.indexOf("\r\n\r\n", headersStart);
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headersEnd);
    if (headersStart < 2 || headersEnd === -1 || next === -1)
      throw badRequest("INVALID_MULTIPART", "A multipart part is not terminated by the boundary");
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
  return { requestXml: xmlPart.body.toString("utf8"), bundle: bundlePart.body };
}
