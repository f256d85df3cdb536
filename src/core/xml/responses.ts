import { XMLParser, XMLValidator } from "fast-xml-parser";
import { UnexpectedResponseError } from "../errors";
import type {
  DirectJobResponse,
  DirectJobStatus,
  DirectSignerResponse,
  JobStatus,
  Notifications,
  PortalJobResponse,
  PortalJobStatus,
  PortalSignature,
} from "../model";

/**
 * Parsers for the service's responses. They read what they know and ignore the rest: unknown
 * elements, extra namespace declarations, comments and whitespace inside URLs. Signer statuses
 * are kept as sent, since the service adds new ones over time, but must look like status
 * names. Nothing malformed gets through: a DOCTYPE (entity expansion), mismatched tags, a job
 * id that is not a number or a national identity number that is not 11 digits is refused with
 * an `UnexpectedResponseError`, since the flow uses these values in file names and URLs.
 */

/** Elements that may repeat, by path, so that one occurrence still parses as a list. */
const REPEATED = new Set([
  "direct-signature-job-response.redirect-url",
  "direct-signature-job-response.signer",
  "direct-signature-job-status-response.status",
  "direct-signature-job-status-response.xades-url",
  "portal-signature-job-status-change-response.signatures.signature",
]);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  textNodeName: "#text",
  isArray: (_name, path) => REPEATED.has(String(path)),
});

type Node = Record<string, unknown>;

export { UnexpectedResponseError };

/** Parses a response that passed the strict checks; throws `UnexpectedResponseError` otherwise. */
function parseStrict(xml: string): Node {
  if (/<!DOCTYPE/i.test(xml))
    throw new UnexpectedResponseError("The response is malformed: it has a DOCTYPE, which the service never sends");
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) {
    throw new UnexpectedResponseError(`The response is malformed XML (line ${verdict.err.line}): ${verdict.err.msg.slice(0, 200)}`);
  }
  try {
    return parser.parse(xml) as Node;
  } catch (error) {
    throw new UnexpectedResponseError(`The response is malformed XML: ${(error as Error).message.slice(0, 200)}`);
  }
}

function root(xml: string, name: string): Node {
  const parsed = parseStrict(xml);
  const node = parsed[name];
  if (node === undefined || typeof node !== "object") {
    const found = Object.keys(parsed).join(", ") || "nothing";
    throw new UnexpectedResponseError(`Expected a <${name}> response, got ${found}`);
  }
  return node as Node;
}

/** Text content of an element that may carry attributes. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object") return text((value as Node)["#text"]) ?? "";
  return String(value).trim();
}

function required(node: Node, name: string, context: string): string {
  const value = text(node[name]);
  if (value === undefined || value === "") throw new UnexpectedResponseError(`<${context}> has no <${name}>`);
  return value;
}

function attribute(value: unknown, name: string): string | undefined {
  return typeof value === "object" && value !== null ? text((value as Node)[`@${name}`]) : undefined;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** Sets optional fields only when present, so parsed objects have no `undefined` keys. */
function withOptional<T extends object>(target: T, optional: Record<string, string | undefined>): T {
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  return target;
}

/** The service's job ids are numbers (a Java long). */
function jobId(node: Node, context: string): string {
  const value = required(node, "signature-job-id", context);
  if (!/^\d{1,19}$/.test(value))
    throw new UnexpectedResponseError(`<${context}> has a signature-job-id that is not a number: "${value.slice(0, 40)}"`);
  return value;
}

function nationalId(value: string | undefined): string | undefined {
  if (value !== undefined && !/^\d{11}$/.test(value))
    throw new UnexpectedResponseError("A personal-identification-number in the response is not 11 digits");
  return value;
}

/** A signer status as sent (new ones appear over time), if it has the shape of one. */
function signerStatus(value: string | undefined): string {
  const status = value ?? "";
  if (!/^[A-Z][A-Z0-9_]{0,63}$/.test(status))
    throw new UnexpectedResponseError(`A signer status in the response is not a status name: "${status.slice(0, 40)}"`);
  return status;
}

function jobStatus(value: string): JobStatus {
  if (value === "IN_PROGRESS" || value === "COMPLETED_SUCCESSFULLY" || value === "FAILED") return value;
  throw new UnexpectedResponseError(`Unknown job status "${value.slice(0, 40)}"`);
}

