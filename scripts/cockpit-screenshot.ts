import path from "node:path";
import { launchBrowser } from "../test/support/browser";
import {
  EXAMPLE_2_CONFIG,
  openCockpit,
  sendPortalBatch,
  signDirectJob,
  startCockpitWorld,
  startDirectJob,
} from "../test/support/cockpit-scenario";

/**
 * Makes the README's picture of the cockpit (examples/cockpit-sidebar.png): examples 1 and 2 run
 * against the emulator, one portal signer signs, the other portal job is cancelled, and the
 * sidebar is photographed on example 2's configuration with its polling node's health.
 *
 *   npm run build && node dist/scripts/cockpit-screenshot.js
 */

const OUTPUT = path.join(__dirname, "..", "..", "examples", "cockpit-sidebar.png");

async function main(): Promise<void> {
  const world = await startCockpitWorld();
  const browser = await launchBrowser();
  try {
    await signDirectJob(await startDirectJob(world));
    await sendPortalBatch(world);
    const page = await openCockpit(browser, world, "admin", EXAMPLE_2_CONFIG);
    await page.locator(".sc-job").nth(1).waitFor({ timeout: 30_000 });
    const contract = page.locator(".sc-job", { hasText: "Employment contract" });
    const nda = page.locator(".sc-job", { hasText: "Non-disclosure agreement" });
    const contractId = Number((await contract.getAttribute("data-key"))?.replace("job_portal_", ""));
    world.emulator.control.sign(contractId, 1);
    await contract.locator('.sc-signer-status[data-status="SIGNED"]').waitFor({ timeout: 30_000 });
    await nda.locator(".sc-cancel").click();
    await page.getByRole("button", { name: "Yes" }).click();
    await nda.locator(".sc-status", { hasText: "failed" }).waitFor({ timeout: 30_000 });
    await page.locator(".red-ui-tab", { hasText: "Example 2: portal" }).click();
    await page
      .locator(".red-ui-notification")
      .last()
      .waitFor({ state: "detached", timeout: 15_000 })
      .catch(() => undefined);
    // The whole of example 2 in view: two steps out, scrolled to its top-left corner.
    await page.evaluate(() => {
      const red = (window as unknown as { RED: { actions: { invoke(name: string): void } } }).RED;
      red.actions.invoke("core:zoom-out");
      red.actions.invoke("core:zoom-out");
      document.getElementById("red-ui-workspace-chart")?.scrollTo(0, 0);
    });
    // A wider sidebar, as one drags it to read the jobs.
    const separator = page.locator("#red-ui-sidebar-separator");
    const box = await separator.boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x - 180, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
    }
    await page.screenshot({ path: OUTPUT, clip: { x: 0, y: 0, width: 1500, height: 720 } });
    process.stdout.write(`wrote ${OUTPUT}\n`);
  } finally {
    await browser.close();
    await world.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
