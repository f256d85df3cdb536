import type { Page } from "playwright-core";

/** Example 1's web pages as a visitor uses them: the upload form, then the emulator's signer page. */

/** Uploads `pdf` on the form at `formUrl` and waits for the signer page the browser is sent to. */
export async function uploadForSigning(
  page: Page,
  formUrl: string,
  file: { name: string; mimeType: string; buffer: Buffer },
): Promise<void> {
  await page.goto(formUrl);
  await page.locator('input[type="file"]').setInputFiles(file);
  await page.locator('button[type="submit"]').click();
  await page.getByRole("button", { name: "Sign" }).waitFor();
}

/** On the signer page: signs or rejects, and waits until the browser is back on the exit URL `exitPath` of `origin`. */
export async function actOnSignerPage(page: Page, action: "Sign" | "Reject", origin: string, exitPath: string): Promise<void> {
  await Promise.all([page.waitForURL(`${origin}${exitPath}?**`), page.getByRole("button", { name: action }).click()]);
}
