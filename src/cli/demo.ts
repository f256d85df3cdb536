import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { PDFDocument, StandardFonts } from "pdf-lib";
import { type RunningEmulator, startEmulator } from "../emulator";
import { exampleOnTab, freePort, startNodeRedHost } from "./node-red-host";

/**
 * `npm run demo`: runs examples 1 and 2 headlessly in a real Node-RED against an emulator of
 * its own (the examples' configuration pointed at it as a custom URL), acts as the signers
 * (through the web pages for example 1, the control API for example 2), and checks that the
 * signed files were written and every change confirmed.
 * Example 3 is deployed too, so all three are known to load (Node-RED starts no flows while a
 * node type is missing).
 */

const TIMEOUT_MS = 90_000;

export async function runDemo(): Promise<number> {
  const workDir = mkdtempSync(path.join(tmpdir(), "posten-signering-demo-"));
  // The examples read and write files relative to Node-RED's file working directory: its user directory here.
  const userDir = path.join(workDir, "node-red");
  const emulator = await startEmulator({ dataDir: path.join(workDir, "emulator"), emptyQueueWaitSeconds: 2 });
  process.env[KEYSTORE_ENV] = readFileSync(emulator.clientKeystoreFile).toString("base64");
  process.env[PASSWORD_ENV] = emulator.clientKeystorePassword;
  const host = await startNodeRedHost({
    userDir,
    port: await freePort(),
    flows: [
      ...exampleOnTab("01 Direct signing on a web site.json", "demo-1", "Example 1"),
      ...exampleOnTab("02 Portal batch with notifications and signing order.json", "demo-2", "Example 2"),
      ...exampleOnTab("03 Direct signing with polling.json", "demo-3", "Example 3"),
    ].map((node) => (node.type === "signering-config" ? { ...node, ...customEnvironment(emulator) } : node)),
    logLevel: "warn",
  });
  const results: [string, boolean, string][] = [];
  try {
    await writeContracts(path.join(userDir, "contracts"));
    results.push(await directSigningThroughTheBrowserPages(host.url, userDir, emulator));
    results.push(await portalBatch(host.url, userDir, emulator));
  } catch (error) {
    results.push(["demo", false, (error as Error).message]);
  } finally {
    await host.stop();
    await emulator.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  for (const [name, ok, detail] of results) process.stdout.write(`${ok ? "✔" : "✘"} ${name}: ${detail}\n`);
  const failed = results.filter(([, ok]) => !ok).length;
  process.stdout.write(failed === 0 ? "Demo passed.\n" : `Demo failed (${failed}).\n`);
  return failed === 0 ? 0 : 1;
}

export const KEYSTORE_ENV = "SIGNERING_DEMO_P12";
export const PASSWORD_ENV = "SIGNERING_DEMO_P12_PASSWORD";

/** The examples' configuration, pointed at the demo's emulator as a custom URL (its client keystore in environment variables). */
export function customEnvironment(emulator: RunningEmulator): Record<string, unknown> {
  return {
    environment: "custom",
    customUrl: emulator.apiRoot,
    keystoreSource: "env",
    keystoreEnv: KEYSTORE_ENV,
    passwordEnv: PASSWORD_ENV,
    ca: emulator.caCertificatePem,
    serverOrgCheck: false,
  };
}

async function directSigningThroughTheBrowserPages(
  nodeRed: string,
  userDir: string,
  emulator: RunningEmulator,
): Promise<[string, boolean, string]> {
  const name = "example 1, direct signing on a web site";
  const form = new FormData();
  form.set("pin", "01019010046");
  form.set(
    "document",
    new Blob([Buffer.from(await samplePdf("Employment contract"))], { type: "application/pdf" }),
    "employment-contract.pdf",
  );
  const started = await fetch(`${nodeRed}/signering/start`, { method: "POST", body: form, redirect: "manual" });
  const signerPage = started.headers.get("location");
  if (started.status !== 303 || !signerPage) return [name, false, `starting gave HTTP ${started.status}: ${await started.text()}`];
  const page = await (await fetch(signerPage)).text();
  const action = /<form method="post" action="([^"]+\/sign)">/.exec(page)?.[1];
  if (!action) return [name, false, "the signer page has no Sign button"];
  const signed = await fetch(new URL(action, signerPage), { method: "POST", redirect: "manual" });
  const exitUrl = signed.headers.get("location");
  if (!exitUrl) return [name, false, `signing gave HTTP ${signed.status}`];
  // The cookie the start response set comes back with the browser, as a browser would send it.
  const cookie = started.headers
    .getSetCookie()
    .map((header) => header.split(";")[0])
    .join("; ");
  const result = await fetch(exitUrl, { headers: { cookie, "accept-language": "en" } });
  const text = await result.text();
  if (!result.ok || !/the document is signed/.test(text))
    return [name, false, `the exit page said HTTP ${result.status}: ${text.slice(0, 200)}`];
  const files = listSigned(userDir);
  if (!files.some((file) => file.endsWith(".pdf"))) return [name, false, "no signed PDF was written"];
  const jobId = Number(/<dt>Job<\/dt><dd>(\d+)/.exec(text)?.[1]);
  if (emulator.control.jobSummary(jobId).awaitingConfirmation) return [name, false, `job ${jobId} was not confirmed`];
  return [name, true, `job ${jobId} signed in the signer page, ${files.join(", ")} written, confirmed`];
}

