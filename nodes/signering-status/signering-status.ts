import { setTimeout as sleep } from "node:timers/promises";
import type { Node, NodeAPI, NodeMessageInFlow } from "node-red";
import { InvalidInputError, RETURN_PARAMETER, type SigneringClient, type StatusChange } from "../../src/core";
import { changeKeyOf } from "../common/change-key";
import { setSignering, signeringOf } from "../common/msg-contract";
import { createSigneringNode, registerNode, requireConfig, type ConfigLink } from "../common/node-red";
import { handleInput, shortError } from "../common/node-support";
import { definition, type StatusConfig } from "./definition";
import type { Journal } from "../cockpit/journal";

/**
 * A job's status, on three outputs: completed, failed, in progress. In "exit URL" mode it reads
 * the status for a signer returning to an exit URL (an `http in` msg); in "polling" mode it
 * listens to a status queue while deployed. Nothing is confirmed here: put a confirm node after
 * the nodes that store the result.
 */

const RETRY_AFTER_FAILURE_MS = 30_000;
const OUTPUT_OF: Record<string, number> = { COMPLETED_SUCCESSFULLY: 0, FAILED: 1, IN_PROGRESS: 2 };
/** Query values and paths from a visitor are cut to this before anything looks at them. */
const MAX_QUERY_VALUE = 1024;

export = function register(RED: NodeAPI): void {
  function SigneringStatus(this: Node, saved: StatusConfig) {
    const node = this;
    const config = createSigneringNode<StatusConfig>(RED, node, definition, saved);
    const link = requireConfig(RED, node, config.config);

    // Each change carries its key; one emitted before and not confirmed since is a redelivery.
    const route = (msg: NodeMessageInFlow, status: StatusChange): (NodeMessageInFlow | null)[] => {
      link.node?.journal?.statusReceived(status, node);
      const changeKey = changeKeyOf(status);
      const redelivered = link.use().emittedChanges.emit(changeKey);
      msg.payload = status;
      setSignering(msg, { ...status, changeKey, redelivered });
      const outputs: (NodeMessageInFlow | null)[] = [null, null, null];
      outputs[OUTPUT_OF[status.status] ?? 2] = msg;
      return outputs;
    };

    if (config.mode === "poll") {
      startPolling(RED, node, link, config, route);
      return;
    }

    handleInput(
      node,
      RED._("signering-status.status.fetching"),
      async (msg, send) => {
        const client = await link.use().client();
        const request = requestOf(msg.req);
        const token =
          request.query.status_query_token ??
          (typeof msg.statusQueryToken === "string" && msg.statusQueryToken !== "" ? msg.statusQueryToken : undefined);
        if (!token) throw new InvalidInputError("msg.req.query.status_query_token", RED._("signering-status.errors.tokenMissing"));
        const given = signeringOf(msg).statusUrl;
        const statusUrl = given || returningJob(client, msg, request);
        const status = await client.direct.getStatus(statusUrl, token);
        // A status was received (the cockpit's journal hooks in after this point).
        send(route(msg, status));
        return RED._("signering-status.status.received", { jobId: status.jobId, status: status.status });
      },
      link.notice,
    );

    /** The status URL from the return ticket; the output msg clears the ticket (`msg.cookies`, for the http response node). */
    const returningJob = (client: SigneringClient, msg: NodeMessageInFlow, request: ReturnRequest): string => {
      const result = client.exitCorrelation().returnOf(request.query[RETURN_PARAMETER], request.path, request.cookies);
      if (!result.ok) {
        const field = result.field === "query" ? `msg.req.query.${RETURN_PARAMETER}` : "msg.req.cookies";
        throw new InvalidInputError(field, RED._(`signering-status.exitReturn.${result.failure}`));
      }
      const cookies = msg.cookies;
      msg.cookies = { ...(cookies && typeof cookies === "object" ? cookies : {}), ...result.clear };
      return result.statusUrl;
    };
  }

  registerNode(RED, "signering-status", SigneringStatus);
};

