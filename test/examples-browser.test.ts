import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { freePort } from "../src/cli/node-red-host";
import { artifactPath, launchBrowser } from "./support/browser";
import { kill9, npmStart } from "./support/npm-start";
import { testDocumentsDir } from "./support/reference";

/**
 * Example 1 as a user runs it: `npm start` (the built CLI) on a port other than 1880, a real
 * Chromium, and a `kill -9` of Node-RED while the signer is on the signer page. The link handed
 * out before the restart still opens and signs, the signer's return finds the job, and the signed
 * PDF is stored.
 */

describe("example 1 in Chromium through a kill -9 and restart of npm start", () => {
  const workDir = mkdtempSync(path.join(tmpdir(), "reliability-example-1-"));
  const userDir = path.join(workDir, "node-red");
  let browser: Browser;
  let nodeRed: ChildProcess | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    if (nodeRed && nodeRed.exitCode === null) await kill9(nodeRed);
    rmSync(workDir, { recursive: true, force: true });
  });

  it(
    "upload, kill -9, restart, then sign through the link handed out before: the result page shows and the signed PDF is stored",
    { timeout: 150_000 },
    async () => {
      const port = await freePort();
      const origin = `http://127.0.0.1:${port}`;
      nodeRed = (await npmStart(workDir, port, userDir)).child;
      const page = await browser.newPage();
      await page.goto(`${origin}/signering`);
      const form = page.locator("form");
      assert.equal(await form.getAttribute("enctype"), "multipart/form-data");
      // The form's POST, sent from the browser's context (its cookie jar), stopping at the redirect:
      // the signer is handed the link (and the return cookie) and opens it only after the restart.
      const started = await page.request.post(new URL((await form.getAttribute("action"))!, page.url()).href, {
        multipart: {
          pin: "01019010046",
          document: {
            name: "contract.pdf",
            mimeType: "application/pdf",
            buffer: readFileSync(path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf")),
          },
        },
        maxRedirects: 0,
      });
      assert.equal(started.status(), 303, await started.text());
      const signerLink = started.headers()["location"]!;

      await kill9(nodeRed);
      nodeRed = (await npmStart(workDir, port, userDir)).child;

      await page.goto(signerLink);
      await Promise.all([page.waitForURL(`${origin}/signering/signed?**`), page.getByRole("button", { name: "Sign" }).click()]);
      await page.screenshot({ path: artifactPath("example-1-after-restart.png"), fullPage: true });
      assert.match((await page.getByRole("heading", { level: 1 }).textContent()) ?? "", /the document is signed/);

      const stored = path.join(userDir, "signed-documents");
      const files = existsSync(stored) ? readdirSync(stored) : [];
      assert.equal(files.filter((file) => file.endsWith(".pdf")).length, 1, `one signed PDF in ${stored}: ${files.join(", ")}`);
      assert.equal(
        readFileSync(
          path.join(
            stored,
            files.find((file) => file.endsWith(".pdf"))!,
          ),
        )
          .subarray(0, 5)
          .toString(),
        "%PDF-",
      );
      await page.close();
    },
  );
});
