import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import type { SigneringClient } from "../../src/core";
import type { RunningEmulator } from "../../src/emulator";
import { artifactPath, launchBrowser } from "../support/browser";
import { clientFor, startTestEmulator } from "../support/emulator";
import { directJob, NATIONAL_IDS, portalJob } from "../support/jobs";

let emulator: RunningEmulator;
let client: SigneringClient;
let browser: Browser;
let exitSite: http.Server;
let exitOrigin: string;
const returns: URL[] = [];

before(async () => {
  emulator = await startTestEmulator();
  client = clientFor(emulator);
  browser = await launchBrowser();
  // The sender's web site: records where signers come back to.
  exitSite = http.createServer((request, response) => {
    returns.push(new URL(request.url ?? "/", exitOrigin));
    response.writeHead(200, { "content-type": "text/html" }).end("<h1>Back at the sender</h1>");
  });
  await new Promise<void>((resolve) => exitSite.listen(0, "127.0.0.1", resolve));
  exitOrigin = `http://127.0.0.1:${(exitSite.address() as AddressInfo).port}`;
});
after(async () => {
  await browser.close();
  exitSite.close();
  await client.close();
  await emulator.close();
});

describe("the signer pages in headless Chromium", () => {
  const exitUrls = () => ({ completion: `${exitOrigin}/ok`, rejection: `${exitOrigin}/no`, error: `${exitOrigin}/err` });

  it("a direct signer sees the job and documents, signs, and returns to the completion URL with a token that gives the status", async () => {
    const created = await client.direct.createJob(
      directJob({ title: "Arbeidsavtale <æøå>", description: "Les og signer", exitUrls: exitUrls() }),
    );
    const page = await browser.newPage();
    await page.goto(created.signers[0]!.redirectUrl);
    assert.equal(await page.getByRole("heading", { level: 1 }).textContent(), "Arbeidsavtale <æøå>");
    const documentLink = page.getByRole("link", { name: "Contract" });
    assert.equal(await documentLink.count(), 1);
    const pdf = await page.request.get(new URL((await documentLink.getAttribute("href"))!, page.url()).href);
    assert.equal(pdf.headers()["content-type"], "application/pdf");
    await page.screenshot({ path: artifactPath("emulator-direct-signer-page.png"), fullPage: true });
    await Promise.all([page.waitForURL(`${exitOrigin}/ok?**`), page.getByRole("button", { name: "Sign" }).click()]);
    const back = new URL(page.url());
    const status = await client.direct.getStatus(created.statusUrl!, back.searchParams.get("status_query_token")!);
    assert.equal(status.status, "COMPLETED_SUCCESSFULLY");
    await page.close();
  });

  it("a direct signer who rejects returns to the rejection URL, and the used link is refused", async () => {
    const created = await client.direct.createJob(directJob({ exitUrls: exitUrls() }));
    const page = await browser.newPage();
    await page.goto(created.signers[0]!.redirectUrl);
    await Promise.all([page.waitForURL(`${exitOrigin}/no?**`), page.getByRole("button", { name: "Reject" }).click()]);
    const again = await page.goto(created.signers[0]!.redirectUrl);
    assert.equal(again?.status(), 410);
    await page.close();
  });

  it("a portal signer logs in by e-mail, sees the active job, signs; the outbox lists the notification", async () => {
    const created = await client.portal.createJob(
      portalJob({
        title: "Styrevedtak",
        signers: [
          { identifiedByContactInformation: true, notifications: { email: "styret@example.com" } },
          { personalIdentificationNumber: NATIONAL_IDS[1], order: 1, notifications: { sms: "+4799887766" } },
        ],
      }),
    );
    const page = await browser.newPage();
    await page.goto(`${emulator.signerWebUrl}/outbox`);
    assert.ok((await page.getByRole("cell", { name: "styret@example.com" }).count()) >= 1);
    await page.screenshot({ path: artifactPath("emulator-outbox.png"), fullPage: true });
    await page.goto(`${emulator.signerWebUrl}/portal`);
    await page.getByLabel(/e-mail/).fill("styret@example.com");
    await page.getByRole("button", { name: "Log in" }).click();
    const section = page.getByRole("region", { name: "Styrevedtak" });
    await page.screenshot({ path: artifactPath("emulator-portal.png"), fullPage: true });
    await section.getByRole("button", { name: "Sign" }).click();
    await page.waitForLoadState();
    assert.equal(await page.getByRole("region", { name: "Styrevedtak" }).count(), 0, "signed jobs leave the list");
    const summary = emulator.control.jobSummary(Number(created.jobId));
    assert.deepEqual(
      summary.signers.map((signer) => signer.status),
      ["SIGNED", "WAITING"],
    );
    assert.equal(summary.signers[1]?.active, true, "the next in order is now active");
    await page.close();
  });
});