async function portalBatch(nodeRed: string, userDir: string, emulator: RunningEmulator): Promise<[string, boolean, string]> {
  const name = "example 2, portal batch";
  const before = new Set(emulator.control.outbox().map((notification) => notification.jobId));
  const injected = await fetch(`${nodeRed}/inject/a2i0000000000001`, { method: "POST" });
  if (!injected.ok) return [name, false, `could not trigger the batch: HTTP ${injected.status}`];
  const deadline = Date.now() + TIMEOUT_MS;
  const signed = new Set<string>();
  const jobs = new Set<number>();
  while (Date.now() < deadline) {
    for (const notification of emulator.control.outbox()) {
      if (before.has(notification.jobId)) continue;
      jobs.add(notification.jobId);
      const key = `${notification.jobId}/${notification.signer}`;
      if (signed.has(key)) continue;
      try {
        emulator.control.sign(notification.jobId, notification.signer);
        signed.add(key);
      } catch {
        // not this signer's turn yet
      }
    }
    const summaries = [...jobs].map((id) => emulator.control.jobSummary(id));
    const files = listSigned(userDir);
    const done = jobs.size === 2 && summaries.every((job) => job.status === "COMPLETED_SUCCESSFULLY" && !job.awaitingConfirmation);
    if (done && files.filter((file) => file.endsWith(".xml")).length >= 2) {
      return [
        name,
        true,
        `${jobs.size} jobs, ${signed.size} signatures in signing order, ${files.length} files written, every change confirmed`,
      ];
    }
    await sleep(250);
  }
  return [
    name,
    false,
    `timed out: jobs ${[...jobs].map((id) => JSON.stringify(emulator.control.jobSummary(id))).join(", ")}, files ${listSigned(userDir).join(", ")}`,
  ];
}

function listSigned(userDir: string): string[] {
  const dir = path.join(userDir, "signed-documents");
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

async function writeContracts(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "employment-contract.pdf"), await samplePdf("Employment contract"));
  writeFileSync(path.join(dir, "nda.pdf"), await samplePdf("Non-disclosure agreement"));
}

export async function samplePdf(title: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const page = pdf.addPage([595, 842]);
  page.drawText(title, { x: 72, y: 760, size: 20, font: await pdf.embedFont(StandardFonts.Helvetica) });
  return pdf.save();
}

if (require.main === module) {
  runDemo().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
