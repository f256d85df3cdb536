import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { type NodeRedHost, startNodeRedHost } from "../../src/cli/node-red-host";
import { artifactPath, launchBrowser } from "../support/browser";
import { addFromPalette, openEditor } from "../support/editor";

/**
 * What the editor shows beyond validation: the built-in emulator's addresses in the log when the
 * dialog's *Check connection* starts it, the polling status node without an input port, and the
 * dialogs in Norwegian without cut-off labels, options or file names. Nothing is deployed here
 * before the first test: *Check connection* is the first to start the built-in emulator.
 */

const userDir = mkdtempSync(path.join(tmpdir(), "editor-details-"));
const log: string[] = [];
let host: NodeRedHost;
let browser: Browser;

before(async () => {
  host = await startNodeRedHost({
    userDir,
    port: 0,
    flows: [{ id: "tab", type: "tab", label: "Details" }],
    settings: {
      logging: {
        console: { level: "error", metrics: false, audit: false },
        capture: { level: "info", metrics: false, audit: false, handler: () => (entry: { msg: unknown }) => log.push(String(entry.msg)) },
      },
    },
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await host?.stop();
  rmSync(userDir, { recursive: true, force: true });
});

async function editorPage(locale: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, locale });
  await openEditor(page, host.url);
  return page;
}

/** The input ports drawn on node `id` once the workspace shows `expected` (it redraws on a later frame), or after 5 s. */
async function inputPorts(page: Page, id: string, expected: number): Promise<number> {
  const ports = page.locator(`g.red-ui-flow-node-group[id="${id}"] .red-ui-flow-port-input`);
  await page
    .waitForFunction(
      ([selector, count]) => document.querySelectorAll(selector).length === count,
      [`g.red-ui-flow-node-group[id="${id}"] .red-ui-flow-port-input`, expected] as const,
      { timeout: 5_000 },
    )
    .catch(() => undefined);
  return ports.count();
}

async function lastNodeId(page: Page): Promise<string> {
  return (await page.locator("g.red-ui-flow-node-group").last().getAttribute("id")) ?? "";
}

/**
 * What is cut off or out of place in the open dialog's visible rows: a label whose text is wider
 * than its box, a field that wraps below its label, a select box narrower than one of its options
 * needs (measured on a copy of it sized by the browser to fit that option alone).
 */
function cutOff(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const tray = [...document.querySelectorAll<HTMLElement>(".red-ui-tray")].at(-1)!;
    const visible = (element: HTMLElement) => element.checkVisibility();
    const problems: string[] = [];
    for (const label of tray.querySelectorAll<HTMLLabelElement>(".form-row > label")) {
      if (visible(label) && label.scrollWidth > label.clientWidth)
        problems.push(`label "${label.textContent?.trim()}": ${label.scrollWidth} > ${label.clientWidth} px`);
    }
    // A field's label on two lines: its text's boxes span more than one line's height.
    for (const label of tray.querySelectorAll<HTMLLabelElement>(".form-row > label:first-child")) {
      if (!visible(label)) continue;
      const range = document.createRange();
      range.selectNodeContents(label);
      const boxes = [...range.getClientRects()].filter((box) => box.width > 0);
      if (boxes.length === 0) continue;
      const lineHeight = Math.max(...boxes.map((box) => box.height));
      const spanned = Math.max(...boxes.map((box) => box.bottom)) - Math.min(...boxes.map((box) => box.top));
      if (spanned > lineHeight * 1.5)
        problems.push(`label "${label.textContent?.trim()}" wraps onto a second line of its ${label.clientWidth} px`);
    }
    // A field pushed onto the next line by its label and the fields before it.
    for (const row of tray.querySelectorAll<HTMLElement>(".form-row")) {
      const label = row.querySelector<HTMLElement>(":scope > label:first-child");
      if (!label || !visible(label)) continue;
      const labelBottom = label.getBoundingClientRect().bottom;
      const fields = row.querySelectorAll<HTMLElement>(
        ":scope > :is(input, select, textarea, button, label:not(:first-child), .red-ui-typedInput-container, div:has(> select))",
      );
      for (const field of fields) {
        if (visible(field) && field.getBoundingClientRect().top >= labelBottom)
          problems.push(
            `${field.tagName.toLowerCase()} #${field.id || field.textContent?.trim()} wraps below its label "${label.textContent?.trim()}"`,
          );
      }
    }
    for (const select of tray.querySelectorAll<HTMLSelectElement>(".form-row > select")) {
      if (!visible(select)) continue;
      for (const option of select.options) {
        const fitted = select.cloneNode(false) as HTMLSelectElement;
        Object.assign(fitted.style, { width: "auto", minWidth: "0", maxWidth: "none", position: "absolute", visibility: "hidden" });
        fitted.append(new Option(option.text));
        select.parentElement!.append(fitted);
        const needed = fitted.offsetWidth;
        fitted.remove();
        if (needed > select.offsetWidth)
          problems.push(`select #${select.id}, option "${option.text}": ${needed} > ${select.offsetWidth} px`);
      }
    }
    return problems;
  });
}

