import type {
  AuthenticationLevel,
  Flow,
  IdentifierInSignedDocuments,
  OnBehalfOf,
  SignatureType,
  StatusRetrievalMethod,
} from "../core/model";
import { SIGNERING_NAMESPACE } from "../core/xml/writer";
import { attributeOf, childElement, childElements, textOf, type XmlElement } from "./xml-tree";

/**
 * What a job request and its manifest ask for, read from the emulator's own XML tree after schema
 * validation (so the structure is known to be right). It does not trust the client's model.
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

/** After schema validation every element of a job request and manifest is in this namespace. */
const child = (element: XmlElement | undefined, name: string) => (element ? childElement(element, SIGNERING_NAMESPACE, name) : undefined);
const children = (element: XmlElement | undefined, name: string) => (element ? childElements(element, SIGNERING_NAMESPACE, name) : []);
/** A child element's text, trimmed as the service reads it; undefined when there is no such child. */
const text = (element: XmlElement | undefined, name: string): string | undefined => {
  const found = child(element, name);
  return found && textOf(found).trim();
};
const numberIn = (element: XmlElement | undefined, name: string): number | undefined => {
  const value = text(element, name);
  return value === undefined ? undefined : Number(value);
};

/** Reads the request and manifest trees, whose roots were checked to be this flow's. */
export function readJobSpec(flow: Flow, request: XmlElement, manifest: XmlElement): JobSpec {
  const exitUrls = child(request, "exit-urls");
  const legacyDocument = child(manifest, "document");
  const documents = legacyDocument ? [legacyDocument] : children(child(manifest, "documents"), "document");
  const signers = flow === "direct" ? children(manifest, "signer") : children(child(manifest, "signers"), "signer");
  const availability = child(manifest, "availability");
  const describedBy = legacyDocument ?? manifest;
  const spec: JobSpec = {
    flow,
    sender: text(child(manifest, "sender"), "organization-number") ?? "",
    title: text(describedBy, "title") ?? "",
    documents: documents.map((document) => ({
      title: text(document, "title") ?? "",
      href: attributeOf(document, "href") ?? "",
      mime: attributeOf(document, "mime") ?? "",
    })),
    signers: signers.map(readSigner),
  };
  assign(spec, {
    reference: text(request, "reference"),
    pollingQueue: text(request, "polling-queue"),
    statusRetrievalMethod: text(request, "status-retrieval-method") as StatusRetrievalMethod | undefined,
    description: text(describedBy, "description"),
    nonsensitiveTitle: text(describedBy, "nonsensitive-title"),
    requiredAuthentication: numberIn(manifest, "required-authentication") as AuthenticationLevel | undefined,
    identifierInSignedDocuments: text(manifest, "identifier-in-signed-documents") as IdentifierInSignedDocuments | undefined,
    activationTime: text(availability, "activation-time"),
    availableSeconds: numberIn(availability, "available-seconds"),
  });
  if (exitUrls) {
    spec.exitUrls = {
      completion: text(exitUrls, "completion-url") ?? "",
      rejection: text(exitUrls, "rejection-url") ?? "",
      error: text(exitUrls, "error-url") ?? "",
    };
  }
  return spec;
}

function readSigner(node: XmlElement): SignerSpec {
  const signer: SignerSpec = {};
  const notifications = child(node, "notifications");
  const lookup = child(node, "notifications-using-lookup");
  const order = attributeOf(node, "order");
  assign(signer, {
    personalIdentificationNumber: text(node, "personal-identification-number"),
    customIdentifier: text(node, "signer-identifier"),
    order: order === undefined ? undefined : Number(order),
    signatureType: text(node, "signature-type") as SignatureType | undefined,
    onBehalfOf: text(node, "on-behalf-of") as OnBehalfOf | undefined,
  });
  if (notifications) {
    signer.contact = {};
    assign(signer.contact, {
      email: attributeOf(child(notifications, "email"), "address"),
      sms: attributeOf(child(notifications, "sms"), "number"),
    });
  }
  if (lookup) signer.lookup = { sms: child(lookup, "sms") !== undefined };
  return signer;
}

function assign<T extends object>(target: T, values: Partial<Record<keyof T, unknown>>): void {
  for (const [key, value] of Object.entries(values)) if (value !== undefined) (target as Record<string, unknown>)[key] = value;
}
