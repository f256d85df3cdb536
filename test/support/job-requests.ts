import assert from "node:assert/strict";
import { Readable } from "node:stream";
import JSZip from "jszip";
import type { SenderCredentials } from "../../src/core";
import { jobRequestBody } from "../../src/core/http/multipart";
import { packageDirectJob } from "../../src/core/job-bundle";
import type { DirectJob } from "../../src/core/model";
import { parseErrorResponse } from "../../src/core/xml";
import { type EmulatorConnection, rawApiRequest } from "./emulator";
import { directJob } from "./jobs";

/** Job creation requests built from parts a test may have spoiled, sent over the emulator's mTLS API. */

export const ORG = "123456785";

export type ApiResult = Awaited<ReturnType<typeof rawApiRequest>>;

/** Sends a job request the way the client does. */
export async function sendJobRequest(
  emulator: EmulatorConnection,
  requestXml: string,
  zip: Buffer,
  organization = ORG,
  flow = "direct",
): Promise<ApiResult> {
  const body = jobRequestBody(requestXml, { size: zip.length, stream: () => Readable.from([zip]), toBuffer: async () => zip });
  const chunks: Buffer[] = [];
  for await (const chunk of body.stream()) chunks.push(chunk as Buffer);
  return rawApiRequest(emulator, "POST", `/${organization}/${flow}/signature-jobs`, {
    contentType: body.contentType,
    content: Buffer.concat(chunks),
  });
}

/** A well-made direct job's request XML and signed bundle. */
export async function packagedDirectJob(
  credentials: SenderCredentials,
  job: DirectJob = directJob(),
): Promise<{ requestXml: string; zip: Buffer }> {
  const pkg = packageDirectJob(job, { organizationNumber: ORG }, credentials);
  return { requestXml: pkg.requestXml, zip: await pkg.bundle.toBuffer() };
}

/** Checks the service's error document and returns its message. */
export function expectError(result: ApiResult, status: number, code: string): string {
  assert.equal(result.status, status, result.text);
  assert.match(String(result.headers["content-type"]), /^application\/xml/);
  const error = parseErrorResponse(result.text);
  assert.equal(error?.errorCode, code, result.text);
  assert.equal(error?.errorType, "CLIENT");
  return error?.errorMessage ?? "";
}

/** Replaces META-INF/signatures.xml in a signed bundle. */
export async function withSignaturesXml(zip: Buffer, change: (xml: string) => string): Promise<Buffer> {
  const archive = await JSZip.loadAsync(zip);
  const original = await archive.file("META-INF/signatures.xml")!.async("string");
  const changed = change(original);
  assert.notEqual(changed, original, "the test changed the signature document");
  archive.file("META-INF/signatures.xml", changed);
  return archive.generateAsync({ type: "nodebuffer" });
}
