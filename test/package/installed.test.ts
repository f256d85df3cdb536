import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { freePort } from "../../src/cli/node-red-host";
import { testDocumentsDir } from "../support/reference";
import {
  declaredNodeTypes,
  installedPackage,
  installInto,
  type NodeRedProcess,
  packedTarball,
  startNodeRed,
  PACKAGE_NAME,
} from "./support";

/**
 * The package as a user gets it: the tarball `npm pack` makes from a clean clone, installed with
 * `--omit=dev` into a bare user directory of the Node-RED under test (Node-RED 4 on Node.js 20,
 * and in CI Node-RED 5 on Node.js 22), its node types loaded, example 1 from the installed
 * package deployed under `httpNodeRoot: "/flows"` on a port other than 1880, and a document
 * signed through it with the built-in emulator.
 */

const run = promisify(execFile);
const HTTP_NODE_ROOT = "/flows";

interface NodeSet {
  module: string;
  types: string[];
  enabled: boolean;
  err?: string;
}

describe("the packed package, installed in a bare Node-RED user directory", () => {
  const workDir = mkdtempSync(path.join(tmpdir(), "installed-package-"));
  const userDir = path.join(workDir, "node-red");
  let origin: string;
  let nodeRed: NodeRedProcess | undefined;

  before(
    async () => {
      await installInto(userDir, await packedTarball());
      const port = await freePort();
      origin = `http://127.0.0.1:${port}`;
      const settingsFile = path.join(workDir, "settings.js");
      writeFileSync(
        settingsFile,
        `module.exports = ${JSON.stringify({
          uiHost: "127.0.0.1",
          uiPort: port,
          httpNodeRoot: HTTP_NODE_ROOT,
          flowFile: "flows.json",
          credentialSecret: false,
          telemetry: { enabled: false },
          logging: { console: { level: "info", metrics: false, audit: false } },
        })};\n`,
      );
      nodeRed = await startNodeRed({ userDir, settingsFile, cwd: workDir });
    },
    { timeout: 8 * 60_000 },
  );
  after(async () => {
    await nodeRed?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("holds the runtime dependencies only (no devDependency), and says what the install weighs", async (t) => {
    const manifest = JSON.parse(readFileSync(path.join(installedPackage(userDir), "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    // @types/node comes as xmllint-wasm's peer dependency, which npm installs (see the README's "Runtime dependencies").
    const xmllintPeers = JSON.parse(readFileSync(path.join(userDir, "node_modules", "xmllint-wasm", "package.json"), "utf8")) as {
      peerDependencies?: Record<string, string>;
    };
    const installed = Object.keys(manifest.devDependencies).filter(
      (name) => existsSync(path.join(userDir, "node_modules", name)) && !(name in (xmllintPeers.peerDependencies ?? {})),
    );
    assert.deepEqual(installed, [], "devDependencies in the user directory");
    assert.ok(existsSync(path.join(installedPackage(userDir), "dist", "nodes")), "the built nodes are in the tarball");
    const { stdout: du } = await run("du", ["-sk", path.join(userDir, "node_modules")]);
    const { stdout: packages } = await run("npm", ["ls", "--all", "--parseable", "--omit=dev"], { cwd: userDir });
    t.diagnostic(`install: ${Math.round(Number(du.split("\t")[0]) / 1024)} MB in ${packages.trim().split("\n").length - 1} packages`);
  });

  it("loads every node type the package declares, with its editor", async (t) => {
    t.diagnostic(`${/Node-RED version: (\S+)/.exec(nodeRed!.output())?.[1]} on Node.js ${process.version}`);
    const response = await fetch(`${origin}/nodes`, { headers: { accept: "application/json" } });
    assert.equal(response.status, 200);
    const sets = ((await response.json()) as NodeSet[]).filter((set) => set.module === PACKAGE_NAME);
    const declared = declaredNodeTypes(userDir);
    assert.equal(declared.length, 6);
    assert.deepEqual(sets.flatMap((set) => set.types).sort(), [...declared].sort());
    for (const set of sets) assert.ok(set.enabled && !set.err, `${set.types.join(", ")}: ${set.err ?? "disabled"}`);
    const editor = await (await fetch(`${origin}/nodes`, { headers: { accept: "text/html" } })).text();
    for (const type of declared) assert.ok(editor.includes(`data-template-name="${type}"`), `the editor template of ${type}`);
  });

  it(
    "deploys example 1 from the installed package under /flows and signs a document through the built-in emulator",
    { timeout: 120_000 },
    async () => {
      const example = path.join(installedPackage(userDir), "examples", "01 Direct signing on a web site.json");
      const nodes = JSON.parse(readFileSync(example, "utf8")) as Record<string, unknown>[];
      const flows = [
        { id: "example-1-tab", type: "tab", label: "Example 1" },
        ...nodes.map((node) => (node.type === "signering-config" ? node : { ...node, z: "example-1-tab" })),
      ];
      const deployed = await fetch(`${origin}/flows`, {
        method: "POST",
        headers: { "content-type": "application/json", "node-red-deployment-type": "full" },
        body: JSON.stringify(flows),
      });
      assert.equal(deployed.status, 204, await deployed.text());

      const formUrl = `${origin}${HTTP_NODE_ROOT}/signering`;
      const form = await waitForPage(formUrl);
      const action = /<form method="post" action="([^"]+)"/.exec(form)?.[1];
      assert.ok(action, form);
      const startUrl = new URL(action, formUrl);
      assert.equal(startUrl.pathname, `${HTTP_NODE_ROOT}/signering/start`);

      const upload = new FormData();
      upload.set("pin", "01019010046");
      upload.set(
        "document",
        new Blob([readFileSync(path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf"))], { type: "application/pdf" }),
        "contract.pdf",
      );
      const started = await fetch(startUrl, { method: "POST", body: upload, redirect: "manual" });
      assert.equal(started.status, 303, await started.text());
      const signerPage = started.headers.get("location")!;
      const cookie = started.headers
        .getSetCookie()
        .map((header) => header.split(";")[0])
        .join("; ");

      const page = await (await fetch(signerPage)).text();
      const signAction = /<form method="post" action="([^"]+\/sign)">/.exec(page)?.[1];
      assert.ok(signAction, `a Sign button on the built-in emulator's signer page: ${page.slice(0, 300)}`);
      const signed = await fetch(new URL(signAction, signerPage), { method: "POST", redirect: "manual" });
      const exitUrl = new URL(signed.headers.get("location") ?? "", signerPage);
      assert.equal(`${exitUrl.origin}${exitUrl.pathname}`, `${origin}${HTTP_NODE_ROOT}/signering/signed`);

      // The example answers in the visitor's language; English here.
      const result = await fetch(exitUrl, { headers: { cookie, "accept-language": "en" } });
      const text = await result.text();
      assert.equal(result.status, 200, text);
      assert.match(text, /the document is signed/);

      const stored = path.join(workDir, "signed-documents");
      const pdfs = readdirSync(stored).filter((file) => file.endsWith(".pdf"));
      assert.equal(pdfs.length, 1, `one signed PDF in ${stored}`);
      const { stdout } = await run("pdfsig", [path.join(stored, pdfs[0]!)]).catch((error: { stdout?: string }) => ({
        stdout: error.stdout ?? String(error),
      }));
      assert.match(stdout, /Signature Validation: Signature is Valid\./, stdout);
      assert.doesNotMatch(nodeRed!.output(), /\[error\]/, nodeRed!.output());
    },
  );
});

/** The page once the deployed flows serve it (a deploy restarts them). */
async function waitForPage(url: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(url).catch(() => undefined);
    if (response?.status === 200) return response.text();
    await sleep(200);
  }
  throw new Error(`${url} did not answer 200 within 20 s`);
}
