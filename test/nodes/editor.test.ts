import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { builtInEmulator } from "../../nodes/signering-config/builtin-emulator";
import { type NodeRedHost, startNodeRedHost } from "../../src/cli/node-red-host";
import { artifactPath, launchBrowser } from "../support/browser";
import { addFromPalette, openConfigDialogFromCreateNode } from "../support/editor";
import { repositoryRoot } from "../support/reference";

const userDir = mkdtempSync(path.join(tmpdir(), "editor-test-"));
let host: NodeRedHost;
let browser: Browser;
let page: Page;

before(async () => {
  host = await startNodeRedHost({
    userDir,
    port: 0,
    flows: [
      { id: "tab", type: "tab", label: "Editor test" },
      {
        id: "emulator-config",
        type: "signering-config",
        name: "Emulator",
        environment: "emulator",
        callsPerSecond: "8",
        checkPinChecksum: true,
        serverOrgCheck: true,
      },
    ],
    logLevel: "error",
    // An administrator's choice: the dialog must not offer keystore file paths.
    settings: { signeringConfigDisableLocalFiles: true },
  });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(host.url);
  await page.locator('.red-ui-palette-node[data-palette-type="signering-create"]').waitFor({ timeout: 30_000 });
});
after(async () => {
  await browser?.close();
  await host?.stop();
  rmSync(userDir, { recursive: true, force: true });
});

/** The parts of the editor's `RED` these tests use. */
interface EditorRed {
  workspaces: { active(): string };
  editor: { edit(node: unknown): void };
  view: { importNodes(nodes: unknown[], options: { generateIds: boolean }): void };
  nodes: {
    filterNodes(filter: { type: string }): { id: string; valid: boolean; title?: string }[];
    node(id: string): { version?: number; valid: boolean; flow?: string };
  };
}

/** Sets a typedInput field the way the editor does (the widget hides the original input). */
async function setTypedInput(id: string, value: string): Promise<void> {
  await page.evaluate(
    ([selector, text]) => {
      const jquery = (
        window as unknown as { $: (selector: string) => { typedInput(method: string, value: string): void; trigger(event: string): void } }
      ).$;
      jquery(selector).typedInput("value", text);
      jquery(selector).trigger("change");
    },
    [`#${id}`, value] as const,
  );
}

/** The properties the editor finds invalid on the last added node (empty when it is valid). */
async function lastNodeErrors(): Promise<string[]> {
  const id = await page.locator("g.red-ui-flow-node-group").last().getAttribute("id");
  return page.evaluate((nodeId) => {
    const node = (
      window as unknown as { RED: { nodes: { node(id: string): { valid: boolean; validationErrors?: string[] } } } }
    ).RED.nodes.node(nodeId ?? "");
    return node.valid ? [] : (node.validationErrors ?? ["(invalid)"]);
  }, id);
}

