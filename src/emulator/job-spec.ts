import { XMLParser } from "fast-xml-parser";
import type { AuthenticationLevel, Flow, IdentifierInSignedDocuments, OnBehalfOf, SignatureType, StatusRetrievalMethod } from "../core/model";

/**
 * What a job request and its manifest ask for, read after schema validation (so the structure
 * is known to be right). The emulator's own reading: it does not trust the client's model.
 */

export interface SignerSpec {
  personalIdentificationNumber?: string;
  customIdentifier?: string;
  contact?: { email?: string; sms?: string };
  lookup?: { sms: boolean };
  order?: number;
  signatureType?: SignatureType;
  onBehalfOf?: OnBehalfOf;
}

export interface DocumentSpec {
  title: string;
  href: string;
  mime: string;
}

export interface JobSpec {
  flow: Flow;
  sender: string;
  reference?: string;
  pollingQueue?: string;
  statusRetrievalMethod?: StatusRetrievalMethod;
  exitUrls?: { completion: string; rejection: string; error: string };
  title: string;
  nonsensitiveTitle?: string;
  description?: string;
  documents: DocumentSpec[];
  signers: SignerSpec[];
  requiredAuthentication?: AuthenticationLevel;
  identifierInSignedDocuments?: IdentifierInSignedDocuments;
  activationTime?: string;
  availableSeconds?: number;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (name) => name === "signer" || name === "document",
});

type Node = Record<string, unknown>;
const text = (value: unknown): string | undefined => (value === undefined ? undefined : typeof value === "object" ? undefined : String(value));
const present = (node: Node, name: string) => name in node;

export function readJobSpec(flow: Flow, requestXml: string, manifestXml: string): JobSpec {
  const request = (parser.parse(requestXml) as Node)[`${flow}-signature-job-request`] as Node;
  const manifest = (parser.parse(manifestXml) as Node)[`${flow}-signature-job-manifest`] as Node;
  const exitUrls = request["exit-urls"] as Node | undefined;
  const legacyDocument = (manifest["document"] as Node[] | undefined)?.[0];
  const documents = legacyDocument ? [legacyDocument] : (((manifest["documents"] as Node)["document"] as Node[]) ?? []);
  const signerNodes = flow === "direct" ? (manifest["signer"] as Node[]) : ((manifest["signers"] as Node)["signer"] as Node[]);
  const availability = manifest["availability"] as Node | undefined;
  const spec: JobSpec = {
    flow,
    sender: text((manifest["sender"] as Node)["organization-number"]) ?? "",
    title: text(legacyDocument?.["title"] ?? manifest["title"]) ?? "",
    documents: documents.map((document) => ({
      title: text(document["title"]) ?? "",
      href: text(document["@href"]) ?? "",
      mime: text(document["@mime"]) ?? "",
    })),
    signers: signerNodes.map(readSigner),
  };
  assign(spec, {
    reference: text(request["reference"]),
    pollingQueue: text(request["polling-queue"]),
    statusRetrievalMethod: text(request["status-retrieval-method"]) as StatusRetrievalMethod | undefined,
    description: text(legacyDocument?.["description"] ?? manifest["description"]),
    nonsensitiveTitle: text(legacyDocument?.["nonsensitive-title"] ?? manifest["nonsensitive-title"]),
    requiredAuthentication: manifest["required-authentication"] === undefined ? undefined : (Number(manifest["required-authentication"]) as AuthenticationLevel),
    identifierInSignedDocuments: text(manifest["identifier-in-signed-documents"]) as IdentifierInSignedDocuments | undefined,
    activationTime: availability ? text(availability["activation-time"]) : undefined,
    availableSeconds: availability?.["available-seconds"] === undefined ? undefined : Number(availability["available-seconds"]),
  });
  if (exitUrls) {
    spec.exitUrls = {
      completion: text(exitUrls["completion-url"]) ?? "",
      rejection: text(exitUrls["rejection-url"]) ?? "",
      error: text(exitUrls["error-url"]) ?? "",
    };
  }
  return spec;
}

function readSigner(node: Node): SignerSpec {
  const signer: SignerSpec = {};
  const notifications = node["notifications"] as Node | undefined;
  const lookup = node["notifications-using-lookup"] as Node | undefined;
  assign(signer, {
    personalIdentificationNumber: text(node["personal-identification-number"]),
    customIdentifier: text(node["signer-identifier"]),
    order: node["@order"] === undefined ? undefined : Number(node["@order"]),
    signatureType: text(node["signature-type"]) as SignatureType | undefined,
    onBehalfOf: text(node["on-behalf-of"]) as OnBehalfOf | undefined,
  });
  if (notifications) {
    signer.contact = {};
    assign(signer.contact, {
      email: text((notifications["email"] as Node | undefined)?.["@address"]),
      sms: text((notifications["sms"] as Node | undefined)?.["@number"]),
    });
  }
  if (lookup) signer.lookup = { sms: present(lookup, "sms") };
  return signer;
}

function assign<T extends object>(target: T, values: Partial<Record<keyof T, unknown>>): void {
  for (const [key, value] of Object.entries(values)) if (value !== undefined) (target as Record<string, unknown>)[key] = value;
}
