import path from "node:path";
import helper from "node-red-node-test-helper";

/** node-red-node-test-helper on the Node-RED under test: NODE_RED_PATH in CI's Node-RED 5 run, else the installed one. */
const nodeRed = require.resolve(process.env.NODE_RED_PATH ?? "node-red");
helper.init(nodeRed);

export { helper };

export const nodeTypes = ["signering-config", "signering-create", "signering-status", "signering-download", "signering-confirm", "signering-job"] as const;

const catchNode = require(require.resolve("@node-red/nodes/core/common/25-catch.js", { paths: [path.dirname(nodeRed)] })) as (RED: unknown) => void;

/** The compiled node modules, as Node-RED loads them, and the core Catch node the tests use. */
export const nodeModules = [...nodeTypes.map((type) => require(`../../nodes/${type}`) as (RED: unknown) => void), catchNode];

export type Msg = Record<string, unknown>;

/** The next message a node receives (a helper node: what the node before it sent). */
export function nextMessage(nodeId: string, timeoutMs = 15_000): Promise<Msg> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no message from ${nodeId} within ${timeoutMs} ms`)), timeoutMs);
    helper.getNode(nodeId).once("input", (msg: Msg) => {
      clearTimeout(timer);
      resolve(msg);
    });
  });
}

/** The cookies a browser would bring back from the create msg's http response. */
export function browserCookies(msg: Msg): Record<string, string> {
  return Object.fromEntries(Object.entries((msg.cookies ?? {}) as Record<string, { value: string }>).map(([name, cookie]) => [name, cookie.value]));
}
