import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import { InvalidInputError, type DirectJob, type Flow, type JobDocument, type PortalJob } from "../../src/core";
import { createSigneringNode, registerNode, requireConfig, type Translate } from "../shared/node-red";
import { RETURN_PARAMETER } from "../shared/exit-correlation";
import { resolveExitUrl } from "./exit-urls";
import { handleInput, setSignering } from "../shared/node-support";

/** Creates a direct or portal signature job from the msg's PDF(s) and the dialog's settings. */

interface TypedProperty {
  value: string;
  type: string;
}

interface CreateDef extends NodeDef {
  config: string;
  flow: Flow;
  title: string;
  titleType: string;
  description: string;
  descriptionType: string;
  reference: string;
  referenceType: string;
  documentTitle: string;
  documentTitleType: string;
  signers: string;
  signersType: string;
  completionUrl: string;
  completionUrlType: string;
  rejectionUrl: string;
  rejectionUrlType: string;
  errorUrl: string;
  errorUrlType: string;
  statusRetrievalMethod: "" | "WAIT_FOR_CALLBACK" | "POLLING";
  pollingQueue: string;
  nonsensitiveTitle: string;
  activationTime: string;
  activationTimeType: string;
  availableSeconds: string;
  requiredAuthentication: "" | "3" | "4";
  identifierInSignedDocuments: string;
}

export = function register(RED: NodeAPI): void {
  function SigneringCreate(this: Node, saved: CreateDef) {
    const node = this;
    const def = createSigneringNode<CreateDef>(RED, node, "signering-create", saved);
    const config = requireConfig(RED, node, def.config);

    const evaluate = (property: TypedProperty, msg: NodeMessageInFlow): unknown =>
      property.value === "" && property.type === "str"
        ? undefined
        : RED.util.evaluateNodeProperty(property.value, property.type, node, msg);
    const text = (property: TypedProperty, msg: NodeMessageInFlow, field: string): string | undefined => {
      const value = evaluate(property, msg);
      if (value === undefined || value === null || value === "") return undefined;
      if (typeof value !== "string" && typeof value !== "number")
        throw new InvalidInputError(field, RED._("signering-create.errors.notText", { type: typeof value }));
      return String(value);
    };

    handleInput(
      node,
      RED._("signering-create.status.creating"),
      async (msg, send) => {
        const configNode = config.use();
        const overrides = ((msg as { job?: unknown }).job ?? {}) as Partial<DirectJob & PortalJob>;
        if (typeof overrides !== "object") throw new InvalidInputError("msg.job", RED._("signering-create.errors.jobNotObject"));
        const documentTitle =
          text({ value: def.documentTitle, type: def.documentTitleType }, msg, "documentTitle") ??
          (msg as { filename?: string }).filename?.replace(/^.*[\\/]/, "").replace(/\.pdf$/i, "") ??
          RED._("signering-create.defaultDocumentTitle");
        const common = {
          title: text({ value: def.title, type: def.titleType }, msg, "title") ?? "",
          documents: documentsFrom(msg.payload, documentTitle, RED._),
          signers: signersFrom(evaluate({ value: def.signers, type: def.signersType }, msg), RED._),
          ...optional("description", text({ value: def.description, type: def.descriptionType }, msg, "description")),
          ...optional("reference", text({ value: def.reference, type: def.referenceType }, msg, "reference")),
          ...optional("pollingQueue", def.pollingQueue.trim() || undefined),
          ...optional("requiredAuthentication", def.requiredAuthentication ? (Number(def.requiredAuthentication) as 3 | 4) : undefined),
          ...optional(
            "identifierInSignedDocuments",
            (def.identifierInSignedDocuments || undefined) as DirectJob["identifierInSignedDocuments"],
          ),
        };
        const client = await configNode.client();
        if ((overrides.flow ?? def.flow) === "portal") {
          const activationTime = text({ value: def.activationTime, type: def.activationTimeType }, msg, "activationTime");
          const availableSeconds = def.availableSeconds ? Number(def.availableSeconds) : undefined;
          const job: PortalJob = {
            ...common,
            ...optional("nonsensitiveTitle", def.nonsensitiveTitle.trim() || undefined),
            ...(activationTime || availableSeconds !== undefined
              ? { availability: { ...optional("activationTime", activationTime), ...optional("availableSeconds", availableSeconds) } }
              : {}),
            ...(overrides as Partial<PortalJob>),
            signers: (overrides.signers as PortalJob["signers"]) ?? (common.signers as PortalJob["signers"]),
          };
          const response = await client.portal.createJob(job);
          configNode.journal?.jobCreated({ response, title: job.title, portal: job, node });
          msg.payload = response;
          setSignering(msg, { ...response });
          send(msg);
          return RED._("signering-create.status.created", { jobId: response.jobId });
        }
        const correlation = await configNode.exitCorrelation();
        const reference = correlation.newReference();
        const given = (overrides as Partial<DirectJob>).exitUrls;
        const exitUrl = (url: string | undefined, field: string) => withReference(url, reference, field, msg, RED);
        const exitUrls = {
          completion: exitUrl(
            given?.completion ?? text({ value: def.completionUrl, type: def.completionUrlType }, msg, "completionUrl"),
            "completionUrl",
          ),
          rejection: exitUrl(
            given?.rejection ?? text({ value: def.rejectionUrl, type: def.rejectionUrlType }, msg, "rejectionUrl"),
            "rejectionUrl",
          ),
          error: exitUrl(given?.error ?? text({ value: def.errorUrl, type: def.errorUrlType }, msg, "errorUrl"), "errorUrl"),
        };
        const job: DirectJob = {
          ...common,
          ...optional("statusRetrievalMethod", def.statusRetrievalMethod || undefined),
          ...(overrides as Partial<DirectJob>),
          exitUrls,
          signers: (overrides.signers as DirectJob["signers"]) ?? (common.signers as DirectJob["signers"]),
        };
        const response = await client.direct.createJob(job);
        configNode.journal?.jobCreated({ response, title: job.title, node });
        // The browser brings this cookie back to the exit URL; an http response node sets it.
        try {
          const { name, cookie } = correlation.cookieFor(reference, response.statusUrl, exitUrls.completion);
          const cookies = (msg as { cookies?: unknown }).cookies;
          (msg as { cookies?: Record<string, unknown> }).cookies = {
            ...(cookies && typeof cookies === "object" ? cookies : {}),
            [name]: cookie,
          };
        } catch (error) {
          node.warn(RED._("signering-create.warnings.noReturnCookie", { jobId: response.jobId, reason: (error as Error).message }));
        }
        msg.payload = response;
        setSignering(msg, { ...response, correlation: reference });
        send(msg);
        return RED._("signering-create.status.created", { jobId: response.jobId });
      },
      config.notice,
    );
  }

  registerNode(RED, "signering-create", SigneringCreate);
};

