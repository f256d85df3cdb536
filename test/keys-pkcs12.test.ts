import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { CertificateError } from "../src/core/errors";
import { loadCredentials } from "../src/core/keys";
import { toPkcs12, TestCertificateAuthority } from "../src/emulator/pki";
import { repositoryRoot } from "./support/reference";

const fixtures = path.join(repositoryRoot, "test", "fixtures", "keystores");
const keystore = (name: string) => readFileSync(path.join(fixtures, name));

function expectCode(code: string, action: () => unknown): void {
  assert.throws(action, (error: unknown) => error instanceof CertificateError && error.code === code);
}

describe("PKCS#12 keystores of other tools", () => {
  it("reads OpenSSL 3's default (PBES2, AES-256, SHA-256 MAC) with a non-ASCII password and its alias", () => {
    const credentials = loadCredentials({ pkcs12: keystore("pbes2-aes256-sha256mac.p12"), password: "blåbær-æøå", alias: "virksomhet" });
    assert.equal(credentials.organizationNumber, "123456785");
    assert.equal(credentials.subject, "CN=Fixture AS, SERIALNUMBER=123456785, O=Fixture AS, C=NO");
    expectCode("WRONG_PASSWORD", () => loadCredentials({ pkcs12: keystore("pbes2-aes256-sha256mac.p12"), password: "blabaer" }));
    expectCode("ALIAS_NOT_FOUND", () =>
      loadCredentials({ pkcs12: keystore("pbes2-aes256-sha256mac.p12"), password: "blåbær-æøå", alias: "other" }),
    );
  });

  it("reads a legacy keystore (RC2-40 certificates) through the fallback reader", () => {
    const credentials = loadCredentials({ pkcs12: keystore("legacy-rc2.p12"), password: "pw", alias: "virksomhet" });
    assert.equal(credentials.organizationNumber, "123456785");
    expectCode("WRONG_PASSWORD", () => loadCredentials({ pkcs12: keystore("legacy-rc2.p12"), password: "wrong" }));
  });

  it("reads a keystore without MAC, and tells a wrong password by the key that does not decrypt", () => {
    assert.equal(loadCredentials({ pkcs12: keystore("no-mac.p12"), password: "pw" }).organizationNumber, "123456785");
    expectCode("WRONG_PASSWORD", () => loadCredentials({ pkcs12: keystore("no-mac.p12"), password: "wrong" }));
  });

  it("reads the Buypass keystore (PBE-SHA1-3DES) with its chain of three", () => {
    const credentials = loadCredentials(
      {
        pkcs12: readFileSync(
          path.join(repositoryRoot, "test", "fixtures", "real-certificates", "bring-expired-certificate-for-testing.p12"),
        ),
        password: "yJPvczYAoirFfC9M",
      },
      { allowOutsideValidity: true },
    );
    assert.equal(credentials.organizationNumber, "988015814");
    assert.equal(credentials.chain.length, 3);
  });

  it("refuses bytes that are no keystore, and a truncated one", () => {
    expectCode("UNREADABLE_KEYSTORE", () => loadCredentials({ pkcs12: Buffer.from("not a keystore"), password: "x" }));
    const whole = toPkcs12(TestCertificateAuthority.create().issueEnterpriseCertificate(), { password: "pw" });
    expectCode("UNREADABLE_KEYSTORE", () => loadCredentials({ pkcs12: whole.subarray(0, whole.length - 40), password: "pw" }));
  });

  it("does not load node-forge for today's keystores", () => {
    const script =
      `const { loadCredentials } = require(${JSON.stringify(path.join(repositoryRoot, "dist", "src", "core", "keys"))});` +
      `loadCredentials({ pkcs12: require("node:fs").readFileSync(${JSON.stringify(path.join(fixtures, "pbes2-aes256-sha256mac.p12"))}), password: "blåbær-æøå" });` +
      `process.stdout.write(String(Object.keys(require.cache).filter((file) => file.includes("node-forge")).length));`;
    assert.equal(execFileSync(process.execPath, ["-e", script], { encoding: "utf8" }), "0");
  });
});
