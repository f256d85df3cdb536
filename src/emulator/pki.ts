import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

/**
 * A small certificate authority for the emulator and for tests: it issues Posten's TLS server
 * certificate and enterprise certificates for test organizations, shaped like the real Buypass
 * ones (organization number as organizationIdentifier `NTRNO-…` and as serialNumber).
 */

export const POSTEN_ORGANIZATION_NUMBER = "984661185";

export interface IssuedCertificate {
  /** PKCS#8 PEM private key. */
  keyPem: string;
  certificatePem: string;
  /** Leaf first, then the CA. */
  chainPem: string;
}

export interface EnterpriseCertificateOptions {
  organizationNumber?: string;
  organizationName?: string;
  /** Omit the organization number from the subject (an invalid enterprise certificate). */
  withoutOrganizationNumber?: boolean;
  notBefore?: Date;
  notAfter?: Date;
}

export interface ServerCertificateOptions {
  organizationNumber?: string;
  hosts?: string[];
}

export interface Pkcs12Options {
  password: string;
  alias?: string;
  /** Older issuers' PBE-SHA1-3DES instead of AES-256. */
  legacy3des?: boolean;
}

const DAY = 24 * 60 * 60 * 1000;

export class TestCertificateAuthority {
  private constructor(
    readonly keyPem: string,
    readonly certificatePem: string,
  ) {}

  static create(commonName = "Posten signering emulator test CA"): TestCertificateAuthority {
    const keys = generateRsaKeys();
    const certificate = forge.pki.createCertificate();
    certificate.publicKey = keys.forgePublic;
    certificate.serialNumber = randomSerial();
    setValidity(certificate, new Date(Date.now() - DAY), new Date(Date.now() + 3650 * DAY));
    const name = [{ shortName: "C", value: "NO" }, utf8Attribute("O", "Emulator"), utf8Attribute("CN", commonName)];
    certificate.setSubject(name);
    certificate.setIssuer(name);
    certificate.setExtensions([
      { name: "basicConstraints", cA: true, critical: true },
      { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
      { name: "subjectKeyIdentifier" },
    ]);
    certificate.sign(forge.pki.privateKeyFromPem(keys.privatePem), forge.md.sha256.create());
    return new TestCertificateAuthority(keys.privatePem, forge.pki.certificateToPem(certificate));
  }

  /** Reloads a CA saved as its PEM key and certificate. */
  static load(keyPem: string, certificatePem: string): TestCertificateAuthority {
    return new TestCertificateAuthority(keyPem, certificatePem);
  }

  /** Posten's TLS server certificate as the client checks it: organization number in the subject. */
  issueServerCertificate(options: ServerCertificateOptions = {}): IssuedCertificate {
    const organizationNumber = options.organizationNumber ?? POSTEN_ORGANIZATION_NUMBER;
    const hosts = options.hosts ?? ["127.0.0.1", "::1", "localhost"];
    return this.issue(enterpriseSubject("Posten signering emulator", "Posten Bring AS", organizationNumber), [
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: hosts.map((host) => (/^[\d.]+$|:/.test(host) ? { type: 7, ip: host } : { type: 2, value: host })),
      },
    ]);
  }

  /** An enterprise certificate (virksomhetssertifikat) for a sender organization. */
  issueEnterpriseCertificate(options: EnterpriseCertificateOptions = {}): IssuedCertificate {
    const organizationName = options.organizationName ?? "Test Sender AS";
    const subject = options.withoutOrganizationNumber
      ? [{ shortName: "C", value: "NO" }, utf8Attribute("O", organizationName), utf8Attribute("CN", organizationName)]
      : enterpriseSubject(organizationName, organizationName, options.organizationNumber ?? "123456785");
    return this.issue(
      subject,
      [
        { name: "keyUsage", digitalSignature: true, keyEncipherment: true, nonRepudiation: true, critical: true },
        { name: "extKeyUsage", clientAuth: true },
      ],
      options.notBefore,
      options.notAfter,
    );
  }

  private issue(subject: forge.pki.CertificateField[], extensions: object[], notBefore?: Date, notAfter?: Date): IssuedCertificate {
    const ca = forge.pki.certificateFromPem(this.certificatePem);
    const keys = generateRsaKeys();
    const certificate = forge.pki.createCertificate();
    certificate.publicKey = keys.forgePublic;
    certificate.serialNumber = randomSerial();
    setValidity(certificate, notBefore ?? new Date(Date.now() - DAY), notAfter ?? new Date(Date.now() + 825 * DAY));
    certificate.setSubject(subject);
    // forge parses UTF8String values as raw bytes but encodes them again on output.
    certificate.setIssuer(
      ca.subject.attributes.map((attribute) =>
        attribute.valueTagClass === (forge.asn1.Type.UTF8 as unknown)
          ? { ...attribute, value: forge.util.decodeUtf8(attribute.value as string) }
          : attribute,
      ),
    );
    certificate.setExtensions([...extensions, { name: "basicConstraints", cA: false }, { name: "subjectKeyIdentifier" }]);
    certificate.sign(forge.pki.privateKeyFromPem(this.keyPem), forge.md.sha256.create());
    const certificatePem = forge.pki.certificateToPem(certificate);
    return { keyPem: keys.privatePem, certificatePem, chainPem: certificatePem + this.certificatePem };
  }
}

/** Packs an issued certificate, its chain and key into a password-protected PKCS#12 (.p12). */
export function toPkcs12(issued: IssuedCertificate, options: Pkcs12Options): Buffer {
  const chain = (issued.chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) =>
    forge.pki.certificateFromPem(pem),
  );
  const asn1 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(issued.keyPem), chain, options.password, {
    algorithm: options.legacy3des ? "3des" : "aes256",
    friendlyName: options.alias ?? "signering",
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
}

function enterpriseSubject(commonName: string, organizationName: string, organizationNumber: string): forge.pki.CertificateField[] {
  return [
    { shortName: "C", value: "NO" },
    utf8Attribute("O", organizationName),
    // organizationIdentifier (2.5.4.97), as SEID 2 certificates carry it.
    { type: "2.5.4.97", value: `NTRNO-${organizationNumber}`, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class },
    { name: "serialNumber", value: organizationNumber },
    utf8Attribute("CN", commonName),
  ];
}

/** A UTF8String attribute (forge's default PrintableString cannot hold names like "Bærum"). */
function utf8Attribute(shortName: string, value: string): forge.pki.CertificateField {
  return { shortName, value, valueTagClass: forge.asn1.Type.UTF8 as unknown as forge.asn1.Class };
}

function generateRsaKeys(): { privatePem: string; forgePublic: forge.pki.PublicKey } {
  // node:crypto generates keys ~50 times faster than node-forge's pure-JS prime search.
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  return { privatePem: privateKey, forgePublic: forge.pki.publicKeyFromPem(publicKey) };
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f; // positive
  return bytes.toString("hex");
}

function setValidity(certificate: forge.pki.Certificate, notBefore: Date, notAfter: Date): void {
  certificate.validity.notBefore = notBefore;
  certificate.validity.notAfter = notAfter;
}
