import type { Node, NodeMessageInFlow, NodeStatus } from "node-red";
import { InvalidInputError, SigneringError } from "../../src/core";

export type Send = (msg: NodeMessageInFlow | (NodeMessageInFlow | null)[]) => void;
export type Done = (error?: Error) => void;

/**
 * Runs an async input handler the way Node-RED wants it: three-argument form, errors to
 * `done(err)` so a Catch node gets them with the original msg, and status kept honest with a
 * count of work in progress.
 */
export function handleInput(
  node: Node,
  busyText: string,
  handler: (msg: NodeMessageInFlow, send: Send) => Promise<string | undefined>,
  /** A warning to keep showing after each success (the certificate expires soon). */
  notice?: () => string | undefined,
): void {
  let inProgress = 0;
  node.on("input", (msg: NodeMessageInFlow, send: Send, done: Done) => {
    inProgress += 1;
    node.status({ fill: "blue", shape: "dot", text: busyText });
    handler(msg, send).then(
      (doneText) => {
        inProgress -= 1;
        node.status(inProgress > 0 ? { fill: "blue", shape: "dot", text: busyText } : doneStatus(doneText, notice?.()));
        done();
      },
      (error: unknown) => {
        inProgress -= 1;
        node.status({ fill: "red", shape: "ring", text: shortError(error) });
        done(everyProblem(error));
      },
    );
  });
  node.on("close", () => node.status({}));
}

/**
 * The error for `done(err)`: an input error with several problems names each of them in its
 * message (a Catch node and the debug sidebar show them all at once), keeping its `problems`.
 */
export function everyProblem(error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  if (!(error instanceof InvalidInputError) || error.problems.length < 2) return error;
  const listed = new InvalidInputError(error.problems);
  Object.defineProperty(listed, "message", { value: error.problems.map((problem) => problem.message).join("; ") });
  return listed;
}

function doneStatus(doneText: string | undefined, notice: string | undefined): NodeStatus {
  if (notice) return { fill: "yellow", shape: "dot", text: doneText ? `${doneText} · ${notice}` : notice };
  return doneText ? { fill: "green", shape: "dot", text: doneText } : {};
}

export function shortError(error: unknown): string {
  if (error instanceof SigneringError) return error.code.length <= 40 ? error.code : error.code.slice(0, 40);
  return error instanceof Error ? error.message.slice(0, 40) : "error";
}

/** A file-name part from an identifier the service sent: only [A-Za-z0-9_-] survive, so no id ever makes a path. */
export function safeName(identifier: string): string {
  return (
    String(identifier)
      .replace(/[^A-Za-z0-9-]/g, "_")
      .slice(0, 64) || "_"
  );
}
