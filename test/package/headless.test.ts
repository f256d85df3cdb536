import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { freePort } from "../../src/cli/node-red-host";
import { repositoryRoot, testDocumentsDir } from "../support/reference";
import {
  type EmulatorInfo,
  filesUnder,
  installInto,
  type NodeRedProcess,
  packedTarball,
  startEmulatorCommand,
  startNodeRed,
} from "./support";

/**
 * Headless, as operators run it (README, "Running headless"): the packed package installed with
 * `--omit=dev`, Node-RED started with deploy/settings.js (no editor, no admin API) and
 * deploy/flows.json (example 2's portal batch) as they are in the repository, every secret only
 * in environment variables, and `posten-signering emulator` as a process of its own. Jobs run
 * through to signed, stored and confirmed; afterwards no file holds a secret.
 */

const run = promisify(execFile);
const DEPLOY_DIR = path.join(repositoryRoot, "deploy");
const TIMEOUT_MS = 90_000;

interface JobSummary {
  id: number;
  status: string;
  awaitingConfirmation: boolean;
  signers: { index: number; status: string; active: boolean }[];
}

describe("a headless Node-RED: editor and admin API off, flows from a file, secrets from the environment", () => {
  const workDir = mkdtempSync(path.join(tmpdir(), "headless-"));
  const userDir = path.join(workDir, "node-red");
  const runDir = path.join(workDir, "run"); // Node-RED's working directory: contracts/ in, signed-documents/ out
  let emulator: { info: EmulatorInfo; stop(): Promise<void> };
  let nodeRed: NodeRedProcess | undefined;
  let origin: string;
  let keystoreBase64: string;

  before(
    async () => {
      await installInto(userDir, await packedTarball());
      emulator = await startEmulatorCommand(userDir, path.join(workDir, "emulator"));
      mkdirSync(path.join(runDir, "contracts"), { recursive: true });
      for (const name of ["employment-contract.pdf", "nda.pdf"]) {
        copyFileSync(path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf"), path.join(runDir, "contracts", name));
      }
      keystoreBase64 = readFileSync(emulator.info.clientKeystoreFile).toString("base64");
      const port = await freePort();
      origin = `http://127.0.0.1:${port}`;
      nodeRed = await startNodeRed({
        userDir,
        settingsFile: path.join(DEPLOY_DIR, "settings.js"),
        cwd: runDir,
        env: {
          ...process.env,
          PORT: String(port),
          NODE_RED_HOST: "127.0.0.1",
          SIGNERING_API_URL: emulator.info.apiRoot,
          SIGNERING_CA_PEM: readFileSync(emulator.info.caCertificateFile, "utf8"),
          SIGNERING_P12_BASE64: keystoreBase64,
          SIGNERING_P12_PASSWORD: emulator.info.clientKeystorePassword,
        },
      });
    },
    { timeout: 8 * 60_000 },
  );
  after(async () => {
    await nodeRed?.stop();
    await emulator?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("serves neither the editor nor the admin API", async () => {
    assert.match(nodeRed!.output(), /Admin UI disabled/);
    for (const [method, url] of [
      ["GET", "/"],
      ["GET", "/flows"],
      ["POST", "/flows"],
      ["GET", "/settings"],
      ["GET", "/nodes"],
    ] as const) {
      const response = await fetch(`${origin}${url}`, {
        method,
        ...(method === "POST" ? { headers: { "content-type": "application/json" }, body: "[]" } : {}),
      });
      assert.equal(response.status, 404, `${method} ${url}`);
    }
  });

  it(
    "runs example 2's portal batch to signed, stored and confirmed, signing through the emulator's control API",
    { timeout: TIMEOUT_MS + 10_000 },
    async () => {
      const started = await fetch(`${origin}/batch`, { method: "POST" });
      assert.equal(started.status, 202, await started.text());

      const control = emulator.info.controlUrl;
      const deadline = Date.now() + TIMEOUT_MS;
      let jobs: JobSummary[];
      for (;;) {
        jobs = (await (await fetch(`${control}/jobs`)).json()) as JobSummary[];
        // Sign as each signer whose turn it is (signing order: the second signer of the first contract waits for the first).
        for (const job of jobs) {
          for (const signer of job.signers.filter((s) => s.active && s.status === "WAITING")) {
            const signed = await fetch(`${control}/jobs/${job.id}/signers/${signer.index}/sign`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: "{}",
            });
            assert.equal(signed.status, 200, await signed.text());
          }
        }
        const stored = signedFiles();
        const done = jobs.length === 2 && jobs.every((job) => job.status === "COMPLETED_SUCCESSFULLY" && !job.awaitingConfirmation);
        if (done && stored.filter((file) => file.endsWith(".xml")).length === 2) break;
        if (Date.now() > deadline) assert.fail(`not done in ${TIMEOUT_MS} ms: ${JSON.stringify(jobs)}; stored: ${stored.join(", ")}`);
        await sleep(500);
      }
      assert.deepEqual(jobs.map((job) => job.signers.length).sort(), [1, 2]);
      assert.deepEqual(signedFiles().sort(), [
        "signed-job-1-signer-1.xml",
        "signed-job-1.pdf",
        "signed-job-2-signer-1.xml",
        "signed-job-2.pdf",
      ]);
      const pdf = path.join(runDir, "signed-documents", "signed-job-1.pdf");
      const { stdout } = await run("pdfsig", [pdf]);
      assert.match(stdout, /Signature Validation: Signature is Valid\./, stdout);
      assert.doesNotMatch(nodeRed!.output(), /\[error\]/, nodeRed!.output());
    },
  );

  it("wrote no secret to disk or to the log: no flows_cred.json, no password, no keystore", async () => {
    await nodeRed!.stop(); // whatever Node-RED writes when it stops is scanned too
    const password = emulator.info.clientKeystorePassword;
    const keystore = readFileSync(emulator.info.clientKeystoreFile);
    // A piece from the middle of the keystore is its encrypted content, which no other file has by chance.
    const middle = Math.floor(keystore.length / 2);
    const secrets: [string, Buffer][] = [
      ["the keystore password", Buffer.from(password)],
      ["the keystore's base64", Buffer.from(keystoreBase64.slice(middle, middle + 64))],
      ["the keystore", keystore.subarray(middle, middle + 64)],
    ];
    const files = [...filesUnder(userDir), ...filesUnder(runDir)];
    assert.ok(files.length > 0);
    assert.equal(
      files.find((file) => path.basename(file).startsWith("flows_cred")),
      undefined,
    );
    assert.ok(!existsSync(path.join(userDir, "flows.json")), "the flows stay in deploy/, not copied to the user directory");
    for (const file of files) {
      const content = readFileSync(file);
      for (const [what, secret] of secrets) assert.equal(content.indexOf(secret), -1, `${what} in ${file}`);
    }
    for (const [what, secret] of secrets.slice(0, 2)) assert.ok(!nodeRed!.output().includes(secret.toString()), `${what} in the log`);
  });

  function signedFiles(): string[] {
    const dir = path.join(runDir, "signed-documents");
    return existsSync(dir) ? readdirSync(dir) : [];
  }
});