function optional<K extends string, V>(key: K, value: V | undefined): { [key in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [key in K]?: V };
}

/** `msg.payload`: one PDF as a Buffer, or a list of `{ title, content }`. */
function documentsFrom(payload: unknown, defaultTitle: string, t: Translate): JobDocument[] {
  if (Buffer.isBuffer(payload)) return [{ title: defaultTitle, content: payload }];
  if (Array.isArray(payload)) {
    return payload.map((entry: unknown, index) => {
      const { title, content } = (entry ?? {}) as { title?: unknown; content?: unknown };
      if (!Buffer.isBuffer(content))
        throw new InvalidInputError(`msg.payload[${index}].content`, t("signering-create.errors.contentNotBuffer"));
      return { title: typeof title === "string" ? title : `${defaultTitle} ${index + 1}`, content };
    });
  }
  throw new InvalidInputError("msg.payload", t("signering-create.errors.payload"));
}

function signersFrom(value: unknown, t: Translate): unknown[] {
  const signers = typeof value === "string" && value.trim().startsWith("[") ? (JSON.parse(value) as unknown) : value;
  if (!Array.isArray(signers)) throw new InvalidInputError("signers", t("signering-create.errors.signers"));
  return signers;
}

/** The exit URL with the job's reference; a path is completed from the request that started the job (msg.req). */
function withReference(url: string | undefined, reference: string, field: string, msg: NodeMessageInFlow, RED: NodeAPI): string {
  if (!url) throw new InvalidInputError(field, RED._("signering-create.errors.exitUrlMissing"));
  const resolved = resolveExitUrl(url, (msg as { req?: unknown }).req, RED.settings.httpNodeRoot as string | undefined);
  if (typeof resolved === "string") throw new InvalidInputError(field, RED._(`signering-create.errors.exitUrl.${resolved}`, { url }));
  resolved.searchParams.set(RETURN_PARAMETER, reference);
  return resolved.href;
}