describe("the edit dialogs in a real editor (headless Chromium)", () => {
  it("adds every node from the palette, validates and fills its dialog, and deploys", async () => {
    await addFromPalette(page, "signering-create", 80, "emulator-config");
    await page.selectOption("#node-input-flow", "portal");
    await setTypedInput("node-input-title", "x".repeat(81));
    await page.click("#node-dialog-ok");
    assert.deepEqual(await lastNodeErrors(), ["At most 80 characters"], "an 81-character title is refused, with the reason");
    await page.locator("g.red-ui-flow-node-group").last().dblclick();
    await page.locator("#node-dialog-ok").waitFor();
    await page.evaluate(() => {
      const jquery = (window as unknown as { $: (selector: string) => { typedInput(method: string, value?: string): void } }).$;
      jquery("#node-input-signers").typedInput("type", "json");
      jquery("#node-input-signers").typedInput("value", '[{"personalIdentificationNumber":"01019010047"}]');
    });
    await setTypedInput("node-input-title", "Contract from the editor");
    await page.click("#node-dialog-ok");
    assert.deepEqual(
      await lastNodeErrors(),
      ["Signer 1: the national identity number needs 11 digits with valid check digits"],
      "a wrong check digit is refused before deploy",
    );
    await page.locator("g.red-ui-flow-node-group").last().dblclick();
    await page.locator("#node-dialog-ok").waitFor();
    await setTypedInput("node-input-signers", '[{"personalIdentificationNumber":"01019010046"}]');
    assert.equal(await page.locator("#node-input-nonsensitiveTitle").isVisible(), true, "portal options appear for the portal flow");
    assert.equal(await page.locator("#node-input-completionUrl").isVisible(), false);
    await page.screenshot({ path: artifactPath("editor-create-dialog.png") });
    await page.click("#node-dialog-ok");
    assert.deepEqual(await lastNodeErrors(), []);

    await addFromPalette(page, "signering-status", 160, "emulator-config");
    await page.selectOption("#node-input-mode", "poll");
    await page.fill("#node-input-pollingQueue", "editor-queue");
    await page.screenshot({ path: artifactPath("editor-status-dialog.png") });
    await page.click("#node-dialog-ok");

    await addFromPalette(page, "signering-download", 240, "emulator-config");
    await page.selectOption("#node-input-mode", "archive");
    assert.equal(await page.locator("#node-input-pades").isVisible(), false, "archive mode hides the job's documents");
    assert.equal(await page.locator(".signering-download-archive").first().isVisible(), true, "and shows the archive id");
    await page.selectOption("#node-input-mode", "status");
    await page.check("#node-input-xades");
    await page.screenshot({ path: artifactPath("editor-download-dialog.png") });
    await page.click("#node-dialog-ok");

    await addFromPalette(page, "signering-confirm", 320, "emulator-config");
    await page.screenshot({ path: artifactPath("editor-confirm-dialog.png") });
    await page.click("#node-dialog-ok");

    await addFromPalette(page, "signering-job", 400, "emulator-config");
    await page.selectOption("#node-input-action", "delete");
    await page.screenshot({ path: artifactPath("editor-job-dialog.png") });
    await page.click("#node-dialog-ok");

    await page.click("#red-ui-header-button-deploy");
    await page
      .locator(".red-ui-notification")
      .filter({ hasText: /deployed/i })
      .first()
      .waitFor();
    await page.screenshot({ path: artifactPath("editor-flow.png") });

    const flows = (await (await fetch(`${host.url}/flows`)).json()) as Record<string, unknown>[];
    const byType = (type: string) => flows.find((node) => node.type === type);
    assert.equal(byType("signering-create")?.title, "Contract from the editor");
    assert.equal(byType("signering-create")?.flow, "portal");
    assert.equal(byType("signering-create")?.config, "emulator-config", "the only configuration is chosen");
    assert.equal(byType("signering-status")?.pollingQueue, "editor-queue");
    assert.equal(byType("signering-download")?.xades, true);
    assert.equal(byType("signering-job")?.action, "delete");
    assert.ok(byType("signering-confirm"));
  });

  it("the configuration dialog reads an uploaded keystore and shows its certificate, or says why not", async () => {
    const emulator = await builtInEmulator(undefined);
    await openConfigDialogFromCreateNode(page);
    await page.selectOption("#node-config-input-environment", "test");
    assert.equal(
      await page.locator("#signering-config-keystore-choose").isVisible(),
      true,
      "the upload button shows for a real environment",
    );
    assert.deepEqual(
      await page
        .locator("#node-config-input-keystoreSource option")
        .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value)),
      ["upload", "env"],
      "no file paths with signeringConfigDisableLocalFiles",
    );
    await page.setInputFiles("#signering-config-keystore-upload", emulator.clientKeystoreFile);
    await page.waitForFunction(() => (document.querySelector("#node-config-input-keystore") as HTMLInputElement).value.length > 100);
    await page.fill("#node-config-input-password", "wrong password");
    await page.click("#signering-config-check");
    await page
      .locator("#signering-config-certificate")
      .filter({ hasText: /password is wrong/ })
      .waitFor();
    await page.fill("#node-config-input-password", emulator.clientKeystorePassword);
    await page.click("#signering-config-check");
    await page
      .locator("#signering-config-certificate")
      .filter({ hasText: /123456785/ })
      .waitFor();
    await page.fill("#node-config-input-sender", "123456789");
    await page.locator("#node-config-input-pollingQueue").click();
    assert.equal(await page.locator("#node-config-input-sender.input-error").count(), 1, "a wrong organization number is marked");
    await page.screenshot({ path: artifactPath("editor-config-dialog.png") });
    await page.click("#node-config-dialog-cancel");
    await page.click("#node-dialog-cancel");
  });

  it("Check connection runs every pre-flight step against the built-in emulator and shows each one passed", async () => {
    await openConfigDialogFromCreateNode(page);
    assert.equal(await page.locator("#node-config-input-environment").inputValue(), "emulator");
    await page.click("#signering-config-check-connection");
    await page.locator("#signering-config-checks-summary").waitFor({ timeout: 30_000 });
    const failed = await page.locator("#signering-config-checks li.signering-check-failed").allTextContents();
    assert.deepEqual(failed, [], "no step failed");
    assert.equal(await page.locator("#signering-config-checks li.signering-check-ok").count(), 6, "six steps, each passed");
    assert.equal(await page.locator("#signering-config-checks-summary").textContent(), "Every step passed");
    await page.screenshot({ path: artifactPath("editor-config-check-connection.png") });

    await page.fill("#node-config-input-callsPerSecond", "11");
    await page.locator("#node-config-input-pollingQueue").click();
    assert.equal(await page.locator("#node-config-input-callsPerSecond.input-error").count(), 1, "a number out of range is marked");
    await page.click("#node-config-dialog-cancel");
    await page.click("#node-dialog-cancel");
  });

  it("example 1's create node, a path exit URL and a flow saved before versions are valid, the latter brought up to date in the dialog", async () => {
    const example = JSON.parse(
      readFileSync(path.join(repositoryRoot, "examples", "01 Direct signing on a web site.json"), "utf8"),
    ) as Record<string, unknown>[];
    const invalid = await page.evaluate((flow) => {
      const red = (window as unknown as { RED: EditorRed }).RED;
      const tab = red.workspaces.active();
      const old = {
        id: "version-0-create",
        type: "signering-create",
        z: tab,
        x: 500,
        y: 480,
        wires: [[]],
        config: "emulator-config",
        title: "Saved before versions",
        completionUrl: "/signering/signed",
        rejectionUrl: "/signering/rejected",
        errorUrl: "/signering/failed",
      };
      red.view.importNodes([...flow, old], { generateIds: true });
      return red.nodes.filterNodes({ type: "signering-create" }).flatMap((node) => (node.valid ? [] : [node.id]));
    }, example);
    assert.deepEqual(invalid, [], "every create node is valid, path exit URLs included");
    await page.screenshot({ path: artifactPath("editor-example-1.png") });

    const oldId = await page.evaluate(
      () =>
        (window as unknown as { RED: EditorRed }).RED.nodes
          .filterNodes({ type: "signering-create" })
          .find((node) => node.title === "Saved before versions")?.id,
    );
    await page.mouse.click(900, 760);
    await page.evaluate((id) => {
      const red = (window as unknown as { RED: EditorRed }).RED;
      red.editor.edit(red.nodes.node(id ?? ""));
    }, oldId);
    await page.locator("#node-dialog-ok").waitFor();
    assert.equal(await page.locator("#node-input-documentType").inputValue(), "auto", "a field the old flow lacks shows its default");
    assert.equal(await page.locator("#node-input-signersType").inputValue(), "msg");
    assert.equal(await page.locator("#node-input-completionUrlType").inputValue(), "str");
    await page.screenshot({ path: artifactPath("editor-version-0-dialog.png") });
    await page.click("#node-dialog-ok");
    const migrated = await page.evaluate((id) => {
      const node = (window as unknown as { RED: EditorRed }).RED.nodes.node(id ?? "");
      return { version: node.version, valid: node.valid, flow: node.flow };
    }, oldId);
    assert.deepEqual(migrated, { version: 1, valid: true, flow: "direct" });

    await openConfigDialogFromCreateNode(page);
    assert.match(
      (await page.locator(".red-ui-tray-titlebar").last().textContent()) ?? "",
      /Posten signering connection/,
      "the config dialog's title is its label",
    );
    await page.click("#node-config-dialog-cancel");
    await page.click("#node-dialog-cancel");
  });
});
