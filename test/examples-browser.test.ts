import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { freePort } from "../src/cli/node-red-host";
import { artifactPath, launchBrowser } from "./support/browser";
import { repositoryRoot, testDocumentsDir } from "./support/reference";

/**
 * Example 1 as a user runs it: `npm start` (the built CLI) on a port other than 1880, a real
 * Chromium, and a `kill -9` of Node-RED while the signer is on the signer page. The link handed
 * out before the restart still opens and signs, the signer's return finds the job, and the signed
 * PDF is stored.
 */

const READY_TIMEOUT_MS = 60_000;

/** `npm start`, without the build: the compiled CLI, in `workDir`, until killed. */
function startNodeRed(workDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(repositoryRoot, "dist", "src", "cli", "main.js"), "start"], {
    cwd: workDir,
    env: { ...process.env, PORT: String(port), NODE_RED_USER_DIR: path.join(workDir, "node-red") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start was not ready within ${READY_TIMEOUT_MS} ms: ${output}`)), READY_TIMEOUT_MS);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      // Ready once the flows run and the built-in emulator has reported its pages.
      if (/Sign a document end to end/.test(output) && /Built-in emulator/.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}: ${output}`));
    });
  });
}

function kill9(child: ChildProcess): Promise<void> {
  child.removeAllListeners("exit");
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  return exited;
}

describe("example 1 in Chromium through a kill -9 and restart of npm start", () => {
  const workDir = mkdtempSync(path.join(tmpdir(), "reliability-example-1-"));
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
      nodeRed = await startNodeRed(workDir, port);
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
      nodeRed = await startNodeRed(workDir, port);

      await page.goto(signerLink);
      await Promise.all([page.waitForURL(`${origin}/signering/signed?**`), page.getByRole("button", { name: "Sign" }).click()]);
      await page.screenshot({ path: artifactPath("example-1-after-restart.png"), fullPage: true });
      assert.match((await page.getByRole("heading", { level: 1 }).textContent()) ?? "", /the document is signed/);

      const stored = path.join(workDir, "signed-documents");
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
