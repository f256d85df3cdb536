import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { exampleOnTab, PACKAGE_ROOT, startNodeRedHost } from "../src/cli/node-red-host";
import { launchBrowser } from "../test/support/browser";
import { layoutProblems, openEditor, showOnlyTheFlow } from "../test/support/editor";
import { actOnSignerPage, uploadForSigning } from "../test/support/example-site";

/**
 * Makes the README's picture of example 1 (examples/example-1-flow.png) from the real editor:
 * example 1 deployed as `npm start` deploys it, one document signed through its pages so the
 * nodes show their status texts, then the flow alone, cropped to its nodes. Refuses when nodes,
 * wires or status texts overlap. Run after a build: `node dist/scripts/screenshot-example.js`.
 */

const OUTPUT = path.join(PACKAGE_ROOT, "examples", "example-1-flow.png");
const MARGIN = 16;

async function main(): Promise<void> {
  const userDir = mkdtempSync(path.join(tmpdir(), "screenshot-example-"));
  process.env.SIGNERING_DOCUMENTS_DIR = path.join(userDir, "signed-documents");
  const host = await startNodeRedHost({
    userDir,
    port: 0,
    flows: exampleOnTab("01 Direct signing on a web site.json", "example-1", "Direct signing (example 1)"),
    logLevel: "warn",
  });
  const browser = await launchBrowser();
  try {
    const visitor = await browser.newPage({ locale: "en-US" });
    const pdf = readFileSync(path.join(PACKAGE_ROOT, "test", "fixtures", "test-documents", "PDF-1-4-testdokument.pdf"));
    await uploadForSigning(visitor, `${host.url}/signering`, { name: "contract.pdf", mimeType: "application/pdf", buffer: pdf });
    await actOnSignerPage(visitor, "Sign", host.url, "/signering/signed");

    const editor = await browser.newPage({ viewport: { width: 1700, height: 760 }, deviceScaleFactor: 1 });
    await openEditor(editor, host.url);
    await editor.locator(".red-ui-flow-node-status-group text", { hasText: "confirmed" }).first().waitFor();
    await showOnlyTheFlow(editor);
    await editor.waitForTimeout(500);
    const problems = await layoutProblems(editor);
    if (problems.length > 0) throw new Error(`example 1's layout needs work first:\n${problems.join("\n")}`);
    const box = await editor.evaluate(() => {
      const boxes = [...document.querySelectorAll("g.red-ui-flow-node-group")].map((group) => group.getBoundingClientRect());
      return {
        left: Math.min(...boxes.map((b) => b.left)),
        top: Math.min(...boxes.map((b) => b.top)),
        right: Math.max(...boxes.map((b) => b.right)),
        bottom: Math.max(...boxes.map((b) => b.bottom)),
      };
    });
    await editor.screenshot({
      path: OUTPUT,
      clip: {
        x: box.left - MARGIN,
        y: box.top - MARGIN,
        width: box.right - box.left + 2 * MARGIN,
        height: box.bottom - box.top + 2 * MARGIN,
      },
    });
    process.stdout.write(`Wrote ${OUTPUT}\n`);
  } finally {
    await browser.close();
    await host.stop();
    rmSync(userDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
