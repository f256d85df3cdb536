import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { describe, it } from "node:test";
import { SigneringClient } from "../src/core/clients/signering-client";
import { API_ROOTS, apiRootOf, defaultTrustAnchors, trustAnchorsOf } from "../src/core/environments";
import { CertificateError, InvalidInputError } from "../src/core/errors";
import { certificateKindOf, loadCredentials, type SenderCredentials } from "../src/core/keys";
import { TestCertificateAuthority } from "../src/emulator/pki";
import { realCertificatesDir, repositoryRoot } from "./support/reference";

/** SHA-256 of each shipped trust anchor (DER), as certificates/README.md lists them. */
const PINNED: Record<string, string> = {
  "production/BPCl3CaG2HTBS.pem": "0E:F5:CE:DC:E4:42:65:B1:12:78:5B:35:9A:21:14:1E:20:F5:53:AA:DA:4C:57:94:04:61:7B:5C:A6:04:6B:E9",
  "production/BPCl3CaG2STBS.pem": "45:E0:58:31:CD:DA:C1:F2:B9:6D:C8:CA:54:62:08:34:C8:76:49:E9:FF:D3:B2:6D:7D:AD:2A:D0:7F:80:72:32",
  "production/BPCl3RootCaG2HT.pem": "AB:93:6D:FD:7F:17:1D:3A:3C:BD:08:F9:BE:BD:C3:F3:BA:AA:BA:A7:9D:F6:A9:08:F8:A7:B0:12:86:27:F1:87",
  "production/BPCl3RootCaG2ST.pem": "F8:C1:6C:6B:4F:D4:5C:B0:67:2E:16:58:2B:88:05:F1:CA:FD:0C:48:D8:66:F4:ED:89:5B:30:E3:52:A9:FA:A6",
  "production/BPClass3CA3.pem": "C4:9C:35:0E:5A:82:05:E0:63:E7:4C:55:4A:99:43:35:B8:43:5C:99:65:27:D4:EF:1A:2B:0C:7B:51:58:4B:2D",
  "production/BPClass3RootCA.pem": "ED:F7:EB:BC:A2:7A:2A:38:4D:38:7B:7D:40:10:C6:66:E2:ED:B4:84:3E:4C:29:B4:AE:1D:5B:93:32:E6:B2:4D",
  "production/CommfidesLegalPersonCA-G3.pem":
    "31:8A:A9:9D:FB:E3:D5:CF:10:BF:1E:3A:5E:8B:D9:21:D5:5C:68:A7:09:01:DA:DC:2C:B6:ED:77:AC:36:35:01",
  "production/CommfidesRootCA-G3.pem": "5A:D1:A2:B5:DA:E0:CE:7D:AE:B4:D1:5E:36:76:00:2D:A3:87:ED:85:2C:16:67:B1:A8:05:43:C4:74:A4:1E:C7",
  "production/digipost_root_ca.pem": "61:0D:B3:96:C2:43:C9:25:01:FE:64:44:16:CF:88:D3:81:95:2A:5B:3B:5C:13:7B:3E:B2:2C:F3:3C:9A:E0:EA",
  "test/BPCl3CaG2HTBS.pem": "2C:9E:0E:C1:46:F1:48:ED:A7:C5:DD:05:55:9C:CD:22:61:E0:C0:D6:6F:63:88:64:FA:E2:1C:77:56:DE:72:10",
  "test/BPCl3CaG2STBS.pem": "2F:36:95:6B:EB:4D:E4:90:7A:3A:0F:B0:94:37:D7:D5:32:F4:A1:25:04:47:3A:00:C1:2C:EB:02:8D:F5:4A:28",
  "test/BPCl3RootCaG2HT.pem": "52:A0:9C:F1:45:87:D7:A5:BE:5F:3D:C6:47:54:12:58:22:FA:EE:A5:D7:5D:15:FD:96:1E:63:C6:F6:3D:3F:70",
  "test/BPCl3RootCaG2ST.pem": "76:06:37:A0:F7:DA:3A:38:76:F6:01:F9:6B:8C:F2:CE:B4:FE:F8:0B:76:BD:6F:05:2E:7B:CB:00:41:DA:35:0D",
  "test/Buypass_Class_3_Test4_CA_3.pem": "B7:61:AB:D7:A4:C4:78:B3:3B:E3:82:BE:51:19:43:C2:0E:50:95:0B:3B:28:99:87:5A:69:2E:1B:EF:2B:DC:1B",
  "test/Buypass_Class_3_Test4_Root_CA.pem":
    "2A:84:75:82:4D:9B:A3:98:17:00:31:B9:B3:98:22:2F:85:7A:59:BD:C5:CC:3B:49:00:5E:AF:DB:55:95:5D:A4",
  "test/CommfidesLegalPersonCA-G3-TEST.pem":
    "94:BB:0E:87:01:B6:17:94:D5:D0:C3:15:42:04:57:10:96:B2:3C:78:B3:3C:87:E7:F9:42:09:70:30:E5:26:D9",
  "test/CommfidesRootCA-G3-TEST.pem": "97:EA:39:02:9D:94:65:83:D4:45:39:51:9A:1F:2C:AE:4A:40:F9:73:3D:17:DA:C1:84:57:24:6A:F5:65:43:25",
  "test/digipost_test_root_ca.pem": "3F:BA:0D:22:8C:BC:8D:79:28:43:3D:7A:B4:62:8F:0F:D1:86:63:FE:FF:06:A9:10:AD:DB:24:16:70:87:9C:12",
};

