import { pipeline } from "node:stream/promises";
import type { NextFunction, Request, Response } from "express";
import type { NodeAPI } from "node-red";
import type { PacerStats } from "../../src/core";
import type { SigneringConfigNode } from "../signering-config/config-types";
import { storeChoiceOf } from "./context-store";
import { isFlow, isJobId, type JobRecord } from "./job-record";
import type { JobFilter } from "./journal";

/**
 * The cockpit's admin endpoints under `/signering-cockpit`. Looking needs
 * `signering-config.read`, acting `signering-config.write` (so `adminAuth` holds: a read-only
 * user sees the jobs and cannot cancel). Every request must come from the editor's own origin,
 * every action is a JSON POST (a form on another site cannot make one), every parameter is
 * checked, and the service URLs an action follows come only from the journal's own records.
 */

export const API_ROOT = "/signering-cockpit";
const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;
const CONFIG_ID = /^[A-Za-z0-9._-]{1,64}$/;
const FILTERS: readonly JobFilter[] = ["all", "inProgress", "completed", "failed"];

export function registerRoutes(RED: NodeAPI): void {
  const read = RED.auth.needsPermission("signering-config.read");
  const write = RED.auth.needsPermission("signering-config.write");
  const t = (key: string, substitutions?: Record<string, string | number>) => RED._(`cockpit.errors.${key}`, substitutions);
  const fail = (response: Response, status: number, key: string, substitutions?: Record<string, string | number>) =>
    void response.status(status).json({ error: t(key, substitutions) });

  /**
   * Requests from the editor's own origin only: a browser marks a cross-site request with
   * `Sec-Fetch-Site` and `Origin`, and either must agree. (Tools without them, like curl, still
   * need the permissions.)
   */
  const sameOrigin = (request: Request, response: Response, next: NextFunction) => {
    const site = request.get("sec-fetch-site");
    const origin = request.get("origin");
    const own = `${request.protocol}://${request.get("host") ?? ""}`;
    if ((site !== undefined && site !== "same-origin" && site !== "none") || (origin !== undefined && origin !== own))
      return fail(response, 403, "crossOrigin");
    next();
  };
  const jsonOnly = (request: Request, response: Response, next: NextFunction) =>
    request.is("application/json") ? next() : fail(response, 415, "notJson");

  /** Node-RED's audit log (its typings know only the level form): who did what to which job. */
  const audit = (action: string, node: SigneringConfigNode, record: JobRecord, request: Request) =>
    (RED.log.audit as unknown as (event: Record<string, string>, request: Request) => void)(
      { event: `signering-cockpit.${action}`, config: node.id, flow: record.flow, job: record.jobId },
      request,
    );

  /** The deployed configuration node of the `:config` parameter, with its journal, or an answer saying why not. */
  const configOf = (request: Request, response: Response): SigneringConfigNode | undefined => {
    const id = request.params.config;
    if (typeof id !== "string" || !CONFIG_ID.test(id)) return void fail(response, 400, "badConfig");
    const node = RED.nodes.getNode(id) as SigneringConfigNode | null;
    if (!node || node.type !== "signering-config") return void fail(response, 404, "noConfig", { id });
    if (!node.journal) return void fail(response, 409, "noJournal");
    return node;
  };

  /** The journal's record of `:flow`/`:job`, or an answer saying why there is none. */
  const recordOf = async (request: Request, response: Response): Promise<[SigneringConfigNode, JobRecord] | undefined> => {
    const node = configOf(request, response);
    if (!node?.journal) return undefined;
    const { flow, job } = request.params;
    if (!isFlow(flow) || !isJobId(job)) return void fail(response, 400, "badJob");
    const record = await node.journal.record(flow, job);
    if (!record) return void fail(response, 404, "noJob", { job });
    return [node, record];
  };

  /** A handler whose failure is answered 502 (or ends a response already under way); never cached. */
  const act = (handler: (request: Request, response: Response) => Promise<void>) => (request: Request, response: Response) => {
    response.set("Cache-Control", "no-store");
    handler(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      response.status(502).json({ error: error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500) });
    });
  };

  /** An action on one journaled job: same origin, JSON, `.write`, and the job's record found first. */
  const jobAction = (
    action: string,
    handler: (request: Request, response: Response, node: SigneringConfigNode, record: JobRecord) => Promise<void>,
  ) =>
    RED.httpAdmin.post(
      `${API_ROOT}/configs/:config/jobs/:flow/:job/${action}`,
      sameOrigin,
      jsonOnly,
      write,
      act(async (request, response) => {
        const found = await recordOf(request, response);
        if (found) await handler(request, response, ...found);
      }),
    );

  RED.httpAdmin.get(`${API_ROOT}/configs`, sameOrigin, read, (_request, response) => {
    const configs: { id: string; name: string; environment: string; deployed: boolean }[] = [];
    RED.nodes.eachNode((node: { id: string; type: string; name?: string; environment?: string }) => {
      if (node.type !== "signering-config" || configs.length >= MAX_LIMIT) return;
      configs.push({
        id: node.id,
        name: String(node.name ?? "").slice(0, 80),
        environment: String(node.environment ?? "").slice(0, 20),
        deployed: Boolean((RED.nodes.getNode(node.id) as SigneringConfigNode | null)?.journal),
      });
    });
    response.set("Cache-Control", "no-store").json({ configs, store: storeOf(RED) });
  });

  RED.httpAdmin.get(
    `${API_ROOT}/configs/:config/jobs`,
    sameOrigin,
    read,
    act(async (request, response) => {
      const filter = request.query.filter ?? "all";
      const limit = request.query.limit === undefined ? DEFAULT_LIMIT : Number(request.query.limit);
      if (!FILTERS.includes(filter as JobFilter)) return fail(response, 400, "badFilter", { allowed: FILTERS.join(", ") });
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return fail(response, 400, "badLimit", { max: MAX_LIMIT });
      const node = configOf(request, response);
      if (!node?.journal) return;
      response.json({
        jobs: await node.journal.list(filter as JobFilter, limit),
        health: node.journal.health(),
        pacer: await pacerOf(node),
        store: storeOf(RED),
      });
    }),
  );

  jobAction("cancel", async (request, response, node, record) => {
    if (record.flow !== "portal" || record.status !== "IN_PROGRESS" || !record.links.cancellation)
      return fail(response, 409, "cannotCancel", { job: record.jobId });
    audit("cancel", node, record, request);
    await (await node.client()).portal.cancel(record.links.cancellation);
    node.journal?.jobCancelled(record.flow, record.jobId, { id: node.id, name: RED._("cockpit.actor") });
    await node.journal?.idle();
    response.json({ cancelled: record.jobId });
  });

  jobAction("signers/:signer/redirect", async (request, response, node, record) => {
    const index = Number(request.params.signer);
    const href = Number.isInteger(index) && index >= 0 ? record.links.signerHrefs?.[index] : undefined;
    if (record.flow !== "direct" || record.status !== "IN_PROGRESS" || !href)
      return fail(response, 409, "cannotRedirect", { job: record.jobId });
    audit("redirect", node, record, request);
    const signer = await (await node.client()).direct.requestNewRedirectUrl(href);
    // Shown once, to the administrator who asked for it; never stored.
    response.json({ redirectUrl: signer.redirectUrl });
  });

  jobAction("pades", async (request, response, node, record) => {
    if (!record.links.pades) return fail(response, 409, "noPades", { job: record.jobId });
    audit("pades", node, record, request);
    const stream = await (await node.client()).downloadPades(record.links.pades);
    response.set({
      "Content-Type": "application/pdf",
      "Content-Disposition": `attachment; filename="signed-${record.flow}-${record.jobId}.pdf"`,
      "X-Content-Type-Options": "nosniff",
    });
    await pipeline(stream, response);
  });
}

function storeOf(RED: NodeAPI): { name: string | null; persistent: boolean } | { error: string } {
  try {
    const choice = storeChoiceOf(RED.settings as unknown as Record<string, unknown>);
    return { name: choice.name ?? null, persistent: choice.persistent };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** The pacer's numbers when the configuration's client can run (`null` when it cannot, or sends unpaced). */
async function pacerOf(node: SigneringConfigNode): Promise<PacerStats | null> {
  try {
    return (await node.client()).pacerStats() ?? null;
  } catch {
    return null;
  }
}
