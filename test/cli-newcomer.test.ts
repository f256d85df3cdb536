import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { TestCertificateAuthority, toPkcs12 } from "../src/emulator/pki";
import { cliPath, runCli } from "./support/cli";
import { startConnectProxy, type ConnectProxy } from "./support/connect-proxy";
import { samplePdf } from "./support/jobs";
import { MtlsTestServer } from "./support/mtls-server";
import { repositoryRoot } from "./support/reference";

const ca = TestCertificateAuthority.create();
const dir = mkdtempSync(path.join(tmpdir(), "cli-newcomer-"));
const keystoreFile = path.join(dir, "sender.p12");
const caFile = path.join(dir, "ca.pem");
const env = { SENDER_P12_PASSWORD: "hemmelig" };
let server: MtlsTestServer;

const keystore = ["--keystore", keystoreFile, "--keystore-password-env", "SENDER_P12_PASSWORD"];
const connection = () => ["--env", server.apiRoot, ...keystore, "--ca", caFile];
const pades = Buffer.concat([Buffer.from("%PDF-1.7\n"), Buffer.alloc(64 * 1024, 7)]);

function writeJob(name: string, job: Record<string, unknown>): string {
  const file = path.join(dir, name);
  writeFileSync(
    file,
    JSON.stringify({
      flow: "direct",
      title: "Employment contract",
      documents: [{ title: "Contract", file: "contract.pdf" }],
      signers: [{ personalIdentificationNumber: "01019010046" }],
      exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no", error: "https://example.com/err" },
      ...job,
    }),
  );
  return file;
}

const modeOf = (file: string) => statSync(file).mode & 0o777;

before(async () => {
  writeFileSync(keystoreFile, toPkcs12(ca.issueEnterpriseCertificate({ organizationNumber: "123456785" }), { password: "hemmelig" }));
  writeFileSync(caFile, ca.certificatePem);
  writeFileSync(path.join(dir, "contract.pdf"), samplePdf("contract"));
  server = await MtlsTestServer.start({ ca });
  server.on("GET", "/123456785/archive/documents/doc-7/pades", {
    status: 200,
    headers: { "content-type": "application/pdf" },
    body: pades,
  });
  server.on("GET", "/123456785/direct/signature-jobs/1/pades", {
    status: 200,
    headers: { "content-type": "application/pdf" },
    body: pades,
  });
  server.on("GET", "/123456785/portal/signature-jobs", { status: 204, headers: { "X-Next-permitted-poll-time": "2030-01-01T10:00:00Z" } });
});
after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the CLI as a newcomer meets it", () => {
  it("prints the package's version", async () => {
    const result = await runCli(["--version"]);
    assert.equal(result.code, 0);
    const { version } = JSON.parse(readFileSync(path.join(repositoryRoot, "package.json"), "utf8")) as { version: string };
    assert.equal(result.stdout, `${version}\n`);
  });

  it("shows a command's own options and an example for <command> --help and help <command>", async () => {
    const bundle = await runCli(["bundle", "--help"]);
    assert.equal(bundle.code, 0);
    assert.match(bundle.stdout, /^Usage: posten-signering bundle --job FILE --keystore FILE\.p12 --keystore-password-env VAR --out FILE/);
    assert.match(bundle.stdout, /--no-pin-checksum/);
    assert.match(bundle.stdout, /Example:\n {2}P12_PASSWORD=… posten-signering bundle --job job\.json/);
    assert.doesNotMatch(bundle.stdout, /--status-url|--proxy|posten-signering poll/, "only bundle's options");
    const download = await runCli(["help", "download"]);
    assert.equal(download.code, 0);
    assert.match(download.stdout, /--max-download-bytes BYTES +refuse a download larger than this/);
    assert.match(download.stdout, /--proxy-env VAR/);
    assert.match(download.stdout, /HTTPS_PROXY/);
    assert.ok(download.stdout.split("\n").length < 40);
  });

  it("says in the help that production is the default and how to pick test", async () => {
    for (const args of [["--help"], ["check", "--help"]]) {
      const help = await runCli(args);
      assert.match(help.stdout, /production unless --env says otherwise: --env test for Posten's test service \(difitest\)/);
    }
  });

  it("answers a mistyped option in two lines naming the nearest valid one, exit 2", async () => {
    const result = await runCli(["poll", "--flow", "portal", "--evn", "test", ...keystore], env);
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      'posten-signering: unknown option --evn for poll; did you mean --env?\nSee "posten-signering poll --help".\n',
    );
    assert.equal(result.stdout, "");
    const elsewhere = await runCli(["poll", "--job", "job.json"]);
    assert.equal(elsewhere.code, 2);
    assert.match(elsewhere.stderr, /^posten-signering: --job is not an option for poll\n/);
    const noValue = await runCli(["bundle", "--job", "--out", "x.asice"]);
    assert.equal(noValue.code, 2);
    assert.match(noValue.stderr, /--job needs a value: --job FILE/);
  });

  it("answers an unknown command with the nearest, exit 2", async () => {
    const result = await runCli(["bundel", "--job", "job.json"]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'posten-signering: unknown command "bundel"; did you mean bundle?\nSee "posten-signering --help".\n');
    const far = await runCli(["frobnicate"]);
    assert.equal(far.code, 2);
    assert.doesNotMatch(far.stderr, /did you mean/);
  });

  it("suggests the environment meant by a mistyped --env", async () => {
    const result = await runCli(["poll", "--flow", "portal", "--env", "tset", ...keystore], env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--env: must be production, test, qa or an https URL, was "tset"; did you mean test\?/);
  });
});