const certificatesDir = path.join(repositoryRoot, "certificates");
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256;

/** The real Buypass Test4 keystore (expired), read as of a day it was valid. */
function realTestCredentials(): SenderCredentials {
  const pkcs12 = readFileSync(path.join(realCertificatesDir, "bring-expired-certificate-for-testing.p12"));
  return loadCredentials({ pkcs12, password: "yJPvczYAoirFfC9M" }, { now: new Date("2017-06-01T00:00:00Z") });
}

/** An enterprise certificate from a CA named like Buypass' production CA. */
function productionNamedCredentials(): SenderCredentials {
  const issued = TestCertificateAuthority.create("Buypass Class 3 CA 3").issueEnterpriseCertificate({ organizationNumber: "123456785" });
  return loadCredentials({ certificatePem: issued.chainPem, privateKeyPem: issued.keyPem });
}

describe("environments", () => {
  it("has production, test (difitest) and qa (difiqa) API roots, and custom https URLs", () => {
    assert.equal(apiRootOf("production"), "https://api.signering.posten.no/api");
    assert.equal(apiRootOf("test"), "https://api.difitest.signering.posten.no/api");
    assert.equal(apiRootOf("qa"), "https://api.difiqa.signering.posten.no/api");
    assert.deepEqual(Object.keys(API_ROOTS), ["production", "test", "qa"]);
    assert.equal(apiRootOf({ url: "https://127.0.0.1:8443/api/" }), "https://127.0.0.1:8443/api");
    assert.throws(() => apiRootOf("staging" as never), InvalidInputError);
    assert.throws(() => apiRootOf({ url: "http://127.0.0.1/api" }), /must use https/);
  });
});

describe("shipped trust anchors", () => {
  it("are exactly the pinned files, each with its pinned SHA-256 fingerprint", () => {
    const shipped = ["production", "test"].flatMap((folder) =>
      readdirSync(path.join(certificatesDir, folder)).map((file) => `${folder}/${file}`),
    );
    assert.deepEqual(shipped.sort(), Object.keys(PINNED).sort());
    for (const [file, fingerprint] of Object.entries(PINNED)) {
      const pem = readFileSync(path.join(certificatesDir, file), "utf8");
      assert.equal(fingerprintOf(pem), fingerprint, file);
      const der = new X509Certificate(pem).raw;
      assert.equal(createHash("sha256").update(der).digest("hex").toUpperCase().match(/../g)?.join(":"), fingerprint, file);
    }
  });
  it("the README lists the same fingerprints", () => {
    const readme = readFileSync(path.join(certificatesDir, "README.md"), "utf8");
    for (const [file, fingerprint] of Object.entries(PINNED))
      assert.match(readme, new RegExp(`\\| ${file} \\|.*\\| ${fingerprint} \\|`), file);
  });
  it("production trusts the production set; test and qa the test set", () => {
    const fingerprints = (folder: string) =>
      Object.entries(PINNED)
        .filter(([file]) => file.startsWith(`${folder}/`))
        .map(([, fingerprint]) => fingerprint)
        .sort();
    assert.deepEqual(trustAnchorsOf("production").map(fingerprintOf).sort(), fingerprints("production"));
    assert.deepEqual(trustAnchorsOf("test").map(fingerprintOf).sort(), fingerprints("test"));
    assert.deepEqual(trustAnchorsOf("qa").map(fingerprintOf).sort(), fingerprints("test"));
    assert.deepEqual(defaultTrustAnchors("production"), trustAnchorsOf("production"));
  });
  it("never fall back to Node's bundled web roots, and a custom URL has no default", () => {
    const nodeRoots = new Set(tls.rootCertificates.map(fingerprintOf));
    for (const environment of ["production", "test", "qa"] as const) {
      const anchors = defaultTrustAnchors(environment);
      assert.ok(anchors.length < 12, `${environment}: ${anchors.length} anchors`);
      const fromNode = anchors.map(fingerprintOf).filter((fingerprint) => nodeRoots.has(fingerprint));
      assert.ok(
        fromNode.every((fingerprint) => Object.values(PINNED).includes(fingerprint)),
        environment,
      );
    }
    assert.throws(
      () => defaultTrustAnchors({ url: "https://127.0.0.1/api" }),
      (error: unknown) => error instanceof InvalidInputError && error.field === "trustedCertificates",
    );
  });
  it("a client for test is made without trustedCertificates", async () => {
    const client = new SigneringClient({ environment: "test", keystore: realTestCredentials(), rateLimit: false });
    await client.close();
  });
});

