import { randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InvalidInputError } from "../core/errors";
import { loadCredentials, type SenderCredentials } from "../core/keys";
import { TestCertificateAuthority, toPkcs12 } from "./pki";

/** A valid organization number (mod-11 check digit 5) for the test sender. */
export const DEFAULT_ORGANIZATION_NUMBER = "123456785";

/** The emulator's certificates, made on first start and reused after. */
export interface EmulatorIdentity {
  /** The test sender organization of the client keystore. */
  organizationNumber: string;
  caCertificateFile: string;
  caCertificatePem: string;
  ca: X509Certificate;
  server: { keyPem: string; chainPem: string };
  /** The server's certificate and key, which also seal the signed documents. */
  seal: SenderCredentials;
  clientKeystoreFile: string;
  clientKeystorePassword: string;
}

/**
 * The data directory holds keys, documents and national identity numbers: what the emulator
 * makes there is for its user alone (folders 0700, files 0600).
 */
export const PRIVATE_FOLDER = 0o700;
export const PRIVATE_FILE = 0o600;

/** Makes the certificates in a new data directory, or reads them; `organizationNumber` is for a new client keystore. */
export function prepareIdentity(dataDir: string, organizationNumber: string | undefined): EmulatorIdentity {
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_FOLDER });
  const file = (name: string) => path.join(dataDir, name);
  if (!existsSync(file("ca.pem"))) {
    const ca = TestCertificateAuthority.create();
    const server = ca.issueServerCertificate();
    const password = randomBytes(12).toString("base64url");
    const client = ca.issueEnterpriseCertificate({
      organizationNumber: organizationNumber ?? DEFAULT_ORGANIZATION_NUMBER,
      organizationName: "Emulator Test Sender AS",
    });
    // Written last-first so a half-made directory (no ca.pem) is made again in full.
    writeFileSync(file("client.p12"), toPkcs12(client, { password, alias: "signering" }), { mode: PRIVATE_FILE });
    writeFileSync(file("client-password.txt"), password, { mode: PRIVATE_FILE });
    writeFileSync(file("server-key.pem"), server.keyPem, { mode: PRIVATE_FILE });
    writeFileSync(file("server.pem"), server.chainPem, { mode: PRIVATE_FILE });
    writeFileSync(file("ca-key.pem"), ca.keyPem, { mode: PRIVATE_FILE });
    writeFileSync(file("ca.pem.incomplete"), ca.certificatePem, { mode: PRIVATE_FILE });
    renameSync(file("ca.pem.incomplete"), file("ca.pem"));
  }
  const caCertificatePem = readFileSync(file("ca.pem"), "utf8");
  const server = { keyPem: readFileSync(file("server-key.pem"), "utf8"), chainPem: readFileSync(file("server.pem"), "utf8") };
  const clientKeystorePassword = readFileSync(file("client-password.txt"), "utf8").trim();
  const client = loadCredentials({ pkcs12: readFileSync(file("client.p12")), password: clientKeystorePassword });
  if (organizationNumber !== undefined && client.organizationNumber !== organizationNumber) {
    throw new InvalidInputError(
      "organizationNumber",
      `the data directory ${dataDir} already has a client keystore for organization ${client.organizationNumber}, not ${organizationNumber}`,
    );
  }
  return {
    organizationNumber: client.organizationNumber,
    caCertificateFile: file("ca.pem"),
    caCertificatePem,
    ca: new X509Certificate(caCertificatePem),
    server,
    seal: loadCredentials({ certificatePem: server.chainPem, privateKeyPem: server.keyPem }),
    clientKeystoreFile: file("client.p12"),
    clientKeystorePassword,
  };
}

/**
 * The ports an emulator listened on, kept in its data directory so that a restart keeps its addresses (and the signer links handed
 * out).
 */
export interface RememberedPorts {
  port: number;
  webPort: number;
}

const PORTS_FILE = "ports.json";

export function readRememberedPorts(dataDir: string): RememberedPorts | undefined {
  const file = path.join(dataDir, PORTS_FILE);
  if (!existsSync(file)) return undefined;
  let ports: unknown;
  try {
    ports = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    ports = undefined;
  }
  const valid = (value: unknown) => Number.isInteger(value) && (value as number) > 0 && (value as number) <= 65535;
  const { port, webPort } = (ports ?? {}) as Partial<Record<keyof RememberedPorts, unknown>>;
  if (!valid(port) || !valid(webPort))
    throw new InvalidInputError("dataDir", `${file} does not hold two port numbers ({"port": N, "webPort": N}); correct or delete it`);
  return { port: port as number, webPort: webPort as number };
}

export function rememberPorts(dataDir: string, ports: RememberedPorts): void {
  const file = path.join(dataDir, PORTS_FILE);
  writeFileSync(`${file}.incomplete`, `${JSON.stringify(ports)}\n`, { mode: PRIVATE_FILE });
  renameSync(`${file}.incomplete`, file);
}

/** A certificate authority for issuing more test certificates from the emulator's CA (tests, other organizations). */
export function certificateAuthorityOf(dataDir: string): TestCertificateAuthority {
  return TestCertificateAuthority.load(
    readFileSync(path.join(dataDir, "ca-key.pem"), "utf8"),
    readFileSync(path.join(dataDir, "ca.pem"), "utf8"),
  );
}
