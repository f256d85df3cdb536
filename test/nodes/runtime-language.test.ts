import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type NodeRedHost, startNodeRedHost } from "../../src/cli/node-red-host";
import { testDocumentsDir } from "../support/reference";
import { nextInputs, runtimeNode, statusStartingWith } from "../support/runtime-nodes";

/**
 * Status texts and the nodes' own errors come from the message catalogues in the runtime's
 * language: a real Node-RED (the package installed in its user directory) with `lang: "nb-NO"`.
 */

const pdf = readFileSync(path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf"));
const userDir = mkdtempSync(path.join(tmpdir(), "runtime-language-"));
let host: NodeRedHost;
const node = (id: string) => runtimeNode(host.red, id);
const next = (id: string, count = 1) => nextInputs(host.red, id, count);

before(async () => {
  host = await startNodeRedHost({
    userDir,
    port: 0,
    logLevel: "error",
    settings: { lang: "nb-NO" },
    flows: [
      { id: "tab", type: "tab", label: "språk" },
      { id: "config", type: "signering-config", environment: "emulator" },
      {
        id: "create",
        type: "signering-create",
        z: "tab",
        config: "config",
        flow: "portal",
        title: "Avtale",
        titleType: "str",
        signers: "signers",
        signersType: "msg",
        wires: [[]],
      },
      { id: "orphan", type: "signering-create", z: "tab", config: "", flow: "portal", title: "Avtale", titleType: "str", wires: [[]] },
      { id: "statuses", type: "status", z: "tab", scope: ["create"], wires: [["status-sink"]] },
      { id: "status-sink", type: "junction", z: "tab", wires: [] },
      { id: "catcher", type: "catch", z: "tab", scope: ["orphan"], uncaught: false, wires: [["error-sink"]] },
      { id: "error-sink", type: "junction", z: "tab", wires: [] },
      { id: "poller", type: "signering-status", z: "tab", config: "config", mode: "poll", flow: "portal", wires: [[], [], []] },
      { id: "poller-statuses", type: "status", z: "tab", scope: ["poller"], wires: [["poller-status-sink"]] },
      { id: "poller-status-sink", type: "junction", z: "tab", wires: [] },
    ],
  });
});
after(async () => {
  await host?.stop();
  rmSync(userDir, { recursive: true, force: true });
});

describe("a Node-RED runtime in Norwegian Bokmål", () => {
  it("shows the create node's status texts from the nb-NO catalogue", async () => {
    const statuses = next("status-sink", 2);
    node("create").receive({
      payload: pdf,
      signers: [{ personalIdentificationNumber: "01019010046", notifications: { email: "kari@example.com" } }],
    });
    const [busy, done] = (await statuses).map((msg) => (msg.status as { text: string }).text);
    assert.equal(busy, "oppretter oppdrag");
    assert.match(done!, /^oppdrag \d+$/);
  });

  it("gives a node without configuration the shared nb-NO error, not a raw key", async () => {
    const caught = next("error-sink");
    node("orphan").receive({ payload: pdf });
    const [msg] = await caught;
    assert.match((msg!.error as { message: string }).message, /config: velg en Posten signering-konfigurasjon i noden$/);
  });

  it("shows the polling status node's next poll time as Norwegian clocks show it (24 hours)", async () => {
    const nextPoll = await statusStartingWith(host.red, "poller-status-sink", "neste henting ");
    // en-US would show "neste henting 02:05 PM".
    assert.match(nextPoll, /^neste henting ([01]\d|2[0-3])[:.][0-5]\d$/, "hours 00–23, no AM/PM");
  });
});
