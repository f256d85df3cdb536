import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import type { NodeDef } from "node-red";
import { builtInEmulator } from "../../nodes/signering-config/builtin-emulator";
import { definition as configDefinition } from "../../nodes/signering-config/definition";
import { definition as createDefinition } from "../../nodes/signering-create/definition";
import { definition as downloadDefinition } from "../../nodes/signering-download/definition";
import { definition as jobDefinition } from "../../nodes/signering-job/definition";
import { migrate, MigrationError } from "../../nodes/common/migrations";
import { PACKAGE_NAME } from "../../nodes/common/node-red";
import type { RunningEmulator } from "../../src/emulator";
import { testDocumentsDir } from "../support/reference";
import { helper, nextMessage, nodeModules, nodeTypes } from "./helper";

/** Node-RED conventions (issue 11): migrations, message catalogues, lazy emulator, typed registration. */

const pdf = readFileSync(path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf"));
const distNodes = path.join(__dirname, "..", "..", "nodes");
const repositoryRoot = path.join(__dirname, "..", "..", "..");
/** A saved node configuration as a flow file holds it. */
type Loose = NodeDef & Record<string, unknown>;

describe("node configuration migrations", () => {
  const saved = {
    id: "c1",
    type: "signering-config",
    name: "Prod",
    environment: "production",
    customUrl: "",
    sender: "123456785",
    keystoreSource: "file",
    keystoreFile: "/run/secrets/p12",
    keystoreEnv: "",
    passwordEnv: "",
    ca: "",
    pollingQueue: "q",
    callsPerSecond: "5",
    checkPinChecksum: false,
    serverOrgCheck: true,
    connectTimeout: "2000",
    responseTimeout: "",
    downloadTimeout: "",
    maxDownloadMegabytes: "50",
    debug: true,
    dumpBundles: "",
    version: 1,
  };

  it("keeps every field of a configuration saved at the current version", () => {
    assert.deepEqual(migrate(configDefinition, saved), saved);
  });

  it("gives a configuration from before versions (missing fields) the defaults, keeping what it has", () => {
    const old = migrate<Loose>(configDefinition, { id: "c2", type: "signering-config", name: "", z: "", environment: "test" } as never);
    assert.equal(old.version, configDefinition.version);
    assert.equal(old.environment, "test", "a saved value wins");
    assert.equal(old.callsPerSecond, "8");
    assert.equal(old.keystoreSource, "upload");
    assert.equal(old.serverOrgCheck, true);
    assert.equal(old.maxDownloadMegabytes, "200");
    const create = migrate<Loose>(createDefinition, { id: "n", type: "signering-create", name: "", z: "" } as never);
    assert.equal(create.flow, "direct");
    assert.equal(create.signersType, "msg");
    assert.equal(create.titleType, "str");
    assert.equal(migrate<Loose>(downloadDefinition, { id: "d", type: "signering-download", name: "", z: "" } as never).pades, true);
  });

  it("renames fields on the way to a version whose step says so, and only for older saves", () => {
    const renaming = { ...jobDefinition, version: 2, migrations: [{ version: 2, rename: { operation: "action" } }] };
    assert.equal(migrate<Loose>(renaming, { id: "j", type: "signering-job", operation: "delete", version: 1 }).action, "delete");
    assert.equal(migrate<Loose>(renaming, { id: "j", type: "signering-job", operation: "delete", version: 1 }).operation, undefined);
    assert.equal(migrate<Loose>(renaming, { id: "j", type: "signering-job", action: "redirect", version: 2 }).action, "redirect");
  });

  it("refuses a configuration saved by a newer version of the package", () => {
    assert.throws(
      () => migrate(jobDefinition, { id: "j", type: "signering-job", name: "", z: "", version: 2 } as never),
      (error: unknown) => error instanceof MigrationError && error.reason === "newerVersion",
    );
  });
});

describe("the nodes in a Node-RED runtime (test helper: RED._ returns keys)", () => {
  let emulator: RunningEmulator;
  before(async () => {
    await helper.startServer();
    emulator = await builtInEmulator(undefined);
  });
  afterEach(async () => helper.unload());
  after(async () => {
    await helper.stopServer();
    await emulator.close();
  });

  it("runs a flow saved before any field had a default: a bare config node and a bare create node", async () => {
    const flow = [
      { id: "tab", type: "tab", label: "old" },
      { id: "config", type: "signering-config" },
      { id: "create", type: "signering-create", z: "tab", config: "config", flow: "portal", title: "Old flow", wires: [["out"]] },
      { id: "out", type: "helper", z: "tab" },
    ];
    await helper.load(nodeModules, flow);
    const out = nextMessage("out");
    helper
      .getNode("create")
      .receive({ payload: pdf, signers: [{ personalIdentificationNumber: "01019010046", notifications: { email: "a@example.com" } }] });
    const msg = await out;
    assert.match((msg.payload as { jobId: string }).jobId, /^\d+$/, "the emulator default and msg.signers default applied");
  });

  it("every node without a configuration shows the shared catalogue's status", async () => {
    const flow = [
      { id: "tab", type: "tab", label: "t" },
      ...nodeTypes.filter((type) => type !== "signering-config").map((type) => ({ id: `n-${type}`, type, z: "tab", config: "" })),
    ];
    await helper.load(nodeModules, flow);
    for (const type of nodeTypes.filter((t) => t !== "signering-config")) {
      const status = helper.getNode(`n-${type}`).status as unknown as { firstCall: { args: unknown[] } };
      assert.deepEqual(
        status.firstCall.args[0],
        { fill: "red", shape: "ring", text: `${PACKAGE_NAME}/signering-config:signering-config.shared.status.noConfig` },
        type,
      );
    }
  });

  it("the package name the catalogue namespaces use is the package's", () => {
    assert.equal(PACKAGE_NAME, (JSON.parse(readFileSync(path.join(repositoryRoot, "package.json"), "utf8")) as { name: string }).name);
  });
});

describe("message catalogues", () => {
  const flatten = (tree: unknown, prefix = ""): string[] =>
    tree && typeof tree === "object"
      ? Object.entries(tree as Record<string, unknown>).flatMap(([key, value]) => flatten(value, prefix ? `${prefix}.${key}` : key))
      : [prefix];
  const sourceDirs = ["common", ...nodeTypes].map((folder) => path.join(repositoryRoot, "nodes", folder));
  const sources = sourceDirs.flatMap((dir) =>
    readdirSync(dir)
      .filter((file) => file.endsWith(".ts"))
      .map((file) => readFileSync(path.join(dir, file), "utf8")),
  );
  for (const type of nodeTypes) {
    it(`${type}: en-US and nb-NO have the same keys, and every key the runtime uses exists`, () => {
      const read = (lang: string) =>
        JSON.parse(readFileSync(path.join(distNodes, type, "locales", lang, `${type}.json`), "utf8")) as unknown;
      const en = flatten(read("en-US")).sort();
      assert.deepEqual(flatten(read("nb-NO")).sort(), en);
      const used = sources.flatMap((source) =>
        [...source.matchAll(/(?:RED\._|\bt)\("(signering-[\w-]+\.[\w.-]+)"/g)].map(([, key]) => key!),
      );
      const shared = sources.flatMap((source) =>
        [...source.matchAll(/sharedText\(RED, "([\w.]+)"/g)].map(([, key]) => `signering-config.shared.${key!}`),
      );
      for (const key of [...used, ...(type === "signering-config" ? shared : [])].filter((key) => key.startsWith(`${type}.`)))
        assert.ok(en.includes(key), `${key} is in the catalogue`);
    });
  }
});

describe("start-up cost", () => {
  it("requiring the six node files loads neither the emulator nor pdf-lib nor xmllint-wasm", () => {
    const script = `for (const t of ${JSON.stringify(nodeTypes)}) require(${JSON.stringify(distNodes)} + "/" + t + "/" + t + ".js");
      console.log(JSON.stringify(Object.keys(require.cache)))`;
    const loaded = JSON.parse(execFileSync(process.execPath, ["-e", script]).toString()) as string[];
    assert.ok(
      loaded.some((file) => file.includes(`${path.sep}core${path.sep}`)),
      "the core is loaded",
    );
    assert.deepEqual(
      loaded.filter((file) => /[\\/](emulator|pdf-lib|xmllint-wasm)[\\/]/.test(file)),
      [],
    );
  });
});
