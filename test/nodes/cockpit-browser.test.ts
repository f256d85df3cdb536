import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { artifactPath, launchBrowser } from "../support/browser";
import {
  type CockpitWorld,
  EXAMPLE_1_CONFIG,
  EXAMPLE_2_CONFIG,
  eventually,
  jobsOf,
  openCockpit,
  sendPortalBatch,
  signDirectJob,
  startCockpitWorld,
  startDirectJob,
} from "../support/cockpit-scenario";

/**
 * The cockpit in Chromium against a real Node-RED (its own process, a file context store,
 * adminAuth) running examples 1 and 2 against the emulator: jobs appear, a signature updates its
 * row live, a restart keeps the list, and a read-only user sees but cannot act.
 */

let world: CockpitWorld;
let browser: Browser;

before(async () => {
  world = await startCockpitWorld();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await world?.close();
});

const card = (page: Page, flow: string, jobId: string) => page.locator(`.signering-cockpit .sc-job[data-key="job_${flow}_${jobId}"]`);

describe("the cockpit sidebar in a real editor (headless Chromium)", { timeout: 240_000 }, () => {
  let directJob: string;
  let portalJobs: Awaited<ReturnType<typeof jobsOf>>;

  it("shows example 1's direct job, and its row turns completed when the signer signs, without a reload", async () => {
    const started = await startDirectJob(world);
    const page = await openCockpit(browser, world, "admin", EXAMPLE_1_CONFIG);
    const [job] = await jobsOf(world, EXAMPLE_1_CONFIG);
    assert.ok(job, "the journal has the job");
    directJob = job.jobId;
    const row = card(page, "direct", directJob);
    await row.waitFor();
    assert.equal(await row.locator(".sc-status").textContent(), "in progress");
    assert.equal(await row.locator(".sc-title").textContent(), "Document from the web site");
    assert.equal(await row.locator(".sc-signers code").textContent(), "010190*****", "the signer's national id only to the birth date");
    assert.equal(await row.locator(".sc-redirect").isEnabled(), true, "an administrator may ask for a new link");
    assert.doesNotMatch(await page.locator(".signering-cockpit").innerText(), /01019010046/, "no whole national id anywhere in the tab");

    // A new signing link, after a confirmation, shown once; the signer signs through it.
    await row.locator(".sc-redirect").click();
    assert.match(await page.locator(".red-ui-notification").last().innerText(), /new signing link for signer 010190\*{5}/);
    await page.getByRole("button", { name: "Yes" }).click();
    const newLink = (await page.locator(".red-ui-notification .sc-link code").textContent()) ?? "";
    assert.match(newLink, /^http:\/\/127\.0\.0\.1:\d+\//, "the emulator's signer page");
    assert.notEqual(newLink, started.signerPage);
    await page.getByRole("button", { name: "OK" }).click();

    await page.evaluate(() => ((window as unknown as { beforeSigning: boolean }).beforeSigning = true));
    await signDirectJob({ ...started, signerPage: newLink });
    await row.locator(".sc-status", { hasText: "completed" }).waitFor({ timeout: 20_000 });
    assert.equal(await row.locator(".sc-signer-status").getAttribute("data-status"), "SIGNED");
    assert.equal(
      await page.evaluate(() => (window as unknown as { beforeSigning?: boolean }).beforeSigning),
      true,
      "the page was not reloaded",
    );
    assert.equal(await row.locator(".sc-pades").isVisible(), true, "a signed job offers its PDF");
    assert.equal(await row.locator(".sc-redirect").count(), 0, "and no new link any more");

    // The signed PDF, through a confirmation, as a download.
    await row.locator(".sc-pades").click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Yes" }).click()]);
    assert.equal(download.suggestedFilename(), `signed-direct-${directJob}.pdf`);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).subarray(0, 5).toString(), "%PDF-");
    await page.close();
  });

  it("shows example 2's portal jobs, the polling node's health, and cancels one after a confirmation", async () => {
    await sendPortalBatch(world);
    portalJobs = await eventually("two portal jobs", async () => {
      const jobs = await jobsOf(world, EXAMPLE_2_CONFIG);
      return jobs.length === 2 ? jobs : undefined;
    });
    const page = await openCockpit(browser, world, "admin", EXAMPLE_2_CONFIG);
    const nda = portalJobs.find((job) => job.title === "Non-disclosure agreement");
    const contract = portalJobs.find((job) => job.title === "Employment contract");
    assert.ok(nda && contract, portalJobs.map((job) => job.title).join(", "));
    await card(page, "portal", contract.jobId).waitFor();
    assert.deepEqual(await card(page, "portal", contract.jobId).locator(".sc-signers code").allTextContents(), [
      "010190*****",
      "010170*****",
    ]);
    await card(page, "portal", contract.jobId).locator(".sc-show").click();
    assert.equal(
      await page.evaluate(() => (window as unknown as { RED: { workspaces: { active(): string } } }).RED.workspaces.active()),
      "example-2",
      "Show node opens the tab of the create node that made the job",
    );
    await page.locator(".sc-health-row").first().waitFor();
    assert.match(await page.locator(".sc-health").innerText(), /last poll/);
    assert.match(await page.locator(".sc-pacer").innerText(), /calls in the last minute [1-9]\d* · queued \d+ · rate-limit blocks 0/);

    // The first signer signs (the emulator's control API); the polling node brings the change to the row.
    world.emulator.control.sign(Number(contract.jobId), 1);
    await card(page, "portal", contract.jobId).locator('.sc-signer-status[data-status="SIGNED"]').waitFor({ timeout: 30_000 });

    const row = card(page, "portal", nda.jobId);
    await row.locator(".sc-cancel").click();
    assert.match(await page.locator(".red-ui-notification").last().innerText(), new RegExp(`Cancel portal job ${nda.jobId}\\?`));
    await page.getByRole("button", { name: "Yes" }).click();
    await row.locator(".sc-status", { hasText: "failed or expired" }).waitFor({ timeout: 30_000 });
    assert.equal(world.emulator.control.jobSummary(Number(nda.jobId)).status, "FAILED", "the service cancelled it");
    await page.screenshot({ path: artifactPath("cockpit-portal.png") });
    await page.close();
  });

  it("keeps the list across a restart of Node-RED", async () => {
    await world.restart();
    const page = await openCockpit(browser, world, "admin", EXAMPLE_1_CONFIG);
    await card(page, "direct", directJob).locator(".sc-status", { hasText: "completed" }).waitFor();
    await page.selectOption("#signering-cockpit-config", EXAMPLE_2_CONFIG);
    for (const job of portalJobs) await card(page, "portal", job.jobId).waitFor();
    assert.match(await page.locator(".sc-store").innerText(), /context store "file"/);
    await page.close();
  });

  it("lets a read-only user look but not act (adminAuth holds), in Norwegian for a Norwegian browser", async () => {
    const page = await openCockpit(browser, world, "viewer", EXAMPLE_2_CONFIG, "nb-NO");
    const contract = portalJobs.find((job) => job.title === "Employment contract")!;
    const row = card(page, "portal", contract.jobId);
    await row.waitFor();
    assert.equal(await row.locator(".sc-cancel").isDisabled(), true, "the cancel button is off");
    assert.match(await page.locator(".sc-readonly").innerText(), /Kun lesetilgang: .*signering-config\.write/);
    await page.locator(".signering-cockpit .sc-bar button").last().click();
    assert.match(
      await page.locator(".sc-help").innerText(),
      /Om denne fanen\s+Signeringsoppdragene i denne Node-RED/,
      "the tab's own help",
    );
    await page.screenshot({ path: artifactPath("cockpit-read-only.png") });
    await page.close();

    const cancel = `${world.url}/signering-cockpit/configs/${EXAMPLE_2_CONFIG}/jobs/portal/${contract.jobId}/cancel`;
    const asViewer = await fetch(cancel, {
      method: "POST",
      headers: { authorization: `Bearer ${await world.token("viewer")}`, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(asViewer.status, 401, "the runtime refuses it too (Node-RED answers a missing permission with 401)");
    const anonymous = await fetch(`${world.url}/signering-cockpit/configs/${EXAMPLE_2_CONFIG}/jobs`);
    assert.equal(anonymous.status, 401, "nobody without a login sees the jobs");
    assert.equal(world.emulator.control.jobSummary(Number(contract.jobId)).status, "IN_PROGRESS");
  });

  it("refuses cross-origin requests, forms and bad input, naming the problem", async () => {
    const admin = { authorization: `Bearer ${await world.token("admin")}` };
    const base = `${world.url}/signering-cockpit/configs/${EXAMPLE_2_CONFIG}`;
    const job = portalJobs.find((entry) => entry.title === "Employment contract")!;
    const crossOrigin = await fetch(`${base}/jobs/portal/${job.jobId}/cancel`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json", origin: "http://evil.example" },
      body: "{}",
    });
    assert.equal(crossOrigin.status, 403);
    const form = await fetch(`${base}/jobs/portal/${job.jobId}/cancel`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/x-www-form-urlencoded" },
      body: "a=1",
    });
    assert.equal(form.status, 415);
    const badFilter = await fetch(`${base}/jobs?filter=everything`, { headers: admin });
    assert.equal(badFilter.status, 400);
    assert.match(((await badFilter.json()) as { error: string }).error, /filter: must be one of all, inProgress, completed, failed/);
    const badLimit = await fetch(`${base}/jobs?limit=100000`, { headers: admin });
    assert.match(((await badLimit.json()) as { error: string }).error, /limit: must be a whole number from 1 to 1000/);
    const badJob = await fetch(`${base}/jobs/portal/..%2F1/cancel`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(badJob.status, 400);
    const unknownJob = await fetch(`${base}/jobs/portal/999999/cancel`, {
      method: "POST",
      headers: { ...admin, "content-type": "application/json" },
      body: JSON.stringify({ cancellationUrl: "https://evil.example/cancel" }),
    });
    assert.equal(unknownJob.status, 404, "a URL in the body is never used: only the journal's own records");
    const completed = await fetch(
      `${world.url}/signering-cockpit/configs/${EXAMPLE_1_CONFIG}/jobs/direct/${directJob}/signers/0/redirect`,
      {
        method: "POST",
        headers: { ...admin, "content-type": "application/json" },
        body: "{}",
      },
    );
    assert.equal(completed.status, 409, "no new link for a signed job");
  });
});
