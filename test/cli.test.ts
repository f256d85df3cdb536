import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import JSZip from "jszip";
import type { PreflightReport } from "../src/core/preflight";
import type { RunningEmulator } from "../src/emulator";
import { TestCertificateAuthority, toPkcs12 } from "../src/emulator/pki";
import { runCli, type CliRun } from "./support/cli";
import { startTestEmulator } from "./support/emulator";
import { samplePdf } from "./support/jobs";
import { MtlsTestServer, xmlResponse } from "./support/mtls-server";

const ca = TestCertificateAuthority.create();
const dir = mkdtempSync(path.join(tmpdir(), "cli-test-"));
const keystoreFile = path.join(dir, "sender.p12");
const caFile = path.join(dir, "ca.pem");
const jobFile = path.join(dir, "job.json");
const NS = 'xmlns="http://signering.posten.no/schema/v1"';
let server: MtlsTestServer;

/** `posten-signering bundle` of a job file with the test keystore. */
function bundle(job: string, out: string): Promise<CliRun> {
  return run(["bundle", "--job", job, "--keystore", keystoreFile, "--keystore-password-env", "SENDER_P12_PASSWORD", "--out", out]);
}

function run(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runCli(args, { SENDER_P12_PASSWORD: "hemmelig", ...env });
}

