import path from "node:path";
import helper from "node-red-node-test-helper";

/** node-red-node-test-helper on the Node-RED under test: NODE_RED_PATH in CI's Node-RED 5 run, else the installed one. */
const nodeRed = require.resolve(process.env.NODE_RED_PATH ?? "node-red");
helper.init(nodeRed);

export { helper };

export const nodeTypes = [
  "signering-config",
  "signering-create",
  "signering-status",
  "signering-download",
  "signering-confirm",
  "signering-job",
] as const;

const catchNode = require(require.resolve("@node-red/nodes/core/common/25-catch.js", { paths: [path.dirname(nodeRed)] })) as (
  RED: unknown,
) => void;

/** The compiled node modules, as Node-RED loads them, and the core Catch node the tests use. */
export const nodeModules = [...nodeTypes.map((type) => require(`../../nodes/${type}/${type}`) as (RED: unknown) => void), catchNode];

/** The next msg a node receives (a helper node behind the node under test, or a sink). */
export function nextMessage(nodeId: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    // Unref'd: a wait that lost a race must not hold the test process open.
    const timer = setTimeout(() => reject(new Error(`no message from ${nodeId} within ${timeoutMs} ms`)), timeoutMs).unref();
    helper.getNode(nodeId).once("input", (msg: Record<string, unknown>) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

export type Msg = Record<string, unknown>;

/** The cookies a browser would bring back from the create msg's http response. */
export function browserCookies(msg: Msg): Record<string, string> {
  return Object.fromEntries(
    Object.entries((msg.cookies ?? {}) as Record<string, { value: string }>).map(([name, cookie]) => [name, cookie.value]),
  );
}