describe("a job file with several mistakes", () => {
  it("reports every problem in one run, one line each, the file's own with validation's, and writes nothing", async () => {
    const job = writeJob("four-mistakes.json", {
      title: "x".repeat(81),
      documents: [
        { title: "Contract", file: "contract.pdf" },
        { title: "Missing", file: "missing.pdf" },
        { title: 42, file: "contract.pdf" },
      ],
      signers: [{ personalIdentificationNumber: "01019010047" }],
      exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no" },
    });
    const out = path.join(dir, "four-mistakes.asice");
    for (const command of [
      ["bundle", "--job", job, ...keystore, "--out", out],
      ["create", "--job", job, ...connection()],
    ]) {
      const result = await runCli(command, env);
      assert.equal(result.code, 1, result.stderr);
      const lines = result.stderr.trimEnd().split("\n");
      assert.match(lines[0] ?? "", new RegExp(`^posten-signering ${command[0]}: 5 problems \\[INVALID_INPUT\\]$`));
      const problems = lines.slice(1).map((line) => line.trim());
      assert.deepEqual(problems.map((line) => line.split(":")[0]).sort(), [
        "documents[1].file",
        "documents[2].title",
        "exitUrls.error",
        "signers[0].personalIdentificationNumber",
        "title",
      ]);
      assert.ok(problems.includes("documents[1].file: cannot read missing.pdf: ENOENT"), problems.join("\n"));
      assert.ok(problems.includes("title: must be at most 80 characters, was 81"), problems.join("\n"));
      assert.doesNotMatch(result.stderr, /01019010047/, "national identity numbers stay masked");
    }
    assert.equal(existsSync(out), false);
    assert.equal(server.requests.filter((request) => request.method === "POST").length, 0, "nothing was sent");
  });

  it("reports a bad flow beside the problems of the fields both flows share", async () => {
    const job = writeJob("bad-flow.json", { flow: "sideways", title: "" });
    const result = await runCli(["bundle", "--job", job, ...keystore, "--out", path.join(dir, "bad-flow.asice")], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^ {2}flow: must be "direct" or "portal", was "sideways"$/m);
    assert.match(result.stderr, /^ {2}title: /m);
  });

  it("refuses a document over 10 MB without reading it", async () => {
    const large = path.join(dir, "large.pdf");
    writeFileSync(large, Buffer.alloc(10 * 1024 * 1024 + 1));
    const job = writeJob("large.json", { documents: [{ title: "Large", file: "large.pdf" }] });
    const result = await runCli(["bundle", "--job", job, ...keystore, "--out", path.join(dir, "large.asice")], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /documents\[0\]\.file: large\.pdf is 10485761 bytes; a document may be at most 10485760 \(10 MB\)/);
  });
});

