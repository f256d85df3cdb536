import type { Node, NodeAPI, NodeMessageInFlow } from "node-red";
import { InvalidInputError, RETURN_PARAMETER, type DirectJobResponse, type PortalJobResponse } from "../../src/core";
import { setSignering } from "../common/msg-contract";
import { createSigneringNode, registerNode, requireConfig } from "../common/node-red";
import { handleInput } from "../common/node-support";
import { definition, type CreateConfig } from "./definition";
import { directJobFrom, portalJobFrom, requestCookies, type CreateInputs, type CreateMsgParts } from "./job-mapping";

/** Creates a direct or portal signature job from the msg's documents and the dialog's settings. */

export = function register(RED: NodeAPI): void {
  function SigneringCreate(this: Node, saved: CreateConfig) {
    const node = this;
    const config = createSigneringNode<CreateConfig>(RED, node, definition, saved);
    const link = requireConfig(RED, node, config.config);

    /** A typedInput's value for this msg; an empty string field is absent. */
    const valueOf = (field: "signers" | "activationTime", msg: NodeMessageInFlow): unknown => {
      const value = config[field];
      const type = config[`${field}Type`];
      return value === "" && type === "str" ? undefined : RED.util.evaluateNodeProperty(value, type, node, msg);
    };
    const textOf = (
      field: "title" | "description" | "reference" | "documentTitle" | "completionUrl" | "rejectionUrl" | "errorUrl" | "activationTime",
      msg: NodeMessageInFlow,
    ): string | undefined => {
      const type = config[`${field}Type`];
      const value: unknown =
        config[field] === "" && type === "str" ? undefined : RED.util.evaluateNodeProperty(config[field], type, node, msg);
      if (value === undefined || value === null || value === "") return undefined;
      if (typeof value !== "string" && typeof value !== "number")
        throw new InvalidInputError(field, RED._("signering-create.errors.notText", { type: typeof value }));
      return String(value);
    };
    const inputsOf = (msg: NodeMessageInFlow): CreateInputs => ({
      title: textOf("title", msg),
      description: textOf("description", msg),
      reference: textOf("reference", msg),
      documentTitle: textOf("documentTitle", msg),
      signers: valueOf("signers", msg),
      exitUrls: { completion: textOf("completionUrl", msg), rejection: textOf("rejectionUrl", msg), error: textOf("errorUrl", msg) },
      activationTime: textOf("activationTime", msg),
    });

    /** A job was created: the msg carries it on (the cockpit's journal hooks in after this point). */
    const created = (msg: NodeMessageInFlow, response: DirectJobResponse | PortalJobResponse, correlation?: string): string => {
      msg.payload = response;
      setSignering(msg, { ...response, ...(correlation ? { correlation } : {}) });
      return RED._("signering-create.status.created", { jobId: response.jobId });
    };

    handleInput(
      node,
      RED._("signering-create.status.creating"),
      async (msg, send) => {
        const client = await link.use().client();
        const parts: CreateMsgParts = { payload: msg.payload, filename: msg.filename, job: msg.job, request: msg.req };
        const inputs = inputsOf(msg);
        if ((parts.job && typeof parts.job === "object" && "flow" in parts.job ? parts.job.flow : config.flow) === "portal") {
          const job = portalJobFrom(config, inputs, parts, RED._);
          const response = await client.portal.createJob(job);
          link.node?.journal?.jobCreated({ response, title: job.title, portal: job, node });
          const text = created(msg, response);
          send(msg);
          return text;
        }
        const correlation = client.exitCorrelation();
        const reference = correlation.newReference();
        const httpNodeRoot = RED.settings.httpNodeRoot as string | undefined;
        const { job, exitUrls } = directJobFrom(config, inputs, parts, { reference, parameter: RETURN_PARAMETER, httpNodeRoot }, RED._);
        const response = await client.direct.createJob(job);
        link.node?.journal?.jobCreated({ response, title: job.title, node });
        // The browser brings the ticket back to the exit URL; an http response node sets it.
        const ticket = correlation.ticketCookies(reference, response.statusUrl, exitUrls, requestCookies(msg.req));
        if (ticket.ok) {
          const cookies = msg.cookies;
          msg.cookies = { ...(cookies && typeof cookies === "object" ? cookies : {}), ...ticket.cookies };
        } else node.warn(RED._("signering-create.warnings.noReturnCookie", { jobId: response.jobId, reason: ticket.failure }));
        const text = created(msg, response, reference);
        send(msg);
        return text;
      },
      link.notice,
    );
  }

  registerNode(RED, "signering-create", SigneringCreate);
};
