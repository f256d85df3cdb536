import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type NodeRedHost, startNodeRedHost } from "../../src/cli/node-red-host";
import { statusStartingWith } from "../support/runtime-nodes";

/**
 * The polling status node's "next poll" time in the runtime's language, here `lang: "en-US"`
 * (runtime-language.test.ts has the nb-NO runtime): an English clock, not a Norwegian one.
 */

const userDir = mkdtempSync(path.join(tmpdir(), "runtime-english-"));
let host: NodeRedHost;

before(async () => {
  host = await startNodeRedHost({
    userDir,
    port: 0,
    logLevel: "error",
    settings: { lang: "en-US" },
    flows: [
      { id: "tab", type: "tab", label: "English" },
      { id: "config", type: "signering-config", environment: "emulator" },
      { id: "poller", type: "signering-status", z: "tab", config: "config", mode: "poll", flow: "portal", wires: [[], [], []] },
      { id: "poller-statuses", type: "status", z: "tab", scope: ["poller"], wires: [["status-sink"]] },
      { id: "status-sink", type: "junction", z: "tab", wires: [] },
    ],
  });
});
after(async () => {
  await host?.stop();
  rmSync(userDir, { recursive: true, force: true });
});

describe("a Node-RED runtime in English (en-US)", () => {
  it("shows the polling status node's next poll time as an English clock (12 hours, AM/PM)", async () => {
    const nextPoll = await statusStartingWith(host.red, "status-sink", "next poll ");
    // nb-NO would show "next poll 14:05": hours 00–23 and no day period.
    assert.match(nextPoll, /^next poll (0\d|1[0-2]):[0-5]\d\s(AM|PM)$/u);
  });
});
