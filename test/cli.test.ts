import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import JSZip from "jszip";
import { TestCertificateAuthority, toPkcs12 } from "../src/emulator/pki";
import { samplePdf } from "./support/jobs";
import { MtlsTestServer, xmlResponse } from "./support/mtls-server";
import { repositoryRoot } from "./support/reference";

const cli = path.join(repositoryRoot, "dist", "src", "cli", "main.js");
const ca = TestCertificateAuthority.create();
const dir = mkdtempSync(path.join(tmpdir(), "cli-test-"));
const keystoreFile = path.join(dir, "sender.p12");
const caFile = path.join(dir, "ca.pem");
const jobFile = path.join(dir, "job.json");
const NS = 'xmlns="http://signering.posten.no/schema/v1"';
let server: MtlsTestServer;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, SENDER_P12_PASSWORD: "hemmelig", ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const connection = () => ["--env", server.apiRoot, "--keystore", keystoreFile, "--keystore-password-env", "SENDER_P12_PASSWORD", "--ca", caFile];

before(async () => {
  writeFileSync(keystoreFile, toPkcs12(ca.issueEnterpriseCertificate({ organizationNumber: "123456785" }), { password: "hemmelig" }));
  writeFileSync(caFile, ca.certificatePem);
  writeFileSync(path.join(dir, "contract.pdf"), samplePdf("contract"));
  writeFileSync(
    jobFile,
    JSON.stringify({
      flow: "direct",
      title: "Employment contract",
      description: "optional",
      reference: "optional",
      sender: { organizationNumber: "123456785" },
      documents: [{ title: "Contract", file: "contract.pdf" }],
      signers: [{ personalIdentificationNumber: "01019010046" }, { customIdentifier: "c-42" }],
      exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no", error: "https://example.com/err" },
    }),
  );
  server = await MtlsTestServer.start({ ca });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("posten-signering CLI", () => {
  it("bundle writes the signed ASiC-E of the job JSON from the README", async () => {
    const out = path.join(dir, "job.asice");
    const result = await run(["bundle", "--job", jobFile, "--keystore", keystoreFile, "--keystore-password-env", "SENDER_P12_PASSWORD", "--out", out]);
    assert.equal(result.code, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { bytes: number; sender: string };
    assert.equal(printed.sender, "123456785");
    const zip = await JSZip.loadAsync(readFileSync(out));
    assert.deepEqual(Object.keys(zip.files), ["0000_contract.pdf", "manifest.xml", "META-INF/signatures.xml"]);
    assert.equal(readFileSync(out).length, printed.bytes);
  });

  it("create prints the job response with the service's URLs as they came", async () => {
    server.on(
      "POST",
      "/123456785/direct/signature-jobs",
      xmlResponse(
        `<direct-signature-job-response ${NS}><signature-job-id>1</signature-job-id><redirect-url>https://r/1</redirect-url><status-url>${server.apiRoot}/123456785/direct/signature-jobs/1/status</status-url>` +
          `<signer href="${server.apiRoot}/123456785/direct/signature-jobs/1/signers/1"><personal-identification-number>01019010046</personal-identification-number><redirect-url>https://r/1</redirect-url></signer>` +
          `<signer href="${server.apiRoot}/123456785/direct/signature-jobs/1/signers/2"><signer-identifier>c-42</signer-identifier><redirect-url>https://r/2</redirect-url></signer></direct-signature-job-response>`,
      ),
    );
    const result = await run(["create", "--job", jobFile, ...connection()]);
    assert.equal(result.code, 0, result.stderr);
    const response = JSON.parse(result.stdout);
    assert.equal(response.statusUrl, `${server.apiRoot}/123456785/direct/signature-jobs/1/status`);
    assert.deepEqual(response.signers.map((signer: { href: string }) => signer.href), [1, 2].map((n) => `${server.apiRoot}/123456785/direct/signature-jobs/1/signers/${n}`));
  });

  it("poll prints NO_CHANGES with the next permitted poll time", async () => {
    server.on("GET", "/123456785/portal/signature-jobs?polling_queue=q1", { status: 204, headers: { "X-Next-permitted-poll-time": "2030-01-01T10:00:00Z" } });
    const result = await run(["poll", "--flow", "portal", "--queue", "q1", ...connection()]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { flow: "portal", status: "NO_CHANGES", nextPermittedPollTime: "2030-01-01T10:00:00.000Z" });
  });

  it("refuses a server that is not Posten's with exit 1 and a clear message, unless told not to check", async () => {
    const impostor = await MtlsTestServer.start({ ca, certificate: ca.issueServerCertificate({ organizationNumber: "123456785" }) });
    try {
      impostor.on("GET", "/123456785/portal/signature-jobs", { status: 204, headers: { "X-Next-permitted-poll-time": "2030-01-01T10:00:00Z" } });
      const args = ["poll", "--flow", "portal", "--env", impostor.apiRoot, ...connection().slice(2)];
      const refused = await run(args);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /belongs to organization 123456785, expected Posten \(984661185\).*\[UNTRUSTED_SERVER\]/);
      const accepted = await run([...args, "--no-server-org-check"]);
      assert.equal(accepted.code, 0, accepted.stderr);
    } finally {
      await impostor.close();
    }
  });

  it("names the field and exits 2 for usage errors, and never takes a password from argv", async () => {
    const missing = await run(["poll", "--flow", "portal", "--keystore", keystoreFile, "--keystore-password-env", "NOT_SET_ANYWHERE"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--keystore-password-env: the environment variable NOT_SET_ANYWHERE is not set/);
    const unknown = await run(["poll", "--password", "x"]);
    assert.equal(unknown.code, 2);
    const badFlow = await run(["poll", "--flow", "sideways", ...connection()]);
    assert.equal(badFlow.code, 2);
    assert.match(badFlow.stderr, /--flow: must be direct or portal/);
  });

  it("reports a wrong keystore password without revealing anything", async () => {
    const result = await run(["poll", "--flow", "direct", ...connection()], { SENDER_P12_PASSWORD: "wrong" });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /keystore password is wrong \[WRONG_PASSWORD\]/);
    assert.doesNotMatch(result.stderr, /hemmelig|wrong\b.*wrong/);
  });

  it("reports invalid job input with the field and the limit", async () => {
    const badJob = path.join(dir, "bad.json");
    writeFileSync(badJob, JSON.stringify({ ...JSON.parse(readFileSync(jobFile, "utf8")), title: "x".repeat(81) }));
    const result = await run(["create", "--job", badJob, ...connection()]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /title: must be at most 80 characters, was 81 \[INVALID_INPUT\]/);
  });
});
