import type { Request, Response } from "express";
import type { NodeAPI } from "node-red";
import { CertificateError, checkConnection, loadCredentials } from "../../src/core";
import { migrate } from "../common/migrations";
import { clientOptionsOf } from "./client-options";
import type { SigneringConfigCredentials, SigneringConfigNode } from "./config-types";
import { definition, type SigneringConfigDef } from "./definition";

/**
 * The dialog's admin endpoints: what certificate a keystore holds, and the pre-flight check.
 *
 * They never combine the request with stored secrets, so nobody can use them to test guesses:
 * - with an `id`, it must be a deployed signering-config node, and everything comes from that
 *   node (fields and credentials, its own environment, host and CA); the body adds nothing;
 * - without one, only what the body itself carries: an uploaded keystore and its password,
 *   never a file path or an environment variable.
 */

type Body = Record<string, unknown>;

export function registerAdminEndpoints(RED: NodeAPI): void {
  const permission = RED.auth.needsPermission("signering-config.write");

  /** The deployed configuration node `id`, or undefined for any other id (another node type's secrets stay out of reach). */
  const deployed = (
    id: string,
  ): { config: SigneringConfigDef; secrets: SigneringConfigCredentials; node: SigneringConfigNode } | undefined => {
    const node = RED.nodes.getNode(id) as SigneringConfigNode | null;
    if (!node || node.type !== "signering-config") return undefined;
    return { config: node.configuration, secrets: node.credentials ?? {}, node };
  };

  RED.httpAdmin.post("/signering-config/certificate", permission, (request: Request, response: Response) => {
    const body = bodyOf(request);
    const id = idOf(body);
    let keystore: string | undefined;
    let password: string | undefined;
    if (id !== undefined) {
      const stored = deployed(id);
      if (!stored) return void response.status(404).json({ error: RED._("signering-config.errors.notDeployed") });
      ({ keystore, password } = stored.secrets);
    } else {
      keystore = textOf(body.keystore);
      password = textOf(body.password);
    }
    if (!keystore) return void response.status(400).json({ error: RED._("signering-config.errors.noKeystoreUploaded") });
    try {
      const credentials = loadCredentials({ pkcs12: Buffer.from(keystore, "base64"), password: password ?? "" });
      response.json({
        subject: credentials.subject,
        organizationNumber: credentials.organizationNumber,
        validTo: credentials.validTo.toISOString(),
      });
    } catch (error) {
      response.status(400).json({
        error: error instanceof Error ? error.message : String(error),
        code: error instanceof CertificateError ? error.code : undefined,
      });
    }
  });

  RED.httpAdmin.post("/signering-config/check", permission, (request: Request, response: Response) => {
    const body = bodyOf(request);
    const id = idOf(body);
    let config: SigneringConfigDef;
    let secrets: SigneringConfigCredentials;
    let node: SigneringConfigNode | undefined;
    if (id !== undefined) {
      const stored = deployed(id);
      if (!stored) return void response.status(404).json({ error: RED._("signering-config.errors.notDeployed") });
      ({ config, secrets, node } = stored);
    } else {
      // Only an uploaded keystore: a file path or an environment variable would open a secret the body does not hold.
      config = {
        ...migrate<SigneringConfigDef>(definition, { ...fieldsFrom(body.config), id: "check", type: "signering-config" }),
        keystoreSource: "upload",
      };
      const given = body.credentials && typeof body.credentials === "object" ? (body.credentials as Body) : {};
      secrets = { keystore: textOf(given.keystore), password: textOf(given.password), proxy: textOf(given.proxy) };
    }
    clientOptionsOf(config, secrets, { RED, ...(node ? { node } : {}) })
      .then(({ proxy, ...options }) => checkConnection({ ...options, ...(proxy ? { proxy } : {}) }))
      .then(
        (report) => response.json(report),
        (error: unknown) =>
          response.json({
            ok: false,
            checks: [{ name: "configuration", ok: false, detail: error instanceof Error ? error.message : String(error) }],
          }),
      );
  });
}

function bodyOf(request: Request): Body {
  const body: unknown = request.body;
  return body && typeof body === "object" ? (body as Body) : {};
}

function idOf(body: Body): string | undefined {
  return typeof body.id === "string" && body.id !== "" ? body.id : undefined;
}

function textOf(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Only the config node's own fields, each of its default's type: the body is the dialog's, but checked. */
function fieldsFrom(value: unknown): Record<string, string | boolean> {
  const given = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
  const fields: Record<string, string | boolean> = {};
  for (const [key, field] of Object.entries(definition.fields)) {
    const candidate = given[key];
    if (typeof candidate === typeof field.value && (typeof candidate === "string" || typeof candidate === "boolean"))
      fields[key] = candidate;
  }
  return fields;
}