interface ReturnRequest {
  query: Record<string, string | undefined>;
  path: string | undefined;
  cookies: unknown;
}

/** What the status node reads of an `http in` msg's request: string query values, the path the browser asked for, the cookies. */
function requestOf(req: unknown): ReturnRequest {
  const given = req && typeof req === "object" ? (req as Record<string, unknown>) : {};
  const query: Record<string, string | undefined> = {};
  const rawQuery = given.query && typeof given.query === "object" ? (given.query as Record<string, unknown>) : {};
  for (const name of ["status_query_token", RETURN_PARAMETER]) {
    const value = rawQuery[name];
    if (typeof value === "string" && value !== "") query[name] = value.slice(0, MAX_QUERY_VALUE);
  }
  // originalUrl holds httpNodeRoot too: the path as the browser sees it, which the ticket's cookie path is.
  const url = typeof given.originalUrl === "string" ? given.originalUrl.slice(0, 4 * MAX_QUERY_VALUE) : undefined;
  const path = url?.split("?")[0];
  return { query, path, cookies: given.cookies };
}

/** Polls the queue while the node is deployed; stops, and waits for the loop to end, on close. */
function startPolling(
  RED: NodeAPI,
  node: Node,
  link: ConfigLink,
  config: StatusConfig,
  route: (msg: NodeMessageInFlow, status: StatusChange) => (NodeMessageInFlow | null)[],
): void {
  const stop = new AbortController();
  const queue = config.pollingQueue.trim() || link.node?.pollingQueue;
  const sender = config.sender.trim() || undefined;
  const label = RED._("signering-status.status.queue", {
    flow: config.flow,
    queue: queue ?? RED._("signering-status.status.defaultQueue"),
  });
  // The runtime's language (settings `lang`, else the process's locale), not a fixed one.
  const lang: unknown = Reflect.get(RED.settings, "lang");
  const language = typeof lang === "string" && lang.length <= 35 ? lang : undefined;
  const time = (date: Date) => {
    try {
      return date.toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
    } catch {
      return date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
    }
  };
  const health = (update: Parameters<Journal["pollHealth"]>[1]) =>
    link.node?.journal?.pollHealth(node, { flow: config.flow, queue: queue ?? "", ...update });
  const loop = (async () => {
    // A failure (network, certificate) is reported, then polling starts again after a pause.
    while (!stop.signal.aborted) {
      try {
        const client = await link.use().client();
        node.status({ fill: "blue", shape: "ring", text: RED._("signering-status.status.polling", { queue: label }) });
        const onWait = (nextPoll: Date) => {
          health({ polled: new Date(), nextPoll });
          node.status({ fill: "blue", shape: "ring", text: RED._("signering-status.status.nextPoll", { time: time(nextPoll) }) });
        };
        for await (const change of client.statusChanges({
          flow: config.flow,
          ...(queue ? { pollingQueue: queue } : {}),
          ...(sender ? { sender } : {}),
          signal: stop.signal,
          onWait,
        })) {
          node.send(route({ _msgid: RED.util.generateId() }, change));
          health({
            polled: new Date(),
            handledChange: true,
            ...(change.nextPermittedPollTime ? { nextPoll: change.nextPermittedPollTime } : {}),
          });
          node.status({
            fill: "green",
            shape: "dot",
            text: RED._("signering-status.status.received", { jobId: change.jobId, status: change.status }),
          });
        }
      } catch (error) {
        if (stop.signal.aborted) return;
        node.status({ fill: "red", shape: "ring", text: shortError(error) });
        health({ error: error instanceof Error ? error.message : String(error) });
        node.error(error instanceof Error ? error : new Error(String(error)));
        await sleep(RETRY_AFTER_FAILURE_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    }
  })();
  node.on("close", (done: () => void) => {
    stop.abort();
    health({ stopped: true });
    void loop.finally(() => {
      node.status({});
      done();
    });
  });
}
