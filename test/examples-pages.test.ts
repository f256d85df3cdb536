import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { exampleOnTab, freePort, type NodeRedHost, startNodeRedHost } from "../src/cli/node-red-host";
import { artifactPath, launchBrowser } from "./support/browser";
import { layoutProblems, openEditor } from "./support/editor";
import { actOnSignerPage, uploadForSigning } from "./support/example-site";
import { testDocumentsDir } from "./support/reference";

/**
 * Example 1's pages as a visitor sees them, under a Node-RED whose httpNodeRoot is /flows, on a
 * port other than 1880, in Norwegian and in English: the form, the signed and not-signed results,
 * an error and a stray visitor at an exit URL. Every link and form action stays under /flows and
 * answers; errors show a reference, never their internals, and the log has the details.
 */

const ROOT = "/flows";
const PDF = {
  name: "contract.pdf",
  mimeType: "application/pdf",
  buffer: readFileSync(path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf")),
};

const TEXTS = {
  nb: {
    form: "Signer et dokument",
    signed: "Takk! Dokumentet er signert",
    notSigned: "Dokumentet ble ikke signert",
    error: "Noe gikk galt",
  },
  en: {
    form: "Sign a document",
    signed: "Thank you, the document is signed",
    notSigned: "The document was not signed",
    error: "Something went wrong",
  },
} as const;

describe(`example 1's pages under httpNodeRoot ${ROOT} on another port (headless Chromium)`, () => {
  const userDir = mkdtempSync(path.join(tmpdir(), "examples-pages-"));
  const documentsDir = path.join(userDir, "signed-documents");
  const log: string[] = [];
  let host: NodeRedHost;
  let site: string;
  let browser: Browser;

  before(async () => {
    process.env.SIGNERING_DOCUMENTS_DIR = documentsDir;
    const port = await freePort();
    assert.notEqual(port, 1880);
    host = await startNodeRedHost({
      userDir,
      port,
      flows: exampleOnTab("01 Direct signing on a web site.json", "example-1", "Direct signing (example 1)"),
      settings: {
        httpNodeRoot: ROOT,
        logging: {
          console: { level: "error", metrics: false, audit: false },
          capture: { level: "warn", metrics: false, audit: false, handler: () => (entry: { msg: unknown }) => log.push(String(entry.msg)) },
        },
      },
    });
    site = host.url + ROOT;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await host?.stop();
    rmSync(userDir, { recursive: true, force: true });
  });

  /** Every link and form action on the page: under the root, and each link answers 200. */
  async function assertLinksWork(page: Page, context: BrowserContext): Promise<void> {
    const targets = await page.evaluate(() => [
      ...[...document.querySelectorAll("a[href]")].map((link) => ({ kind: "link", url: (link as HTMLAnchorElement).href })),
      ...[...document.querySelectorAll("form")].map((form) => ({ kind: "form", url: form.action })),
    ]);
    assert.ok(targets.length > 0, `${page.url()} has links`);
    for (const { kind, url } of targets) {
      assert.ok(url.startsWith(`${site}/`), `${kind} ${url} on ${page.url()} stays under ${site}/`);
      if (kind === "link") assert.equal((await context.request.get(url)).status(), 200, `${url} on ${page.url()}`);
      else assert.equal(url, `${site}/signering/start`);
    }
  }

  async function heading(page: Page): Promise<string> {
    return (await page.getByRole("heading", { level: 1 }).textContent()) ?? "";
  }

  for (const language of ["nb", "en"] as const) {
    it(
      `${language}: form, signed, not signed, a bad upload and a stray visitor, each page's links answering`,
      { timeout: 120_000 },
      async () => {
        const context = await browser.newContext({ locale: language === "nb" ? "nb-NO" : "en-US", viewport: { width: 900, height: 760 } });
        const page = await context.newPage();
        const text = TEXTS[language];

        const form = await page.goto(`${site}/signering`);
        assert.equal(form?.status(), 200);
        assert.equal(form?.headers()["content-language"], language);
        assert.equal(await heading(page), text.form);
        await page.screenshot({ path: artifactPath(`example-1-form-${language}.png`), fullPage: true });
        await assertLinksWork(page, context);

        await uploadForSigning(page, `${site}/signering`, PDF);
        await actOnSignerPage(page, "Sign", host.url, `${ROOT}/signering/signed`);
        assert.equal(await heading(page), text.signed);
        await page.screenshot({ path: artifactPath(`example-1-signed-${language}.png`), fullPage: true });
        const stored = (await page.locator(".note code").textContent()) ?? "";
        assert.ok(stored.startsWith(documentsDir + path.sep), `the page says where the PDF is: ${stored}`);
        assert.equal(readFileSync(stored).subarray(0, 5).toString(), "%PDF-");
        await assertLinksWork(page, context);

        await uploadForSigning(page, `${site}/signering`, PDF);
        await actOnSignerPage(page, "Reject", host.url, `${ROOT}/signering/rejected`);
        assert.equal(await heading(page), text.notSigned);
        assert.doesNotMatch(await page.content(), /FAILED|REJECTED/, "status words, not the service's codes");
        await page.screenshot({ path: artifactPath(`example-1-not-signed-${language}.png`), fullPage: true });
        await assertLinksWork(page, context);

        await page.goto(`${site}/signering`);
        await page
          .locator('input[type="file"]')
          .setInputFiles({ name: "contract.pdf", mimeType: "application/pdf", buffer: Buffer.from("not a PDF") });
        const upload = page.waitForResponse(`${site}/signering/start`);
        await page.locator('button[type="submit"]').click();
        assert.equal((await upload).status(), 400);
        assert.equal(await heading(page), text.error);
        await page.screenshot({ path: artifactPath(`example-1-bad-upload-${language}.png`), fullPage: true });
        await assertLinksWork(page, context);

        const stray = await page.goto(`${site}/signering/signed`);
        assert.equal(stray?.status(), 400);
        assert.equal(await heading(page), text.error);
        const body = await page.content();
        assert.doesNotMatch(body, /[A-Za-z]Error|status_query_token|msg\.req|http-in/, "no internals for the visitor");
        const reference = (await page.locator("strong").textContent()) ?? "";
        assert.match(reference, /^[0-9A-Z]{6}$/);
        await page.screenshot({ path: artifactPath(`example-1-stray-visitor-${language}.png`), fullPage: true });
        await assertLinksWork(page, context);
        const logged = log.find((line) => line.includes(`reference ${reference}`)) ?? "";
        assert.match(logged, /signering-status .*status_query_token/, `the log has the details under the reference: ${log.join("\n")}`);
        await context.close();
      },
    );
  }

  it("in the editor afterwards, the status texts of the nodes run under no other node", { timeout: 60_000 }, async () => {
    assert.ok(existsSync(documentsDir));
    const page = await browser.newPage({ viewport: { width: 1800, height: 900 } });
    await openEditor(page, host.url);
    await page.locator(".red-ui-flow-node-status-group text", { hasText: "confirmed" }).first().waitFor();
    await page.screenshot({ path: artifactPath("example-1-flow-after-jobs.png") });
    assert.deepEqual(await layoutProblems(page), []);
    await page.close();
  });
});
