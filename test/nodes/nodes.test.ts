import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { builtInEmulator } from "../../nodes/signering-config/builtin-emulator";
import type { RunningEmulator } from "../../src/emulator";
import { NATIONAL_IDS } from "../support/jobs";
import { testDocumentsDir } from "../support/reference";
import { browserCookies, helper, type Msg, nextMessage, nodeModules } from "./helper";

const pdf = readFileSync(path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf"));
const TAB = "tab";
let emulator: RunningEmulator;

const config = { id: "config", type: "signering-config", environment: "emulator", z: "" };
const tab = { id: TAB, type: "tab", label: "test" };

before(async () => {
  await helper.startServer();
  emulator = await builtInEmulator(undefined);
});
afterEach(async () => {
  await helper.unload();
});
after(async () => {
  await helper.stopServer();
  await emulator.close();
});

describe("direct signing in a real Node-RED runtime against the built-in emulator", () => {
  const flow = [
    tab,
    config,
    {
      id: "create",
      type: "signering-create",
      z: TAB,
      config: "config",
      flow: "direct",
      title: "Employment contract",
      titleType: "str",
      documentTitle: "Contract",
      documentTitleType: "str",
      signers: "signers",
      signersType: "msg",
      completionUrl: "http://127.0.0.1:1880/signed",
      completionUrlType: "str",
      rejectionUrl: "http://127.0.0.1:1880/rejected",
      rejectionUrlType: "str",
      errorUrl: "http://127.0.0.1:1880/error",
      errorUrlType: "str",
      wires: [["created"]],
    },
    { id: "created", type: "helper", z: TAB },
    { id: "status", type: "signering-status", z: TAB, config: "config", mode: "token", wires: [["download"], ["failed"], ["progress"]] },
    { id: "download", type: "signering-download", z: TAB, config: "config", pades: true, xades: true, wires: [["confirm"]] },
    { id: "confirm", type: "signering-confirm", z: TAB, config: "config", wires: [["confirmed"]] },
    { id: "confirmed", type: "helper", z: TAB },
    { id: "failed", type: "helper", z: TAB },
    { id: "progress", type: "helper", z: TAB },
    { id: "catcher", type: "catch", z: TAB, scope: null, uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper", z: TAB },
  ];

  it("creates the job, reads the status at the exit URL without a function node, downloads and confirms", async () => {
    await helper.load(nodeModules, flow);
    const created = nextMessage("created");
    helper.getNode("create").receive({ payload: pdf, signers: [{ personalIdentificationNumber: NATIONAL_IDS[0] }] });
    const createdMsg = await created;
    const response = createdMsg.payload as { jobId: string; signers: { redirectUrl: string }[] };
    assert.match(response.signers[0]!.redirectUrl, /\/redirect\//);

    const action = emulator.control.sign(Number(response.jobId), 1);
    const exit = new URL(action.redirectUrl!);
    assert.equal(exit.pathname, "/signed");
    assert.ok(exit.searchParams.get("signering_job"), "the exit URL carries the correlation");

    const confirmed = nextMessage("confirmed");
    // What an http-in node at the exit URL would pass on.
    helper
      .getNode("status")
      .receive({ req: { query: Object.fromEntries(exit.searchParams), cookies: browserCookies(createdMsg) }, payload: {} });
    const done = await confirmed;
    assert.equal((done.filename as string).endsWith(".pdf"), true);
    assert.equal((done.payload as Buffer).subarray(0, 5).toString(), "%PDF-");
    const documents = done.documents as { kind: string }[];
    assert.deepEqual(
      documents.map((document) => document.kind),
      ["pades", "xades"],
    );
    assert.equal((done.signering as { status: string }).status, "COMPLETED_SUCCESSFULLY");
    assert.ok(!JSON.stringify(done.signering).includes(emulator.clientKeystorePassword), "no secret in the msg");
  });

  it("takes exit URLs from msg.job and still tags them for the status node", async () => {
    await helper.load(nodeModules, flow);
    const created = nextMessage("created");
    const exitUrls = {
      completion: "https://shop.example/ok?order=7",
      rejection: "https://shop.example/no",
      error: "https://shop.example/err",
    };
    helper.getNode("create").receive({ payload: pdf, signers: [{ customIdentifier: "c-9" }], job: { exitUrls } });
    const response = (await created).payload as { jobId: string };
    const exit = new URL(emulator.control.sign(Number(response.jobId), 1).redirectUrl!);
    assert.equal(exit.origin + exit.pathname, "https://shop.example/ok");
    assert.equal(exit.searchParams.get("order"), "7", "the sender's own parameters are kept");
    assert.ok(exit.searchParams.get("signering_job"));
  });

  it("a rejection goes to the failed output", async () => {
    await helper.load(nodeModules, flow);
    const created = nextMessage("created");
    helper.getNode("create").receive({ payload: pdf, signers: [{ customIdentifier: "c-1" }] });
    const createdMsg = await created;
    const response = createdMsg.payload as { jobId: string };
    const exit = new URL(emulator.control.reject(Number(response.jobId), 1).redirectUrl!);
    const failed = nextMessage("failed");
    helper.getNode("status").receive({ req: { query: Object.fromEntries(exit.searchParams), cookies: browserCookies(createdMsg) } });
    assert.equal(((await failed).payload as { status: string }).status, "FAILED");
  });

  const badInputs: [string, Msg, RegExp][] = [
    ["no PDF", { payload: "not a buffer", signers: [{ customIdentifier: "a" }] }, /msg\.payload: signering-create\.errors\.payload/],
    [
      "a bad national identity number",
      { payload: pdf, signers: [{ personalIdentificationNumber: "01019010047" }] },
      /signers\[0\]\.personalIdentificationNumber: 010190\*{5} has wrong check digits/,
    ],
    ["no signers", { payload: pdf }, /signers: signering-create\.errors\.signers/],
    [
      "a title over the limit",
      { payload: pdf, signers: [{ customIdentifier: "a" }], job: { title: "x".repeat(81) } },
      /title: must be at most 80 characters, was 81/,
    ],
    [
      "a document that is not a PDF",
      { payload: Buffer.from("hello"), signers: [{ customIdentifier: "a" }] },
      /documents\[0\]\.content: must be a PDF/,
    ],
  ];
  for (const [label, msg, message] of badInputs) {
    it(`bad input reaches a Catch node with the original msg: ${label}`, async () => {
      await helper.load(nodeModules, flow);
      const caught = nextMessage("caught");
      helper.getNode("create").receive({ ...msg, marker: label });
      const error = await caught;
      assert.equal(error.marker, label, "the original msg");
      assert.match((error.error as { message: string }).message, message);
      assert.equal((error.error as { source: { id: string } }).source.id, "create");
    });
  }

  it("a status request without a token reaches the Catch node", async () => {
    await helper.load(nodeModules, flow);
    const caught = nextMessage("caught");
    helper.getNode("status").receive({ req: { query: {} }, marker: "no token" });
    const error = await caught;
    assert.equal(error.marker, "no token");
    assert.match((error.error as { message: string }).message, /status_query_token/);
  });
});

describe("portal signing with a polling status node", () => {
  const flow = (queue: string) => [
    tab,
    config,
    {
      id: "create",
      type: "signering-create",
      z: TAB,
      config: "config",
      flow: "portal",
      title: "Board resolution",
      titleType: "str",
      documentTitle: "Resolution",
      documentTitleType: "str",
      signers: "signers",
      signersType: "msg",
      pollingQueue: queue,
      wires: [["created"]],
    },
    { id: "created", type: "helper", z: TAB },
    {
      id: "poller",
      type: "signering-status",
      z: TAB,
      config: "config",
      mode: "poll",
      flow: "portal",
      pollingQueue: queue,
      wires: [["completed"], ["failed"], ["progress"]],
    },
    { id: "completed", type: "helper", z: TAB },
    { id: "failed", type: "helper", z: TAB },
    { id: "progress", type: "helper", z: TAB },
    { id: "canceller", type: "signering-job", z: TAB, config: "config", action: "cancel", wires: [["cancelled"]] },
    { id: "cancelled", type: "helper", z: TAB },
  ];

  it("emits each change once, keeps polling across a redeploy without duplicates, and cancels on demand", async () => {
    await helper.load(nodeModules, flow("nodes-portal"));
    const created = nextMessage("created");
    helper.getNode("create").receive({
      payload: pdf,
      signers: [{ personalIdentificationNumber: NATIONAL_IDS[0], notifications: { email: "kari@example.com" } }],
    });
    const job = (await created).payload as { jobId: string };
    emulator.control.sign(Number(job.jobId), 1);
    const completed = await nextMessage("completed");
    assert.equal((completed.payload as { jobId: string }).jobId, job.jobId);

    // Redeploy the changed nodes while polling; the unconfirmed change must not come twice.
    const emitted: Msg[] = [];
    await helper.setFlows(flow("nodes-portal"), "nodes");
    helper.getNode("completed").on("input", (msg: Msg) => emitted.push(msg));
    const second = nextMessage("created");
    helper
      .getNode("create")
      .receive({ payload: pdf, signers: [{ personalIdentificationNumber: NATIONAL_IDS[1], notifications: { sms: "+4791234567" } }] });
    const secondMsg = await second;
    const secondJob = secondMsg.payload as { jobId: string; cancellationUrl: string };
    const cancelled = nextMessage("cancelled");
    helper.getNode("canceller").receive({ signering: secondMsg.signering });
    await cancelled;
    const failed = await nextMessage("failed");
    assert.equal((failed.payload as { jobId: string }).jobId, secondJob.jobId);
    assert.equal(emitted.length, 0, "the first job's change was not emitted again within the redelivery time");
  });
});

describe("the Flow Library scorecard", () => {
  interface Manifest {
    name: string;
    license: string;
    keywords: string[];
    repository: { url: string };
    bugs: { url: string };
    engines: { node: string };
    "node-red": { version: string; nodes: Record<string, string> };
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  }
  const manifest = JSON.parse(readFileSync(path.join(__dirname, "..", "..", "..", "package.json"), "utf8")) as Manifest;
  it("has a licence, repository and bugs URLs, a scoped name and the node-red keyword", () => {
    assert.ok(manifest.license);
    assert.match(manifest.repository.url, /^git\+https:\/\//);
    assert.match(manifest.bugs.url, /^https:\/\//);
    assert.match(manifest.name, /^@[\w-]+\/node-red-/);
    assert.ok(manifest.keywords.includes("node-red"));
  });
  it("declares Node-RED and Node.js versions that fit together", () => {
    assert.equal(manifest["node-red"].version, ">=4.0.0");
    assert.match(manifest.engines.node, /^>=20/);
  });
  it("lists every node, each with its editor file", () => {
    const nodes = manifest["node-red"].nodes;
    assert.deepEqual(Object.keys(nodes).sort(), [
      "signering-config",
      "signering-confirm",
      "signering-create",
      "signering-download",
      "signering-job",
      "signering-status",
    ]);
    for (const [type, file] of Object.entries(nodes)) {
      const html = readFileSync(path.join(__dirname, "..", "..", "..", file.replace(/\.js$/, ".html")), "utf8");
      assert.match(html, new RegExp(`RED\\.nodes\\.registerType\\('${type}'`), `${type} registers inline`);
    }
  });
  it("keeps runtime dependencies at current majors, node-red only as a dev dependency", () => {
    assert.equal(manifest.dependencies["node-red"], undefined);
    assert.ok(manifest.devDependencies["node-red"]);
    assert.ok(Object.keys(manifest.dependencies).length <= 7, "the README explains each dependency beyond six");
  });
});
