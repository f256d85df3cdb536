import { mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser } from "playwright-core";
import { repositoryRoot } from "./reference";

/** Debian's Chromium, headless, in a fresh profile, with no network besides loopback (nothing to download). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** Screenshots kept as test artefacts (git-ignored). */
export function artifactPath(name: string): string {
  const dir = path.join(repositoryRoot, "test-artifacts");
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
