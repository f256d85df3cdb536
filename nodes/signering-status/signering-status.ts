import { setTimeout as sleep } from "node:timers/promises";
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import { InvalidInputError, type Flow, type StatusChange } from "../../src/core";
import { createSigneringNode, registerNode, requireConfig, type ConfigLink } from "../shared/node-red";
import { changeKeyOf } from "../shared/change-key";
import { RETURN_PARAMETER } from "../shared/exit-correlation";
import type { Journal } from "../cockpit/journal";
import { handleInput, setSignering, shortError, signeringOf } from "../shared/node-support";

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
  function SigneringStatus(this: Node, saved: StatusDef) {
    const node = this;
    const def = createSigneringNode<StatusDef>(RED, node, "signering-status", saved);
    const config = requireConfig(RED, node, def.config);

    // Each change carries its key; one emitted before and not confirmed since is a redelivery.
    const route = (msg: NodeMessageInFlow, status: StatusChange): (NodeMessageInFlow | null)[] => {
      config.node?.journal?.statusReceived(status, node);
      const changeKey = changeKeyOf(status);
      const redelivered = config.use().emittedChanges.emit(changeKey);
      msg.payload = status;
      setSignering(msg, { ...status, changeKey, redelivered });
      const outputs: (NodeMessageInFlow | null)[] = [null, null, null];
      outputs[OUTPUT_OF[status.status] ?? 2] = msg;
      return outputs;
    };

    if (def.mode === "poll") {
      startPolling(RED, node, config, def, route);
      return;
    }

    handleInput(
      node,
      RED._("signering-status.status.fetching"),
      async (msg, send) => {
        const configNode = config.use();
        const query = ((msg as { req?: { query?: Record<string, string> } }).req?.query ?? {}) as Record<string, string | undefined>;
        const token = query.status_query_token ?? ((msg as { statusQueryToken?: string }).statusQueryToken || undefined);
        if (!token) throw new InvalidInputError("msg.req.query.status_query_token", RED._("signering-status.errors.tokenMissing"));
        const given = signeringOf(msg).statusUrl;
        const statusUrl =
          typeof given === "string" && given !== ""
            ? given
            : (await configNode.exitCorrelation()).statusUrlOf(
                query[RETURN_PARAMETER],
                (msg as { req?: { cookies?: unknown } }).req?.cookies,
              );
        const status = await (await configNode.client()).direct.getStatus(statusUrl, token);
        send(route(msg, status));
        return RED._("signering-status.status.received", { jobId: status.jobId, status: status.status });
      },
      config.notice,
    );
  }

  registerNode(RED, "signering-status", SigneringStatus);
};

/** Polls the queue while the node is deployed; stops, and waits for the loop to end, on close. */
function startPolling(
  RED: NodeAPI,
  node: Node,
  config: ConfigLink,
  def: StatusDef,
  route: (msg: NodeMessageInFlow, status: StatusChange) => (NodeMessageInFlow | null)[],
): void {
  const stop = new AbortController();
  const queue = def.pollingQueue.trim() || config.node?.pollingQueue;
  const label = RED._("signering-status.status.queue", { flow: def.flow, queue: queue ?? RED._("signering-status.status.defaultQueue") });
  const health = (update: Parameters<Journal["pollHealth"]>[1]) =>
    config.node?.journal?.pollHealth(node, { flow: def.flow, queue: queue ?? "", ...update });
  const loop = (async () => {
    // A failure (network, certificate) is reported, then polling starts again after a pause.
    while (!stop.signal.aborted) {
      try {
        const client = await config.use().client();
        node.status({ fill: "blue", shape: "ring", text: RED._("signering-status.status.polling", { queue: label }) });
        const onWait = (nextPoll: Date) => {
          health({ polled: new Date(), nextPoll });
          node.status({
            fill: "blue",
            shape: "ring",
            text: RED._("signering-status.status.nextPoll", { queue: label, time: nextPoll.toLocaleTimeString("nb-NO") }),
          });
        };
        for await (const change of client.statusChanges({
          flow: def.flow,
          ...(queue ? { pollingQueue: queue } : {}),
          signal: stop.signal,
          onWait,
        })) {
          node.send(route({ _msgid: RED.util.generateId() } as NodeMessageInFlow, change));
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
