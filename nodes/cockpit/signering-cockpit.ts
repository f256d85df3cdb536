import type { NodeAPI } from "node-red";
import { registerRoutes } from "./routes";

/**
 * The cockpit, a Node-RED editor plugin: a sidebar tab "Posten signering" (signering-cockpit.html)
 * with the jobs each configuration node's journal holds and the health of the polling status
 * nodes. This runtime part adds its admin endpoints; the journals belong to the configuration
 * nodes (`openJournal`), which publish each change to the editor over `RED.comms`.
 */
export = function register(RED: NodeAPI): void {
  RED.plugins.registerPlugin("signering-cockpit", {
    type: "signering-cockpit",
    onadd: () => registerRoutes(RED),
  });
};
