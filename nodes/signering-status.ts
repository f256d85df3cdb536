import { setTimeout as sleep } from "node:timers/promises";
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import { InvalidInputError, type Flow, type StatusChange } from "../src/core";
import type { SigneringConfigNode } from "./lib/config-types";
import { CORRELATION_PARAMETER, handleInput, setSignering, shortError, signeringOf } from "./lib/node-support";

/**
 * A job's status, on three outputs: completed, failed, in progress. In "exit URL" mode it reads
 * the status for a signer returning to an exit URL (an `http in` msg); in "polling" mode it
 * listens to a status queue while deployed. Nothing is confirmed here: put a confirm node after
 * the nodes that store the result.
 */

interface StatusDef extends NodeDef {
  config: string;
  mode: "token" | "poll";
  flow: Flow;
  pollingQueue: string;
}

const RETRY_AFTER_FAILURE_MS = 30_000;
const OUTPUT_OF: Record<string, number> = { COMPLETED_SUCCESSFULLY: 0, FAILED: 1, IN_PROGRESS: 2 };

export = function register(RED: NodeAPI): void {
  function SigneringStatus(this: Node, def: StatusDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = RED.nodes.getNode(def.config) as SigneringConfigNode | null;

    const route = (msg: NodeMessageInFlow, status: StatusChange): (NodeMessageInFlow | null)[] => {
      msg.payload = status;
      setSignering(msg, { ...status });
      const outputs: (NodeMessageInFlow | null)[] = [null, null, null];
      outputs[OUTPUT_OF[status.status] ?? 2] = msg;
      return outputs;
    };

    if (def.mode === "poll") {
      startPolling(node, config, def, route, () => RED.util.generateId());
      return;
    }

    handleInput(node, "fetching status", async (msg, send) => {
      if (!config) throw new InvalidInputError("config", "choose a Posten signering configuration in the node");
      const query = ((msg as { req?: { query?: Record<string, string> } }).req?.query ?? {}) as Record<string, string | undefined>;
      const token = query.status_query_token ?? ((msg as { statusQueryToken?: string }).statusQueryToken || undefined);
      if (!token) throw new InvalidInputError("msg.req.query.status_query_token", "is missing: connect an http-in node for the exit URL, or set msg.statusQueryToken");
      const correlation = query[CORRELATION_PARAMETER];
      const statusUrl = (correlation ? config.recallJob(correlation)?.statusUrl : undefined) ?? (signeringOf(msg).statusUrl as string | undefined);
      if (!statusUrl) {
        throw new InvalidInputError(`msg.req.query.${CORRELATION_PARAMETER}`, "does not match a job created by this configuration (since the last restart), and msg.signering.statusUrl is not set");
      }
      const status = await (await config.client()).direct.getStatus(statusUrl, token);
      send(route(msg, status));
      return `job ${status.jobId}: ${status.status}`;
    });
  }

  RED.nodes.registerType("signering-status", SigneringStatus as unknown as Parameters<NodeAPI["nodes"]["registerType"]>[1]);
};

/** Polls the queue while the node is deployed; stops, and waits for the loop to end, on close. */
function startPolling(
  node: Node,
  config: SigneringConfigNode | null,
  def: StatusDef,
  route: (msg: NodeMessageInFlow, status: StatusChange) => (NodeMessageInFlow | null)[],
  newMessageId: () => string,
): void {
  const stop = new AbortController();
  const queue = def.pollingQueue?.trim() || config?.pollingQueue;
  const label = `${def.flow} queue ${queue ?? "(default)"}`;
  const loop = (async () => {
    // A failure (network, certificate) is reported, then polling starts again after a pause.
    while (!stop.signal.aborted) {
      try {
        if (!config) throw new InvalidInputError("config", "choose a Posten signering configuration in the node");
        const client = await config.client();
        node.status({ fill: "blue", shape: "ring", text: `polling ${label}` });
        const onWait = (nextPoll: Date) => node.status({ fill: "blue", shape: "ring", text: `${label} · next poll ${nextPoll.toLocaleTimeString("nb-NO")}` });
        for await (const change of client.statusChanges({ flow: def.flow, ...(queue ? { pollingQueue: queue } : {}), signal: stop.signal, onWait })) {
          node.send(route({ _msgid: newMessageId() } as NodeMessageInFlow, change));
          node.status({ fill: "green", shape: "dot", text: `job ${change.jobId}: ${change.status}` });
        }
      } catch (error) {
        if (stop.signal.aborted) return;
        node.status({ fill: "red", shape: "ring", text: shortError(error) });
        node.error(error instanceof Error ? error : new Error(String(error)));
        await sleep(RETRY_AFTER_FAILURE_MS, undefined, { signal: stop.signal }).catch(() => undefined);
      }
    }
  })();
  node.on("close", (done: () => void) => {
    stop.abort();
    void loop.finally(() => {
      node.status({});
      done();
    });
  });
}