const connection = () => [
  "--env",
  server.apiRoot,
  "--keystore",
  keystoreFile,
  "--keystore-password-env",
  "SENDER_P12_PASSWORD",
  "--ca",
  caFile,
];

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
    const result = await bundle(jobFile, out);
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
    assert.deepEqual(
      response.signers.map((signer: { href: string }) => signer.href),
      [1, 2].map((n) => `${server.apiRoot}/123456785/direct/signature-jobs/1/signers/${n}`),
    );
  });

  it("poll prints NO_CHANGES with the next permitted poll time", async () => {
    server.on("GET", "/123456785/portal/signature-jobs?polling_queue=q1", {
      status: 204,
      headers: { "X-Next-permitted-poll-time": "2030-01-01T10:00:00Z" },
    });
    const result = await run(["poll", "--flow", "portal", "--queue", "q1", ...connection()]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), {
      flow: "portal",
      status: "NO_CHANGES",
      nextPermittedPollTime: "2030-01-01T10:00:00.000Z",
    });
  });

  it("refuses a server that is not Posten's with exit 1 and a clear message, unless told not to check", async () => {
    const impostor = await MtlsTestServer.start({ ca, certificate: ca.issueServerCertificate({ organizationNumber: "123456785" }) });
    try {
      impostor.on("GET", "/123456785/portal/signature-jobs", {
        status: 204,
        headers: { "X-Next-permitted-poll-time": "2030-01-01T10:00:00Z" },
      });
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

describe("posten-signering bundle validates as create does", () => {
  const base = () => JSON.parse(readFileSync(jobFile, "utf8")) as Record<string, unknown>;
  const pdfDocument = { title: "Contract", file: "contract.pdf" };
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["21 documents", { documents: Array.from({ length: 21 }, () => pdfDocument) }, /documents: must have at most 20 entries, had 21/],
    [
      "11 signers",
      { signers: Array.from({ length: 11 }, (_, i) => ({ customIdentifier: `s${i}` })) },
      /signers: must have at most 10 entries, had 11/,
    ],
    [
      "bad national ID check digits",
      { signers: [{ personalIdentificationNumber: "01019010047" }] },
      /signers\[0\]\.personalIdentificationNumber: 010190\*{5} has wrong check digits/,
    ],
    ["an 81-character title", { title: "x".repeat(81) }, /title: must be at most 80 characters, was 81/],
    [
      "a text file as PDF",
      { documents: [{ title: "Notes", file: "notes.txt", mimeType: "application/pdf" }] },
      /documents\[0\]\.content: must be a PDF/,
    ],
    [
      "a missing exit URL",
      { exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no" } },
      /exitUrls\.error: is required/,
    ],
    [
      "a control character in a document title",
      { documents: [{ title: "Avtale\u0001", file: "contract.pdf" }] },
      /documents\[0\]\.title: contains a character XML does not allow \(U\+0001 at position 7\)/,
    ],
  ];
  before(() => writeFileSync(path.join(dir, "notes.txt"), "Just some notes\n"));
  for (const [label, change, message] of cases) {
    it(`refuses ${label}, naming the field and the limit, and writes no file`, async () => {
      const badJob = path.join(dir, `bad-${label.replace(/\W+/g, "-")}.json`);
      writeFileSync(badJob, JSON.stringify({ ...base(), ...change }));
      const out = path.join(dir, `bad-${label.replace(/\W+/g, "-")}.asice`);
      const result = await bundle(badJob, out);
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stderr, message);
      assert.match(result.stderr, /\[INVALID_INPUT\]/);
      assert.equal(existsSync(out), false, "no bundle written");
    });
  }
  it("bundles a .txt document as text/plain", async () => {
    const textJob = path.join(dir, "text-job.json");
    writeFileSync(textJob, JSON.stringify({ ...base(), documents: [pdfDocument, { title: "Notes", file: "notes.txt" }] }));
    const out = path.join(dir, "text-job.asice");
    const result = await bundle(textJob, out);
    assert.equal(result.code, 0, result.stderr);
    const zip = await JSZip.loadAsync(readFileSync(out));
    assert.deepEqual(Object.keys(zip.files), ["0000_contract.pdf", "0001_notes.txt", "manifest.xml", "META-INF/signatures.xml"]);
    assert.match(JSON.parse(result.stdout).manifest, /<document href="0001_notes.txt" mime="text\/plain">/);
  });
});

describe("posten-signering check, archive and connection options", () => {
  let emulator: RunningEmulator;
  let emulatorCa: string;
  before(async () => {
    emulator = await startTestEmulator();
    emulatorCa = path.join(dir, "emulator-ca.pem");
    writeFileSync(emulatorCa, emulator.caCertificatePem);
  });
  after(async () => emulator.close());
  const emulatorConnection = () => [
    "--env",
    emulator.apiRoot,
    "--keystore",
    emulator.clientKeystoreFile,
    "--keystore-password-env",
    "EMULATOR_P12_PASSWORD",
    "--ca",
    emulatorCa,
  ];
  const emulatorEnv = () => ({ EMULATOR_P12_PASSWORD: emulator.clientKeystorePassword });

  it("check passes every step against the emulator, prints the report and exits 0", async () => {
    const result = await run(["check", ...emulatorConnection()], emulatorEnv());
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = JSON.parse(result.stdout) as PreflightReport;
    assert.equal(report.ok, true);
    assert.equal(report.certificate?.organizationNumber, "123456785");
    assert.deepEqual(
      report.checks.map((check) => [check.name, check.ok]),
      ["keystore", "certificate", "trust anchors", "network", "tls", "api"].map((name) => [name, true]),
    );
  });

  it("check exits 1 at the network step on a closed port, and with a wrong password at the keystore step", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const args = ["check", ...emulatorConnection()];
    args[2] = `https://127.0.0.1:${port}/api`;
    const refused = await run(args, emulatorEnv());
    assert.equal(refused.code, 1);
    const report = JSON.parse(refused.stdout) as PreflightReport;
    assert.equal(report.ok, false);
    assert.equal(report.checks.at(-1)?.name, "network");
    assert.match(report.checks.at(-1)?.detail ?? "", /ECONNREFUSED/);
    const wrong = await run(["check", ...emulatorConnection()], { EMULATOR_P12_PASSWORD: "wrong" });
    assert.equal(wrong.code, 1);
    assert.deepEqual(
      (JSON.parse(wrong.stdout) as PreflightReport).checks.map((check) => [check.name, check.ok]),
      [["keystore", false]],
    );
  });

  it("archive writes the archived PAdES of a document id", async () => {
    const pades = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(4096, 7)]);
    server.on("GET", "/123456785/archive/documents/doc-7/pades", {
      status: 200,
      headers: { "content-type": "application/pdf" },
      body: pades,
    });
    const out = path.join(dir, "archived.pdf");
    const result = await run(["archive", "--id", "doc-7", "--out", out, ...connection()]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), { out, bytes: pades.length });
    assert.deepEqual(readFileSync(out), pades);
  });

  it("takes --env qa and timeouts, and refuses bad values naming the flag, without echoing a proxy URL", async () => {
    const badTimeout = await run(["poll", "--flow", "direct", ...connection(), "--response-timeout", "soon"]);
    assert.equal(badTimeout.code, 2);
    assert.match(badTimeout.stderr, /--response-timeout: must be milliseconds from 1 to 600000, was "soon"/);
    const badProxy = await run(["poll", "--flow", "direct", ...connection(), "--proxy", "not a url with s3cret"]);
    assert.equal(badProxy.code, 2);
    assert.match(badProxy.stderr, /--proxy: must be a URL/);
    assert.doesNotMatch(badProxy.stderr, /s3cret/);
    const badEnv = await run(["poll", "--flow", "direct", ...connection().slice(2), "--env", "staging"]);
    assert.match(badEnv.stderr, /--env: must be production, test, qa or an https URL/);
    // A production certificate against qa (difiqa) is refused before anything is sent.
    const productionKeystore = path.join(dir, "production.p12");
    const issued = TestCertificateAuthority.create("Buypass Class 3 CA 3").issueEnterpriseCertificate({ organizationNumber: "123456785" });
    writeFileSync(productionKeystore, toPkcs12(issued, { password: "hemmelig" }));
    const qa = await run([
      "poll",
      "--flow",
      "direct",
      "--env",
      "qa",
      "--keystore",
      productionKeystore,
      "--keystore-password-env",
      "SENDER_P12_PASSWORD",
      "--connect-timeout",
      "500",
    ]);
    assert.equal(qa.code, 1);
    assert.match(
      qa.stderr,
      /production certificate \(issued by ".*Buypass Class 3 CA 3.*"\), but the environment is qa.*\[CERTIFICATE_ENVIRONMENT_MISMATCH\]/,
    );
  });

  it("create --dump-dir keeps the sent bundle, and --debug logs the request on stderr", async () => {
    server.on(
      "POST",
      "/123456785/direct/signature-jobs",
      xmlResponse(
        `<direct-signature-job-response ${NS}><signature-job-id>2</signature-job-id><redirect-url>https://r/2</redirect-url>` +
          `<signer href="${server.apiRoot}/123456785/direct/signature-jobs/2/signers/1"><personal-identification-number>01019010046</personal-identification-number><redirect-url>https://r/2</redirect-url></signer>` +
          `<signer href="${server.apiRoot}/123456785/direct/signature-jobs/2/signers/2"><signer-identifier>c-42</signer-identifier><redirect-url>https://r/3</redirect-url></signer></direct-signature-job-response>`,
      ),
    );
    const dumpDir = path.join(dir, "dumps");
    const result = await run(["create", "--job", jobFile, "--dump-dir", dumpDir, "--debug", ...connection()]);
    assert.equal(result.code, 0, result.stderr);
    const dumped = readdirSync(dumpDir);
    assert.equal(dumped.length, 1);
    assert.match(dumped[0] ?? "", /^\d{8}T\d{6}Z-optional\.asice$/);
    const zip = await JSZip.loadAsync(readFileSync(path.join(dumpDir, dumped[0] as string)));
    assert.deepEqual(Object.keys(zip.files), ["0000_contract.pdf", "manifest.xml", "META-INF/signatures.xml"]);
    assert.match(result.stderr, /^debug: .*POST .*\/123456785\/direct\/signature-jobs.*→ 200/m);
    assert.doesNotMatch(result.stderr, /hemmelig|PRIVATE KEY/);
  });

  it("lists every command in --help, and each command's --help its options", async () => {
    const help = await run(["--help"]);
    assert.equal(help.code, 0);
    for (const command of ["check", "bundle", "create", "archive", "download", "emulator"])
      assert.match(help.stdout, new RegExp(`^  ${command} `, "m"));
    const create = await run(["create", "--help"]);
    for (const flag of [
      "--proxy URL",
      "--connect-timeout MS",
      "--response-timeout MS",
      "--download-timeout MS",
      "--debug",
      "--dump-dir DIR",
      "qa",
    ])
      assert.ok(create.stdout.includes(flag), flag);
  });
});
