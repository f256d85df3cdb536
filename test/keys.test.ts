import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { describe, it } from "node:test";
import { CertificateError } from "../src/core/errors";
import { formatRfc2253, loadCredentials, organizationNumberOfCertificate, readCertificateName } from "../src/core/keys";
import { TestCertificateAuthority, toPkcs12 } from "../src/emulator/pki";
import { xadesTestVectorDir } from "./support/reference";

const ca = TestCertificateAuthority.create("Test Root CA, with comma");
const enterprise = ca.issueEnterpriseCertificate({ organizationNumber: "123456785" });

function expectCertificateError(code: string, action: () => unknown): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof CertificateError, `expected a CertificateError, got ${String(error)}`);
    assert.equal(error.code, code);
    return true;
  });
}

describe("loadCredentials", () => {
  it("reads a PKCS#12 keystore: key, chain leaf first, subject, organization number, validity", () => {
    const credentials = loadCredentials({ pkcs12: toPkcs12(enterprise, { password: "secret" }), password: "secret" });
    assert.equal(credentials.organizationNumber, "123456785");
    assert.equal(credentials.chain.length, 2);
    assert.ok(credentials.chain[0]?.checkIssued(credentials.chain[1] as X509Certificate));
    assert.match(credentials.subject, /^CN=Test Sender AS, SERIALNUMBER=123456785, organizationIdentifier=NTRNO-123456785/);
    assert.ok(credentials.validTo > new Date());
  });

  it("reads 3DES keystores as older issuers write them", () => {
    const credentials = loadCredentials({ pkcs12: toPkcs12(enterprise, { password: "pw", legacy3des: true }), password: "pw" });
    assert.equal(credentials.organizationNumber, "123456785");
  });

  it("reads PEM key and chain", () => {
    const credentials = loadCredentials({ certificatePem: enterprise.chainPem, privateKeyPem: enterprise.keyPem });
    assert.equal(credentials.chain.length, 2);
    assert.equal(credentials.organizationNumber, "123456785");
  });

  it("never shows key material when serialized", () => {
    const credentials = loadCredentials({ certificatePem: enterprise.chainPem, privateKeyPem: enterprise.keyPem });
    const json = JSON.stringify(credentials);
    assert.doesNotMatch(json, /PRIVATE KEY/);
    assert.match(json, /123456785/);
    assert.deepEqual(Object.keys(credentials).includes("privateKey"), false);
  });

  it("says the password is wrong", () => {
    expectCertificateError("WRONG_PASSWORD", () =>
      loadCredentials({ pkcs12: toPkcs12(enterprise, { password: "right" }), password: "wrong" }),
    );
  });

  it("says a file is not a keystore", () => {
    expectCertificateError("UNREADABLE_KEYSTORE", () => loadCredentials({ pkcs12: Buffer.from("not a keystore"), password: "x" }));
  });

  it("refuses an expired and a not yet valid certificate", () => {
    const expired = ca.issueEnterpriseCertificate({ notBefore: new Date("2020-01-01"), notAfter: new Date("2021-01-01") });
    expectCertificateError("CERTIFICATE_EXPIRED", () =>
      loadCredentials({ certificatePem: expired.chainPem, privateKeyPem: expired.keyPem }),
    );
    const future = ca.issueEnterpriseCertificate({
      notBefore: new Date(Date.now() + 86_400_000 * 30),
      notAfter: new Date(Date.now() + 86_400_000 * 60),
    });
    expectCertificateError("CERTIFICATE_NOT_YET_VALID", () =>
      loadCredentials({ certificatePem: future.chainPem, privateKeyPem: future.keyPem }),
    );
  });

  it("refuses a certificate without organization number, naming the subject", () => {
    const plain = ca.issueEnterpriseCertificate({ withoutOrganizationNumber: true, organizationName: "No Number AS" });
    assert.throws(
      () => loadCredentials({ certificatePem: plain.chainPem, privateKeyPem: plain.keyPem }),
      (error: unknown) =>
        error instanceof CertificateError && error.code === "NO_ORGANIZATION_NUMBER" && /No Number AS/.test(error.message),
    );
  });

  it("chooses the key entry by alias and lists the aliases when it is missing", () => {
    const keystore = toPkcs12(enterprise, { password: "pw", alias: "virksomhet" });
    assert.equal(loadCredentials({ pkcs12: keystore, password: "pw", alias: "virksomhet" }).organizationNumber, "123456785");
    assert.throws(
      () => loadCredentials({ pkcs12: keystore, password: "pw", alias: "other" }),
      (error: unknown) => error instanceof CertificateError && error.code === "ALIAS_NOT_FOUND" && /virksomhet/.test(error.message),
    );
  });
});

describe("Java RFC 2253 names", () => {
  it("prints the test vector's issuer as the Java client does", () => {
    const certificate = new X509Certificate(readFileSync(path.join(xadesTestVectorDir, "certificate.pem")));
    assert.equal(formatRfc2253(readCertificateName(certificate.raw, "issuer")), "CN=Avsender,OU=Avsender,O=Avsender,L=Oslo,ST=NO,C=NO");
  });

  it("hex-encodes organizationIdentifier and serialNumber, and escapes special characters", () => {
    const name = formatRfc2253(readCertificateName(new X509Certificate(enterprise.certificatePem).raw, "subject"));
    assert.equal(
      name,
      "CN=Test Sender AS,2.5.4.5=#1309313233343536373835,2.5.4.97=#0c0f4e54524e4f2d313233343536373835,O=Test Sender AS,C=NO",
    );
    const issuer = formatRfc2253(readCertificateName(new X509Certificate(enterprise.certificatePem).raw, "issuer"));
    assert.equal(issuer, "CN=Test Root CA\\, with comma,O=Emulator,C=NO");
  });

  it("finds the organization number in a server certificate", () => {
    assert.equal(organizationNumberOfCertificate(ca.issueServerCertificate().certificatePem), "984661185");
  });
});

describe("test PKI", () => {
  it("issues certificates that complete a mutual TLS handshake on loopback", async () => {
    const server = ca.issueServerCertificate();
    const listener = tls.createServer(
      { key: server.keyPem, cert: server.chainPem, ca: ca.certificatePem, requestCert: true, rejectUnauthorized: true },
      (socket) => {
        socket.end(`hello ${organizationNumberOfCertificate(socket.getPeerX509Certificate() as X509Certificate)}`);
      },
    );
    await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
    const port = (listener.address() as { port: number }).port;
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect(
          { host: "127.0.0.1", port, key: enterprise.keyPem, cert: enterprise.chainPem, ca: ca.certificatePem },
          () => {
            let data = "";
            socket.on("data", (chunk) => (data += chunk));
            socket.on("end", () => resolve(data));
          },
        );
        socket.on("error", reject);
      });
      assert.equal(reply, "hello 123456785");
    } finally {
      listener.close();
    }
  });
});