describe("the editor's details (headless Chromium)", () => {
  it("Check connection in a new configuration's dialog starts the built-in emulator, and the log lists its signer pages and portal", async () => {
    const page = await editorPage("en-US");
    await addFromPalette(page, "signering-create", 80);
    await page.locator("#node-input-btn-config-add").click();
    await page.locator("#node-config-dialog-ok").waitFor();
    assert.equal(await page.locator("#node-config-input-environment").inputValue(), "emulator", "a new configuration uses the emulator");
    assert.deepEqual(
      log.filter((line) => line.startsWith("Built-in emulator")),
      [],
      "nothing started it before",
    );
    await page.click("#signering-config-check-connection");
    // The list shows "…" until the answer comes: the steps and a summary, or why there are none.
    await page.waitForFunction(() => document.querySelector("#signering-config-checks")?.textContent !== "…", undefined, {
      timeout: 60_000,
    });
    const checks = await page.locator("#signering-config-checks").innerText();
    assert.deepEqual(await page.locator("#signering-config-checks-summary").allTextContents(), ["Every step passed"], checks);
    const started = log.filter((line) => line.startsWith("Built-in emulator"));
    assert.equal(started.length, 1, log.join("\n"));
    assert.match(
      started[0]!,
      /^Built-in emulator: signer pages and portal http:\/\/127\.0\.0\.1:\d+\/portal, outbox http:\/\/127\.0\.0\.1:\d+\/outbox, API https:\/\/127\.0\.0\.1:\d+\/api$/,
    );
    await page.close();
  });

  it("a polling status node has no input port; one in exit-URL mode has one, and Done after switching the mode changes it", async () => {
    const page = await editorPage("en-US");
    await addFromPalette(page, "signering-status", 160);
    assert.equal(await page.locator("#node-input-mode").inputValue(), "token");
    await page.click("#node-dialog-ok");
    const id = await lastNodeId(page);
    assert.equal(await inputPorts(page, id, 1), 1, "exit-URL mode takes the http-in msg");

    await page.locator(`g.red-ui-flow-node-group[id="${id}"]`).dblclick();
    await page.selectOption("#node-input-mode", "poll");
    await page.click("#node-dialog-ok");
    assert.equal(await inputPorts(page, id, 0), 0, "polling mode takes nothing in");
    await page.screenshot({ path: artifactPath("editor-details-polling-status.png") });

    await page.locator(`g.red-ui-flow-node-group[id="${id}"]`).dblclick();
    await page.selectOption("#node-input-mode", "token");
    await page.click("#node-dialog-ok");
    assert.equal(await inputPorts(page, id, 1), 1);

    // A polling node from an imported flow is drawn without one too.
    await page.evaluate(() => {
      const red = (window as unknown as { RED: { view: { importNodes(nodes: unknown[], options: object): void } } }).RED;
      red.view.importNodes([{ id: "imported-poller", type: "signering-status", mode: "poll", x: 300, y: 320, wires: [[], [], []] }], {
        generateIds: false,
      });
    });
    await page.mouse.click(700, 600);
    assert.equal(await inputPorts(page, "imported-poller", 0), 0);
    await page.close();
  });

  it("the palette breaks no node's name inside a word, in English and Norwegian", async () => {
    for (const locale of ["en-US", "nb-NO"]) {
      const page = await editorPage(locale);
      const broken = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLElement>('.red-ui-palette-node[data-palette-type^="signering-"]')].flatMap((node) => {
          const words = new Set((node.dataset.paletteLabel ?? "").split(" "));
          const lines = node.querySelector(".red-ui-palette-label")!.innerHTML.split("<br>");
          return lines.flatMap((line) => line.trim().split(" ")).filter((word) => word !== "" && !words.has(word));
        }),
      );
      assert.deepEqual(broken, [], `${locale}: pieces of words on the palette`);
      await page.close();
    }
  });

  for (const [locale, language, titleLabel] of [
    ["nb-NO", "Norwegian", "Tittel"],
    ["en-US", "English", "Title"],
  ] as const) {
    it(`in ${language}, the create and configuration dialogs cut off no label, option or keystore file name`, async () => {
      const page = await editorPage(locale);
      await addFromPalette(page, "signering-create", 80);
      assert.equal((await page.locator('label[for="node-input-title"]').innerText()).trim(), titleLabel, `the dialog is in ${language}`);
      const problems: string[] = [];
      for (const flow of ["direct", "portal"]) {
        await page.selectOption("#node-input-flow", flow);
        problems.push(...(await cutOff(page)).map((problem) => `create (${flow}): ${problem}`));
      }
      await page.screenshot({ path: artifactPath(`editor-details-create-${locale}.png`) });

      await page.locator("#node-input-btn-config-add").click();
      await page.locator("#node-config-dialog-ok").waitFor();
      for (const [environment, source] of [
        ["test", "upload"],
        ["test", "file"],
        ["test", "env"],
        ["custom", "upload"],
        ["emulator", "none"],
      ] as const) {
        await page.selectOption("#node-config-input-environment", environment);
        // The emulator needs no certificate: the source is hidden.
        if (environment !== "emulator") await page.selectOption("#node-config-input-keystoreSource", source);
        problems.push(...(await cutOff(page)).map((problem) => `config (${environment}, ${source}): ${problem}`));
      }
      assert.deepEqual(problems, []);

      // The uploaded keystore's name, on the line of its label: whole, or for a long one cut with "…" and whole on hover.
      await page.selectOption("#node-config-input-environment", "test");
      await page.selectOption("#node-config-input-keystoreSource", "upload");
      const state = page.locator("#signering-config-keystore-state");
      const labelBox = (await page.locator('label[for="signering-config-keystore-upload"]').boundingBox())!;
      for (const name of ["Nøkkellager-2026.p12", "Virksomhetssertifikat Posten signering test AS 2026.p12"]) {
        const [chooser] = await Promise.all([page.waitForEvent("filechooser"), page.click("#signering-config-keystore-choose")]);
        await chooser.setFiles({ name, mimeType: "application/x-pkcs12", buffer: Buffer.from("not read here") });
        await state.filter({ hasText: name }).waitFor();
        const stateBox = (await state.boundingBox())!;
        assert.ok(stateBox.y < labelBox.y + labelBox.height && labelBox.y < stateBox.y + stateBox.height, `${name}: on the label's line`);
        assert.equal(await state.getAttribute("title"), name);
        if (name.length < 25)
          assert.equal(await state.evaluate((element) => element.scrollWidth <= element.clientWidth), true, `${name}: whole`);
      }
      await page.locator(".signering-config-upload").scrollIntoViewIfNeeded();
      await page.screenshot({ path: artifactPath(`editor-details-config-${locale}.png`) });
      await page.close();
    });

    it(`in ${language}, the status, download, confirm and job action dialogs cut off nothing, in each of their modes`, async () => {
      const page = await editorPage(locale);
      const problems: string[] = [];
      const modes: [type: string, select: string | undefined, values: string[]][] = [
        ["signering-status", "#node-input-mode", ["token", "poll"]],
        ["signering-download", "#node-input-mode", ["status", "archive"]],
        ["signering-confirm", undefined, [""]],
        ["signering-job", "#node-input-action", ["cancel", "delete", "redirect"]],
      ];
      for (const [index, [type, select, values]] of modes.entries()) {
        await addFromPalette(page, type, 80 + 60 * index);
        for (const value of values) {
          if (select) await page.selectOption(select, value);
          problems.push(...(await cutOff(page)).map((problem) => `${type} (${value}): ${problem}`));
        }
        await page.screenshot({ path: artifactPath(`editor-details-${type}-${locale}.png`) });
        await page.click("#node-dialog-cancel");
        await page.locator("#node-dialog-ok").waitFor({ state: "detached" });
      }
      assert.deepEqual(problems, []);
      await page.close();
    });
  }
});
