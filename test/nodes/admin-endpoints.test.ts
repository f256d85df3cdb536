import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { type NodeRedHost, startNodeRedHost } from "../../src/cli/node-red-host";
import type { RunningEmulator } from "../../src/emulator";
import { TestCertificateAuthority, toPkcs12 } from "../../src/emulator/pki";
import { startTestEmulator } from "../support/emulator";

/**
 * Issue 14 point 3: the dialog's admin endpoints are no password oracle. Each attack sends the
 * right guess and a wrong one through a real Node-RED's admin HTTP API; the answers must not
 * differ (before the fix, the right guess opened a keystore and the wrong one did not).
 */

const userDir = mkdtempSync(path.join(tmpdir(), "admin-endpoints-"));
const HTTP_NODE_PASSWORD = "http-request-secret";
const ENV_SECRET = "secret-from-the-environment";
let host: NodeRedHost;
let emulator: RunningEmulator;
let storedPassword: string;
let keystoreFile: string;

/** The attacker's own keystore, encrypted with the guess: it opens only if the guess is what the server uses. */
const attacker = TestCertificateAuthority.create("Attacker CA").issueEnterpriseCertificate({ organizationNumber: "987654325" });
const attackerKeystore = (guess: string) => toPkcs12(attacker, { password: guess }).toString("base64");
/** A real environment in the body (the defaults would take the built-in emulator and its own keystore). */
const elsewhere = () => ({ environment: "custom", customUrl: emulator.apiRoot, ca: emulator.caCertificatePem });
/** Node-RED's env type keeps the text around a `${…}` of an unset variable: a body can smuggle a value in this way. */
const smuggled = (value: string) => `${value}\${SIGNERING_TEST_UNSET}`;

interface Answer {
  status: number;
  body: unknown;
}

async function post(endpoint: string, body: unknown): Promise<Answer> {
  const response = await fetch(`${host.url}/signering-config/${endpoint}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** The right guess and a wrong one get the same answer, and the attacker's certificate is never read. */
async function assertNoOracle(endpoint: string, bodyFor: (guess: string) => unknown, right: string): Promise<Answer> {
  const withRight = await post(endpoint, bodyFor(right));
  const withWrong = await post(endpoint, bodyFor("a wrong guess"));
  assert.deepEqual(withRight, withWrong, "the answer does not depend on the guess");
  assert.doesNotMatch(JSON.stringify(withRight.body), /987654325|Attacker/, "the attacker's keystore was never opened");
  return withRight;
}

before(async () => {
  emulator = await startTestEmulator();
  storedPassword = emulator.clientKeystorePassword;
  keystoreFile = path.join(userDir, "deployed.p12");
  writeFileSync(keystoreFile, readFileSync(emulator.clientKeystoreFile));
  process.env.SIGNERING_TEST_SECRET = ENV_SECRET;
  writeFileSync(
    path.join(userDir, "flows_cred.json"),
    JSON.stringify({
      stored: { keystore: readFileSync(emulator.clientKeystoreFile).toString("base64"), password: storedPassword },
      request: { user: "user", password: HTTP_NODE_PASSWORD },
    }),
  );
  host = await startNodeRedHost({
    userDir,
    port: 0,
    logLevel: "error",
    flows: [
      { id: "tab", type: "tab", label: "Admin endpoints" },
      {
        id: "stored",
        type: "signering-config",
        environment: "custom",
        customUrl: emulator.apiRoot,
        ca: emulator.caCertificatePem,
        keystoreSource: "upload",
        version: 1,
      },
      { id: "request", type: "http request", z: "tab", method: "GET", url: "http://127.0.0.1:9/", authType: "basic", wires: [[]] },
    ],
  });
});
after(async () => {
  await host?.stop();
  await emulator?.close();
  delete process.env.SIGNERING_TEST_SECRET;
  rmSync(userDir, { recursive: true, force: true });
});

describe("POST /signering-config/check is no password oracle (issue 14 point 3)", () => {
  it("(a) with a node id, a keystore from the body is not opened with the stored password", async () => {
    const answer = await assertNoOracle(
      "check",
      (guess) => ({ id: "stored", config: { ...elsewhere(), keystoreSource: "env", keystoreEnv: smuggled(attackerKeystore(guess)) } }),
      storedPassword,
    );
    assert.equal((answer.body as { ok: boolean }).ok, true, "the deployed node's own configuration was checked, and passes");
  });

  it("(b) the id of another node type (an http request node's password) is refused", async () => {
    const answer = await assertNoOracle(
      "check",
      (guess) => ({ id: "request", config: { ...elsewhere(), keystoreSource: "env", keystoreEnv: smuggled(attackerKeystore(guess)) } }),
      HTTP_NODE_PASSWORD,
    );
    assert.equal(answer.status, 404);
  });

  it("(c) without an id, a deployed keystore file is never opened with a guess from the body", async () => {
    const answer = await assertNoOracle(
      "check",
      (guess) => ({
        config: { environment: "custom", customUrl: emulator.apiRoot, keystoreSource: "file", keystoreFile },
        credentials: { password: guess },
      }),
      storedPassword,
    );
    assert.match(JSON.stringify(answer.body), /keystore/, "it says no keystore was uploaded");
  });

  it("(d) without an id, passwordEnv does not test the process's environment", async () => {
    await assertNoOracle(
      "check",
      (guess) => ({
        config: {
          environment: "custom",
          customUrl: emulator.apiRoot,
          keystoreSource: "env",
          keystoreEnv: smuggled(attackerKeystore(guess)),
          passwordEnv: "${SIGNERING_TEST_SECRET}",
        },
      }),
      ENV_SECRET,
    );
  });

  it("without an id, a keystore and password the body carries are checked (the dialog's upload)", async () => {
    const answer = await post("check", {
      config: { environment: "custom", customUrl: emulator.apiRoot, ca: emulator.caCertificatePem },
      credentials: { keystore: readFileSync(emulator.clientKeystoreFile).toString("base64"), password: storedPassword },
    });
    assert.equal((answer.body as { ok: boolean }).ok, true);
  });
});

describe("POST /signering-config/certificate (issue 14 point 3)", () => {
  it("reads the stored keystore of a deployed configuration node by id, and of no other node", async () => {
    const stored = await post("certificate", { id: "stored", password: "a guess" });
    assert.equal(stored.status, 200, "the stored password, not the body's");
    assert.equal((stored.body as { organizationNumber: string }).organizationNumber, "123456785");
    const other = await post("certificate", { id: "request" });
    assert.equal(other.status, 404);
  });
});
