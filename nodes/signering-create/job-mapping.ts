import {
  InvalidInputError,
  type AuthenticationLevel,
  type DirectJob,
  type DocumentMimeType,
  type JobDocument,
  type PortalJob,
} from "../../src/core";
import type { Translate } from "../common/node-red";
import type { CreateConfig } from "./definition";
import { resolveExitUrl } from "./exit-urls";

/**
 * The msg → job mapping of the create node, as pure functions: the node evaluates its typed
 * inputs and hands the values here; nothing here touches Node-RED.
 */

/** The dialog's fields after evaluation against the msg (typedInputs read, empty ones undefined). */
export interface CreateInputs {
  title?: string;
  description?: string;
  reference?: string;
  documentTitle?: string;
  signers: unknown;
  exitUrls: { completion?: string; rejection?: string; error?: string };
  activationTime?: string;
}

/** What the msg brings besides the dialog's fields. */
export interface CreateMsgParts {
  payload: unknown;
  /** `msg.filename`: the document's name when `msg.payload` is one Buffer. */
  filename?: unknown;
  /** `msg.job`: job fields that win over the dialog's. */
  job?: unknown;
  /** `msg.req` of the `http in` node that started the job (for exit URLs written as paths). */
  request?: unknown;
}

const TEXT_NAME = /\.txt$/i;
/** File names are cut to this before any pattern runs on them (the document title is at most 80). */
const MAX_FILENAME = 1024;

/** `msg.payload`: one document as a Buffer, or a list of `{ title, content, mimeType? }`. */
export function documentsFrom(
  payload: unknown,
  options: { title?: string; filename?: unknown; documentType: CreateConfig["documentType"] },
  t: Translate,
): JobDocument[] {
  const mimeTypeOf = (given: unknown, name: string | undefined, field: string): DocumentMimeType => {
    if (given === "application/pdf" || given === "text/plain") return given;
    if (given !== undefined)
      throw new InvalidInputError(field, t("signering-create.errors.mimeType", { value: String(given).slice(0, 40) }));
    if (options.documentType !== "auto") return options.documentType;
    return name !== undefined && TEXT_NAME.test(name) ? "text/plain" : "application/pdf";
  };
  if (Buffer.isBuffer(payload)) {
    const name = baseName(options.filename);
    return [
      {
        title: options.title ?? name?.replace(/\.(pdf|txt)$/i, "") ?? t("signering-create.defaultDocumentTitle"),
        content: payload,
        mimeType: mimeTypeOf(undefined, name, "msg.filename"),
      },
    ];
  }
  if (Array.isArray(payload)) {
    return payload.map((entry: unknown, index) => {
      const { title, content, mimeType, filename } = (entry && typeof entry === "object" ? entry : {}) as Record<string, unknown>;
      if (!Buffer.isBuffer(content))
        throw new InvalidInputError(`msg.payload[${index}].content`, t("signering-create.errors.contentNotBuffer"));
      const name = baseName(filename) ?? (typeof title === "string" ? baseName(title) : undefined);
      return {
        title: typeof title === "string" ? title : `${options.title ?? t("signering-create.defaultDocumentTitle")} ${index + 1}`,
        content,
        mimeType: mimeTypeOf(mimeType, name, `msg.payload[${index}].mimeType`),
      };
    });
  }
  throw new InvalidInputError("msg.payload", t("signering-create.errors.payload"));
}

function baseName(filename: unknown): string | undefined {
  if (typeof filename !== "string" || filename === "") return undefined;
  const name = filename.slice(-MAX_FILENAME);
  return name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
}

/** The signers: a list, or its JSON (from a `json` typedInput or an env variable). */
export function signersFrom(value: unknown, t: Translate): unknown[] {
  let signers = value;
  if (typeof value === "string" && value.trim().startsWith("[")) {
    try {
      signers = JSON.parse(value) as unknown;
    } catch {
      throw new InvalidInputError("signers", t("signering-create.errors.signers"));
    }
  }
  if (!Array.isArray(signers)) throw new InvalidInputError("signers", t("signering-create.errors.signers"));
  return signers;
}