function directSigner(node: Node): DirectSignerResponse {
  return withOptional(
    { href: attribute(node, "href") ?? "", redirectUrl: required(node, "redirect-url", "signer") },
    {
      personalIdentificationNumber: nationalId(text(node["personal-identification-number"])),
      customIdentifier: text(node["signer-identifier"]),
    },
  );
}

export function parseDirectJobResponse(xml: string): DirectJobResponse {
  const node = root(xml, "direct-signature-job-response");
  return withOptional(
    {
      flow: "direct" as const,
      jobId: jobId(node, "direct-signature-job-response"),
      signers: list(node["signer"]).map((signer) => directSigner(signer as Node)),
    },
    { reference: text(node["reference"]), statusUrl: text(node["status-url"]) },
  );
}

export function parseDirectSignerResponse(xml: string): DirectSignerResponse {
  return directSigner(root(xml, "direct-signer-response"));
}

export function parseDirectJobStatus(xml: string): DirectJobStatus {
  const name = "direct-signature-job-status-response";
  const node = root(xml, name);
  return withOptional(
    {
      flow: "direct" as const,
      jobId: jobId(node, name),
      status: jobStatus(required(node, "signature-job-status", name)),
      signers: list(node["status"]).map((status) =>
        withOptional(
          { status: signerStatus(text(status)), since: attribute(status, "since") ?? "" },
          { signer: attribute(status, "signer") },
        ),
      ),
      xadesUrls: list(node["xades-url"]).map((url) => withOptional({ url: text(url) ?? "" }, { signer: attribute(url, "signer") })),
    },
    {
      reference: text(node["reference"]),
      confirmationUrl: text(node["confirmation-url"]),
      deleteDocumentsUrl: text(node["delete-documents-url"]),
      padesUrl: text(node["pades-url"]),
    },
  );
}

export function parsePortalJobResponse(xml: string): PortalJobResponse {
  const name = "portal-signature-job-response";
  const node = root(xml, name);
  return withOptional(
    { flow: "portal" as const, jobId: jobId(node, name), cancellationUrl: required(node, "cancellation-url", name) },
    { reference: text(node["reference"]) },
  );
}

function contactInformation(node: Node): Notifications {
  return withOptional({}, { email: attribute(node["email"], "address"), sms: attribute(node["sms"], "number") });
}

export function parsePortalJobStatus(xml: string): PortalJobStatus {
  const name = "portal-signature-job-status-change-response";
  const node = root(xml, name);
  const signatures = (node["signatures"] ?? {}) as Node;
  return withOptional(
    {
      flow: "portal" as const,
      jobId: jobId(node, name),
      status: jobStatus(required(node, "status", name)),
      confirmationUrl: required(node, "confirmation-url", name),
      signatures: list(signatures["signature"]).map((entry) => {
        const signature = entry as Node;
        const result: PortalSignature = withOptional(
          { status: signerStatus(text(signature["status"])), since: attribute(signature["status"], "since") ?? "" },
          {
            personalIdentificationNumber: nationalId(text(signature["personal-identification-number"])),
            xadesUrl: text(signature["xades-url"]),
          },
        );
        if (typeof signature["identifier"] === "object") result.contactInformation = contactInformation(signature["identifier"] as Node);
        return result;
      }),
    },
    {
      reference: text(node["reference"]),
      cancellationUrl: text(node["cancellation-url"]),
      deleteDocumentsUrl: text(node["delete-documents-url"]),
      padesUrl: text(signatures["pades-url"]),
    },
  );
}

export interface ErrorBody {
  errorCode: string;
  errorMessage: string;
  errorType: string;
}

/** The service's `<error>` body, or undefined when the body is something else. */
export function parseErrorResponse(xml: string): ErrorBody | undefined {
  try {
    const node = parseStrict(xml)["error"];
    if (!node || typeof node !== "object") return undefined;
    const error = node as Node;
    return {
      errorCode: text(error["error-code"]) ?? "",
      errorMessage: text(error["error-message"]) ?? "",
      errorType: text(error["error-type"]) ?? "",
    };
  } catch {
    return undefined;
  }
}
