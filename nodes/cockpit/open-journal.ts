import type { Node, NodeAPI } from "node-red";
import { contextJournalStore, storeChoiceOf, type NodeContext } from "./context-store";
import { PACKAGE_NAME } from "../common/node-red";
import { Journal, type JournalEvent } from "./journal";

/** The `RED.comms` topic of a configuration node's journal: the editor subscribes to `signering-cockpit/+`. */
export const commsTopicOf = (configId: string): string => `signering-cockpit/${configId}`;

/**
 * The journal of a configuration node, in its own context, in the store the settings choose.
 * `undefined` (and an error in the log naming the setting) when the cockpit's settings are wrong.
 */
export function openJournal(RED: NodeAPI, node: Node): Journal | undefined {
  let choice;
  try {
    choice = storeChoiceOf(RED.settings as unknown as Record<string, unknown>);
  } catch (error) {
    node.error((error as Error).message);
    return undefined;
  }
  const topic = commsTopicOf(node.id);
  return new Journal({
    store: contextJournalStore(node.context() as unknown as NodeContext, choice.name),
    retention: choice.retention,
    publish: (event: JournalEvent) => RED.comms.publish(topic, event, false),
    // The plugin's catalogue: the configuration node's own has no cockpit texts.
    warn: (message) => node.warn(RED._(`${PACKAGE_NAME}/signering-cockpit:cockpit.journalFailed`, { reason: message })),
  });
}