/** `msg.job`: job fields that win over the dialog's (the core validates the whole job). */
export function overridesFrom(job: unknown, t: Translate): Partial<DirectJob & PortalJob> {
  if (job === undefined) return {};
  if (!job || typeof job !== "object" || Array.isArray(job))
    throw new InvalidInputError("msg.job", t("signering-create.errors.jobNotObject"));
  return job as Partial<DirectJob & PortalJob>;
}

/** Fields both flows share. */
function commonFrom(config: CreateConfig, inputs: CreateInputs, msg: CreateMsgParts, t: Translate) {
  return {
    title: inputs.title ?? "",
    documents: documentsFrom(msg.payload, { title: inputs.documentTitle, filename: msg.filename, documentType: config.documentType }, t),
    ...optional("description", inputs.description),
    ...optional("reference", inputs.reference),
    ...optional("pollingQueue", config.pollingQueue.trim() || undefined),
    ...optional("requiredAuthentication", LEVELS[config.requiredAuthentication]),
    ...optional("identifierInSignedDocuments", config.identifierInSignedDocuments || undefined),
  };
}

const LEVELS: Record<CreateConfig["requiredAuthentication"], AuthenticationLevel | undefined> = { "": undefined, "3": 3, "4": 4 };

export function portalJobFrom(config: CreateConfig, inputs: CreateInputs, msg: CreateMsgParts, t: Translate): PortalJob {
  const overrides = overridesFrom(msg.job, t);
  const availableSeconds = config.availableSeconds ? Number(config.availableSeconds) : undefined;
  const availability =
    inputs.activationTime || availableSeconds !== undefined
      ? { availability: { ...optional("activationTime", inputs.activationTime), ...optional("availableSeconds", availableSeconds) } }
      : {};
  return {
    ...commonFrom(config, inputs, msg, t),
    ...optional("nonsensitiveTitle", config.nonsensitiveTitle.trim() || undefined),
    ...availability,
    ...overrides,
    signers: overrides.signers ?? (signersFrom(inputs.signers, t) as PortalJob["signers"]),
  };
}

/**
 * A direct job whose exit URLs carry `reference`; a path exit URL is completed from the request
 * that started the job. Also returns the exit URLs as made, for the return ticket's scope.
 */
export function directJobFrom(
  config: CreateConfig,
  inputs: CreateInputs,
  msg: CreateMsgParts,
  exit: { reference: string; parameter: string; httpNodeRoot: string | undefined },
  t: Translate,
): { job: DirectJob; exitUrls: URL[] } {
  const overrides = overridesFrom(msg.job, t);
  const given = overrides.exitUrls;
  const exitUrl = (url: string | undefined, field: string): URL => {
    if (!url) throw new InvalidInputError(field, t("signering-create.errors.exitUrlMissing"));
    const resolved = resolveExitUrl(url, msg.request, exit.httpNodeRoot);
    if (typeof resolved === "string")
      throw new InvalidInputError(field, t(`signering-create.errors.exitUrl.${resolved}`, { url: url.slice(0, 200) }));
    resolved.searchParams.set(exit.parameter, exit.reference);
    return resolved;
  };
  const completion = exitUrl(given?.completion ?? inputs.exitUrls.completion, "completionUrl");
  const rejection = exitUrl(given?.rejection ?? inputs.exitUrls.rejection, "rejectionUrl");
  const error = exitUrl(given?.error ?? inputs.exitUrls.error, "errorUrl");
  const job: DirectJob = {
    ...commonFrom(config, inputs, msg, t),
    ...optional("statusRetrievalMethod", config.statusRetrievalMethod || undefined),
    ...overrides,
    exitUrls: { completion: completion.href, rejection: rejection.href, error: error.href },
    signers: overrides.signers ?? (signersFrom(inputs.signers, t) as DirectJob["signers"]),
  };
  return { job, exitUrls: [completion, rejection, error] };
}

/** The request's cookies (`msg.req.cookies` of an `http in` node), for the return ticket's slot. */
export function requestCookies(request: unknown): unknown {
  return request && typeof request === "object" ? (request as { cookies?: unknown }).cookies : undefined;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [key in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [key in K]?: V };
}
