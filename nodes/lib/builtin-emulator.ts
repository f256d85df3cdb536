import os from "node:os";
import path from "node:path";
import { type RunningEmulator, startEmulator } from "../../src/emulator";

/**
 * The emulator behind the "Built-in emulator" environment: one per Node-RED process, started by
 * the first config node that needs it and kept across redeploys, so the signing links it handed
 * out keep working. Its state lives in the Node-RED user directory.
 */
let running: Promise<RunningEmulator> | undefined;

export function builtInEmulator(userDir: string | undefined, onStart?: (emulator: RunningEmulator) => void): Promise<RunningEmulator> {
  running ??= startEmulator({
    dataDir: path.join(userDir ?? path.join(os.tmpdir(), `node-red-${process.pid}`), "posten-signering-emulator"),
    emptyQueueWaitSeconds: 2,
  }).then((emulator) => {
    emulator.unref();
    onStart?.(emulator);
    return emulator;
  });
  running.catch(() => (running = undefined));
  return running;
}