describe("certificate classification by issuer", () => {
  it("classifies the real Buypass Test4 certificates as test, with issuer and validity in the summary", () => {
    const credentials = realTestCredentials();
    assert.equal(credentials.kind, "test");
    assert.match(credentials.issuer, /CN=Buypass Class 3 Test4 CA 3/);
    assert.equal(credentials.validTo.toISOString().slice(0, 10), "2018-11-11");
    assert.equal(credentials.expiresWithinDays(30, new Date("2017-06-01T00:00:00Z")), false);
    assert.equal(credentials.expiresWithinDays(30, new Date("2018-10-20T00:00:00Z")), true);
    assert.deepEqual(Object.keys(JSON.parse(JSON.stringify(credentials))).sort(), [
      "issuer",
      "kind",
      "organizationNumber",
      "subject",
      "validFrom",
      "validTo",
    ]);
    for (const file of ["test4-autentiseringssertifikat-vid-europa.cer", "test4-autentiseringssertifikat-qceseal.cer"]) {
      const certificate = new X509Certificate(readFileSync(path.join(realCertificatesDir, file)));
      assert.equal(certificateKindOf(certificate), "test", file);
    }
  });
  it("classifies by the issuer's name: Buypass and Commfides production CAs, their test CAs, and others as unknown", () => {
    const kindOfIssuedBy = (file: string) => certificateKindOf(readFileSync(path.join(certificatesDir, file), "utf8"));
    assert.equal(kindOfIssuedBy("production/BPClass3CA3.pem"), "production"); // issued by Buypass Class 3 Root CA
    assert.equal(kindOfIssuedBy("production/BPCl3CaG2STBS.pem"), "production");
    assert.equal(kindOfIssuedBy("production/CommfidesLegalPersonCA-G3.pem"), "production");
    assert.equal(kindOfIssuedBy("test/Buypass_Class_3_Test4_CA_3.pem"), "test");
    assert.equal(kindOfIssuedBy("test/CommfidesLegalPersonCA-G3-TEST.pem"), "test");
    assert.equal(kindOfIssuedBy("production/digipost_root_ca.pem"), "unknown");
    assert.equal(productionNamedCredentials().kind, "production");
    const emulatorIssued = TestCertificateAuthority.create().issueEnterpriseCertificate();
    assert.equal(certificateKindOf(emulatorIssued.certificatePem), "unknown");
  });
  it("refuses a test certificate against production and a production one against test or qa, naming issuer and environment", () => {
    const refusal = (issuer: RegExp, environment: string) => (error: unknown) =>
      error instanceof CertificateError &&
      error.code === "CERTIFICATE_ENVIRONMENT_MISMATCH" &&
      issuer.test(error.message) &&
      error.message.includes(`environment is ${environment}`);
    assert.throws(
      () => new SigneringClient({ environment: "production", keystore: realTestCredentials() }),
      refusal(/test certificate \(issued by ".*Buypass Class 3 Test4 CA 3.*"\)/, "production"),
    );
    for (const environment of ["test", "qa"] as const) {
      assert.throws(
        () => new SigneringClient({ environment, keystore: productionNamedCredentials() }),
        refusal(/production certificate \(issued by ".*Buypass Class 3 CA 3.*"\)/, environment),
      );
    }
  });
  it("the client's certificate summary has issuer, kind, validity and the expiry helper", async () => {
    const client = new SigneringClient({ environment: "qa", keystore: realTestCredentials(), rateLimit: false });
    try {
      assert.equal(client.certificate.kind, "test");
      assert.equal(client.certificate.organizationNumber, "988015814");
      assert.match(client.certificate.issuer, /Buypass Class 3 Test4 CA 3/);
      assert.equal(client.certificate.expiresWithinDays(0), true, "expired long ago");
    } finally {
      await client.close();
    }
  });
});
