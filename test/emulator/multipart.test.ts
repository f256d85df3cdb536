import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJobRequest } from "../../src/emulator/multipart";
import { Rejection } from "../../src/emulator/rejection";

const xml = "<direct-signature-job-request/>";
const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x0d, 0x0a, 0x2d, 0x2d, 0x00, 0xff]);

function body(boundary: string, parts: { headers: string[]; content: Buffer | string }[], preamble = ""): Buffer {
  const chunks: Buffer[] = [Buffer.from(preamble)];
  for (const part of parts)
    chunks.push(
      Buffer.from(`--${boundary}\r\n${part.headers.map((header) => `${header}\r\n`).join("")}\r\n`),
      Buffer.from(part.content),
      Buffer.from("\r\n"),
    );
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const javaParts = [
  { headers: ["Content-Type: application/xml"], content: xml },
  { headers: ["Content-Type: application/octet-stream"], content: zip },
];

function refused(contentType: string | undefined, content: Buffer, message: RegExp): void {
  assert.throws(
    () => parseJobRequest(contentType, content),
    (error: unknown) =>
      error instanceof Rejection && error.httpStatus === 400 && error.errorCode === "INVALID_MULTIPART" && message.test(error.message),
  );
}

describe("the emulator's multipart/mixed reader", () => {
  it("reads the Java client's form: charset parameter, parts with only a Content-Type, binary bytes kept exactly", () => {
    const parsed = parseJobRequest("multipart/mixed; boundary=Ab-9_x; charset=ISO-8859-1", body("Ab-9_x", javaParts));
    assert.equal(parsed.requestXml, xml);
    assert.deepEqual(parsed.bundle, zip);
  });

  it("reads the .NET client's form: quoted boundary, Content-Disposition on each part, a preamble", () => {
    const parts = javaParts.map((part) => ({ ...part, headers: [...part.headers, "Content-Disposition: attachment"] }));
    const parsed = parseJobRequest('multipart/mixed; boundary="3f2a-guid"', body("3f2a-guid", parts, "ignored preamble\r\n"));
    assert.deepEqual(parsed.bundle, zip);
  });

  it("refuses another content type, a missing boundary, a body without the boundary, and an unterminated part", () => {
    refused("multipart/form-data; boundary=b", body("b", javaParts), /Expected Content-Type multipart\/mixed/);
    refused(undefined, body("b", javaParts), /got none/);
    refused("multipart/mixed; charset=UTF-8", body("b", javaParts), /no boundary/);
    refused("multipart/mixed; boundary=other", body("b", javaParts), /no multipart boundary/);
    refused("multipart/mixed; boundary=b", Buffer.from(`--b\r\nContent-Type: application/xml\r\n\r\n${xml}`), /not terminated/);
  });

  it("refuses one part, three parts, and parts in the wrong order or with the wrong types", () => {
    refused("multipart/mixed; boundary=b", body("b", javaParts.slice(0, 1)), /two parts .* got 1/);
    refused("multipart/mixed; boundary=b", body("b", [...javaParts, javaParts[1]!]), /got 3/);
    refused("multipart/mixed; boundary=b", body("b", [javaParts[1]!, javaParts[0]!]), /first part must be the job request/);
    refused(
      "multipart/mixed; boundary=b",
      body("b", [javaParts[0]!, { headers: ["Content-Type: application/zip"], content: zip }]),
      /second part must be the document bundle/,
    );
  });
});
