/** The parts of node-red-node-test-helper (which ships no types) that the tests use. */
declare module "node-red-node-test-helper" {
  import type { EventEmitter } from "node:events";

  interface TestNode extends EventEmitter {
    id: string;
    receive(msg: Record<string, unknown>): void;
    status: unknown;
  }

  interface Helper {
    init(nodeRedPath: string, settings?: Record<string, unknown>): void;
    startServer(): Promise<void>;
    stopServer(): Promise<void>;
    load(nodes: unknown, flow: Record<string, unknown>[], credentials?: Record<string, Record<string, string>>): Promise<void>;
    setFlows(
      flow: Record<string, unknown>[],
      type: "full" | "nodes" | "flows",
      credentials?: Record<string, Record<string, string>>,
    ): Promise<void>;
    unload(): Promise<void>;
    getNode(id: string): TestNode;
    settings(settings: Record<string, unknown>): void;
  }

  const helper: Helper;
  export default helper;
}
