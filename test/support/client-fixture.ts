import { after, before } from "node:test";
import { SigneringClient, type SigneringClientOptions } from "../../src/core";
import { type IssuedCertificate, TestCertificateAuthority, toPkcs12 } from "../../src/emulator/pki";
import { MtlsTestServer } from "./mtls-server";

/** The sender organization of the client tests. */
export const ORG = "123456785";
export const NS = 'xmlns="http://signering.posten.no/schema/v1"';

export interface ClientFixture {
  readonly ca: TestCertificateAuthority;
  readonly sender: IssuedCertificate;
  readonly keystore: { pkcs12: Buffer; password: string };
  /** The mTLS test server, started before the file's tests. */
  readonly server: MtlsTestServer;
  /** A client of the test server (no pacing unless asked), closed after the file's tests. */
  client(overrides?: Partial<SigneringClientOptions>): SigneringClient;
}

/** A CA, a sender keystore and an mTLS test server for a test file; registers its before/after hooks. */
export function clientFixture(password = "pw"): ClientFixture {
  const ca = TestCertificateAuthority.create();
  const sender = ca.issueEnterpriseCertificate({ organizationNumber: ORG });
  const keystore = { pkcs12: toPkcs12(sender, { password }), password };
  const clients: SigneringClient[] = [];
  let server: MtlsTestServer | undefined;
  before(async () => {
    server = await MtlsTestServer.start({ ca });
  });
  after(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server?.close();
  });
  return {
    ca,
    sender,
    keystore,
    get server() {
      if (!server) throw new Error("the test server starts in the before hook");
      return server;
    },
    client(overrides = {}) {
      const created = new SigneringClient({
        environment: { url: this.server.apiRoot },
        keystore,
        trustedCertificates: ca.certificatePem,
        rateLimit: false,
        ...overrides,
      });
      clients.push(created);
      return created;
    },
  };
}
