import os from "node:os";
import path from "node:path";
import type { RunningEmulator } from "../../src/emulator";

/**
 * The emulator behind the "Built-in emulator" environment: one per Node-RED process, started by
 * the first config node that needs it and kept across redeploys, so the signing links it handed
 * out keep working. Its state lives in the Node-RED user directory. The emulator (pdf-lib,
 * xmllint-wasm) is imported here, on first use, so a Node-RED that talks to the real service
 * never loads it.
 */
let running: Promise<RunningEmulator> | undefined;

export function builtInEmulator(userDir: string | undefined, onStart?: (emulator: RunningEmulator) => void): Promise<RunningEmulator> {
  running ??= import("../../src/emulator/index.js")
    .then(({ startEmulator }) =>
      startEmulator({
        dataDir: path.join(userDir ?? path.join(os.tmpdir(), `node-red-${process.pid}`), "posten-signering-emulator"),
        emptyQueueWaitSeconds: 2,
      }),
    )
    .then((emulator) => {
      emulator.unref();
      onStart?.(emulator);
      return emulator;
    });
  running.catch(() => (running = undefined));
  return running;
}
