import { generateKeyPairSync } from "node:crypto";
import forge from "node-forge";
import { TestCertificateAuthority } from "../../src/emulator/pki";

export interface IntermediateOptions {
  /** basicConstraints cA (default true). */
  ca?: boolean;
  /** keyUsage keyCertSign (default true); false for a keyUsage without it, "absent" for no keyUsage extension at all. */
  keyCertSign?: boolean | "absent";
  pathLength?: number;
  notBefore?: Date;
  notAfter?: Date;
}

const DAY = 24 * 60 * 60 * 1000;

/**
 * A certificate issued by `issuer` with the basicConstraints, keyUsage and validity a test
 * chooses, used as a CA that issues enterprise certificates in turn (their chain: leaf, this one).
 */
export function intermediateCa(
  issuer: TestCertificateAuthority,
  commonName: string,
  options: IntermediateOptions = {},
): TestCertificateAuthority {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  const issuerCertificate = forge.pki.certificateFromPem(issuer.certificatePem);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.publicKeyFromPem(publicKey);
  certificate.serialNumber = "0a" + forge.util.bytesToHex(forge.random.getBytesSync(15));
  certificate.validity.notBefore = options.notBefore ?? new Date(Date.now() - DAY);
  certificate.validity.notAfter = options.notAfter ?? new Date(Date.now() + 365 * DAY);
  certificate.setSubject([
    { shortName: "C", value: "NO" },
    { shortName: "CN", value: commonName },
  ]);
  certificate.setIssuer(issuerCertificate.subject.attributes);
  certificate.setExtensions([
    {
      name: "basicConstraints",
      cA: options.ca ?? true,
      ...(options.pathLength === undefined ? {} : { pathLenConstraint: options.pathLength }),
      critical: true,
    },
    ...(options.keyCertSign === "absent"
      ? []
      : [{ name: "keyUsage", keyCertSign: options.keyCertSign ?? true, cRLSign: true, digitalSignature: true, critical: true }]),
  ]);
  certificate.sign(forge.pki.privateKeyFromPem(issuer.keyPem), forge.md.sha256.create());
  return TestCertificateAuthority.load(privateKey, forge.pki.certificateToPem(certificate));
}
