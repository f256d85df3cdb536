import forge from "node-forge";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { IssuedCertificate, TestCertificateAuthority } from "../../src/emulator/pki";

/**
 * A TLS server certificate from the tests' CA with a subject of the test's choosing, e.g. a
 * common name that starts with Posten's organization number but no organizationIdentifier or
 * serialNumber (`CN=984661185.attacker.example`): what anyone could get from a web CA.
 */
export function serverCertificateWithSubject(
  ca: TestCertificateAuthority,
  subject: { shortName: string; value: string }[],
): IssuedCertificate {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const caCertificate = forge.pki.certificateFromPem(ca.certificatePem);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKey);
  certificate.serialNumber = `01${randomBytes(15).toString("hex")}`;
  certificate.validity.notBefore = new Date(Date.now() - 86_400_000);
  certificate.validity.notAfter = new Date(Date.now() + 86_400_000);
  certificate.setSubject(subject);
  certificate.setIssuer(caCertificate.subject.attributes);
  certificate.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }] },
  ]);
  certificate.sign(forge.pki.privateKeyFromPem(ca.keyPem), forge.md.sha256.create());
  const certificatePem = forge.pki.certificateToPem(certificate);
  return { keyPem: privateKey, certificatePem, chainPem: certificatePem + ca.certificatePem };
}