describe("files with personal data", () => {
  it("bundle --out writes the file 0600 and the folders it makes 0700, and narrows an existing file", async () => {
    const out = path.join(dir, "made", "by", "bundle", "job.asice");
    const result = await runCli(["bundle", "--job", writeJob("modes.json", {}), ...keystore, "--out", out], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(modeOf(out), 0o600);
    for (const folder of ["made", "made/by", "made/by/bundle"]) assert.equal(modeOf(path.join(dir, folder)), 0o700, folder);
    chmodSync(out, 0o644);
    const again = await runCli(["bundle", "--job", path.join(dir, "modes.json"), ...keystore, "--out", out], env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(modeOf(out), 0o600);
  });

  it("download --out and archive --out write 0600 files in 0700 folders", async () => {
    const downloaded = path.join(dir, "downloads", "signed.pdf");
    const url = `${server.apiRoot}/123456785/direct/signature-jobs/1/pades`;
    const download = await runCli(["download", "--url", url, "--out", downloaded, ...connection()], env);
    assert.equal(download.code, 0, download.stderr);
    assert.deepEqual(readFileSync(downloaded), pades);
    assert.equal(modeOf(downloaded), 0o600);
    assert.equal(modeOf(path.dirname(downloaded)), 0o700);
    const archived = path.join(dir, "archive", "archived.pdf");
    const archive = await runCli(["archive", "--id", "doc-7", "--out", archived, ...connection()], env);
    assert.equal(archive.code, 0, archive.stderr);
    assert.equal(modeOf(archived), 0o600);
    assert.equal(modeOf(path.dirname(archived)), 0o700);
  });

  it("keeps an existing folder's mode", async () => {
    const shared = path.join(dir, "shared");
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    const out = path.join(shared, "job.asice");
    const result = await runCli(["bundle", "--job", writeJob("shared.json", {}), ...keystore, "--out", out], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(modeOf(shared), 0o755);
    assert.equal(modeOf(out), 0o600);
  });
});

describe("--max-download-bytes", () => {
  it("refuses a larger download, leaving no file, and takes a large enough one", async () => {
    const url = `${server.apiRoot}/123456785/direct/signature-jobs/1/pades`;
    const out = path.join(dir, "limited.pdf");
    const refused = await runCli(["download", "--url", url, "--out", out, "--max-download-bytes", "1000", ...connection()], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /1000/);
    assert.equal(existsSync(out), false);
    const archive = await runCli(
      ["archive", "--id", "doc-7", "--out", out, "--max-download-bytes", String(pades.length), ...connection()],
      env,
    );
    assert.equal(archive.code, 0, archive.stderr);
    assert.equal(readFileSync(out).length, pades.length);
    const bad = await runCli(["download", "--url", url, "--out", out, "--max-download-bytes", "lots", ...connection()], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--max-download-bytes: must be a whole number of bytes from 1, was "lots"/);
  });
});

describe("proxy credentials stay out of argv", () => {
  let proxy: ConnectProxy;
  before(async () => (proxy = await startConnectProxy()));
  after(() => proxy.close());
  const credentialed = () => proxy.url.replace("http://", "http://ola:s3cret-pw@");
  const poll = () => ["poll", "--flow", "portal", ...connection()];

  it("--proxy-env VAR takes the proxy URL from the environment, credentials and all, without a warning", async () => {
    const before = proxy.authorizations.length;
    const result = await runCli([...poll(), "--proxy-env", "SIGNERING_PROXY"], { ...env, SIGNERING_PROXY: credentialed() });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(proxy.authorizations.length, before + 1, "the call went through the proxy");
    assert.equal(proxy.authorizations.at(-1), `Basic ${Buffer.from("ola:s3cret-pw").toString("base64")}`);
    assert.equal(result.stderr, "");
  });

  it("warns on stderr when --proxy carries credentials, without printing them", async () => {
    const result = await runCli([...poll(), "--proxy", credentialed()], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /warning: --proxy carries credentials, which every local user can read .*--proxy-env VAR \(or set HTTPS_PROXY\)/,
    );
    assert.doesNotMatch(result.stderr, /s3cret/);
    const plain = await runCli([...poll(), "--proxy", proxy.url], env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stderr, "");
  });

  it("refuses both flags, and an unset variable, as usage errors that echo no URL", async () => {
    const both = await runCli([...poll(), "--proxy", proxy.url, "--proxy-env", "SIGNERING_PROXY"], {
      ...env,
      SIGNERING_PROXY: credentialed(),
    });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give --proxy or --proxy-env, not both/);
    const unset = await runCli([...poll(), "--proxy-env", "NOT_SET_ANYWHERE"], env);
    assert.equal(unset.code, 2);
    assert.match(unset.stderr, /--proxy-env: the environment variable NOT_SET_ANYWHERE is not set/);
    const bad = await runCli([...poll(), "--proxy-env", "SIGNERING_PROXY"], { ...env, SIGNERING_PROXY: "not a url s3cret" });
    assert.equal(bad.code, 2);
    assert.doesNotMatch(bad.stderr, /s3cret/);
  });
});

describe("the emulator's start", () => {
  it("prints a check command that passes when pasted into a shell", { timeout: 60_000 }, async () => {
    const dataDir = path.join(dir, "emulator data");
    const emulator = spawn(process.execPath, [cliPath, "emulator", "--port", "0", "--web-port", "0", "--data-dir", dataDir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let stderr = "";
      const command = await new Promise<string>((resolve, reject) => {
        emulator.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk.toString();
          const line = /^ {2}(EMULATOR_P12_PASSWORD=.*)$/m.exec(stderr)?.[1];
          if (line) resolve(line);
        });
        emulator.once("exit", (code) => reject(new Error(`the emulator exited ${code}: ${stderr}`)));
      });
      assert.match(
        command,
        /--env https:\/\/127\.0\.0\.1:\d+\/api --ca '.*emulator data\/ca\.pem' --keystore '.*emulator data\/client\.p12'/,
      );
      const pasted = command.replace("npx posten-signering", `${JSON.stringify(process.execPath)} ${JSON.stringify(cliPath)}`);
      const check = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const shell = spawn("sh", ["-c", pasted], { stdio: ["ignore", "pipe", "inherit"] });
        let stdout = "";
        shell.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        shell.once("exit", (code) => resolve({ code, stdout }));
      });
      assert.equal(check.code, 0, check.stdout);
      assert.equal((JSON.parse(check.stdout) as { ok: boolean }).ok, true);
    } finally {
      emulator.kill("SIGTERM");
    }
  });
});
