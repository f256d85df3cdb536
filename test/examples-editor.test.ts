import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { exampleOnTab, type NodeRedHost, startNodeRedHost } from "../src/cli/node-red-host";
import { artifactPath, launchBrowser } from "./support/browser";
import { deploy, importExample, invalidNodes, layoutProblems, openEditor } from "./support/editor";
import { repositoryRoot } from "./support/reference";

/**
 * A newcomer's first contact: every shipped example imported into a fresh editor through
 * Menu → Import → Examples, and the flow `npm start` deploys, show no red triangle, no nodes or
 * wires drawn over each other, and Deploy asks no "not properly configured … Are you sure?".
 */

const PACKAGE_NAME = (JSON.parse(readFileSync(path.join(repositoryRoot, "package.json"), "utf8")) as { name: string }).name;
const EXAMPLES = readdirSync(path.join(repositoryRoot, "examples"))
  .filter((file) => file.endsWith(".json"))
  .map((file) => file.replace(/\.json$/, ""));

describe("the examples in a fresh Node-RED editor (headless Chromium)", () => {
  const userDir = mkdtempSync(path.join(tmpdir(), "examples-editor-"));
  let host: NodeRedHost;
  let browser: Browser;
  let page: Page | undefined;

  /** Replaces the deployed flows, as a fresh start with only these would have them. */
  async function deployFlows(flows: Record<string, unknown>[]): Promise<void> {
    const response = await fetch(`${host.url}/flows`, {
      method: "POST",
      headers: { "content-type": "application/json", "node-red-deployment-type": "full" },
      body: JSON.stringify(flows),
    });
    assert.equal(response.status, 204, await response.text());
  }

  async function freshPage(): Promise<Page> {
    await page?.close();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await openEditor(page, host.url);
    return page;
  }

  before(async () => {
    host = await startNodeRedHost({ userDir, port: 0, flows: [{ id: "fresh", type: "tab", label: "Flow 1" }], logLevel: "error" });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await host?.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  assert.equal(EXAMPLES.length, 3, "the three shipped examples");
  for (const example of EXAMPLES) {
    it(`${example}: imported through the Import menu, no node is invalid and Deploy asks nothing`, { timeout: 150_000 }, async () => {
      await deployFlows([{ id: "fresh", type: "tab", label: "Flow 1" }]);
      const editor = await freshPage();
      await importExample(editor, PACKAGE_NAME, example);
      await editor.screenshot({ path: artifactPath(`editor-import-${example.slice(0, 2)}.png`) });
      assert.deepEqual(await layoutProblems(editor), [], "nodes and wires do not overlap");
      assert.deepEqual(await invalidNodes(editor), []);
      const outcome = await deploy(editor);
      assert.doesNotMatch(outcome.join("\n"), /not properly configured/);
      assert.match(outcome.join("\n"), /Successfully deployed/);
      // Running, the polling status nodes show their queue and next poll: those texts must fit too.
      await editor.waitForTimeout(2000);
      await editor.screenshot({ path: artifactPath(`editor-deployed-${example.slice(0, 2)}.png`) });
      assert.deepEqual(await layoutProblems(editor), [], "status texts run under no node");
    });
  }

  it("the flow npm start deploys: no node is invalid and Deploy asks nothing", { timeout: 150_000 }, async () => {
    await deployFlows(exampleOnTab("01 Direct signing on a web site.json", "example-1", "Direct signing (example 1)"));
    const editor = await freshPage();
    await editor.locator("g.red-ui-flow-node-group").first().waitFor();
    assert.deepEqual(await invalidNodes(editor), []);
    // A change, so that Deploy is offered (a newcomer moving a node has the same).
    await editor.evaluate(() => (window as unknown as { RED: { nodes: { dirty(dirty: boolean): void } } }).RED.nodes.dirty(true));
    const outcome = await deploy(editor);
    await editor.screenshot({ path: artifactPath("editor-npm-start-flow.png") });
    assert.doesNotMatch(outcome.join("\n"), /not properly configured/);
    assert.match(outcome.join("\n"), /Successfully deployed/);
  });

  it(
    "importing example 1 beside npm start's copy is not silent: the editor says its nodes already exist",
    { timeout: 60_000 },
    async () => {
      await deployFlows(exampleOnTab("01 Direct signing on a web site.json", "example-1", "Direct signing (example 1)"));
      const editor = await freshPage();
      await editor.click("#red-ui-header-button-sidemenu");
      await editor.click("#menu-item-import");
      await editor.getByRole("link", { name: "Examples" }).click();
      const examples = editor.locator("#red-ui-clipboard-dialog-import-tab-examples");
      await examples.getByText(PACKAGE_NAME, { exact: true }).click();
      await examples.getByText(EXAMPLES[0]!, { exact: true }).click();
      await editor.click("#red-ui-clipboard-dialog-ok");
      const warning = editor.locator(".red-ui-notification", { hasText: "already exist" });
      await warning.waitFor();
      await editor.screenshot({ path: artifactPath("editor-import-example-1-again.png") });
    },
  );
});
