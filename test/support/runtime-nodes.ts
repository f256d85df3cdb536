import type { EventEmitter } from "node:events";

/** The msgs a node of a running Node-RED receives, seen from outside its flow (a junction or status node's input). */

type RuntimeNode = EventEmitter & { receive(msg: Record<string, unknown>): void };
export type Msg = Record<string, unknown>;

/** Node-RED's runtime API as a `NodeRedHost` holds it: its deployed nodes by id. */
export function runtimeNode(red: unknown, id: string): RuntimeNode {
  return (red as { nodes: { getNode(id: string): RuntimeNode } }).nodes.getNode(id);
}

/** The msgs node `id` receives until `enough` says so; rejects after `timeoutMs` with what came. */
export function inputsUntil(red: unknown, id: string, enough: (seen: Msg[]) => boolean, timeoutMs = 15_000): Promise<Msg[]> {
  return new Promise((resolve, reject) => {
    const seen: Msg[] = [];
    const node = runtimeNode(red, id);
    const listener = (msg: Msg) => {
      seen.push(msg);
      if (!enough(seen)) return;
      clearTimeout(timer);
      node.off("input", listener);
      resolve(seen);
    };
    const timer = setTimeout(() => {
      node.off("input", listener);
      reject(new Error(`${id}: not enough within ${timeoutMs} ms, received ${JSON.stringify(seen.map(statusText))}`));
    }, timeoutMs);
    node.on("input", listener);
  });
}

/** The next `count` msgs node `id` receives. */
export function nextInputs(red: unknown, id: string, count = 1): Promise<Msg[]> {
  return inputsUntil(red, id, (seen) => seen.length === count);
}

/** The text of a status node's msg (undefined for other msgs). */
export function statusText(msg: Msg): string | undefined {
  const status = msg.status as { text?: unknown } | undefined;
  return typeof status?.text === "string" ? status.text : undefined;
}

/** The first status text starting with `prefix` that a status node's sink `id` receives. */
export async function statusStartingWith(red: unknown, id: string, prefix: string): Promise<string> {
  const matches = (msg: Msg) => statusText(msg)?.startsWith(prefix) === true;
  const seen = await inputsUntil(red, id, (msgs) => msgs.some(matches));
  return statusText(seen.find(matches)!)!;
}
