import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { checkConnection, type PreflightReport } from "../src/core";
import type { RunningEmulator } from "../src/emulator";
import { TestCertificateAuthority, toPkcs12 } from "../src/emulator/pki";
import { startTestEmulator } from "./support/emulator";
import { MtlsTestServer } from "./support/mtls-server";

const STEPS = ["keystore", "certificate", "trust anchors", "network", "tls", "api"];
let emulator: RunningEmulator;

const emulatorOptions = () => ({
  environment: { url: emulator.apiRoot },
  keystore: { pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword },
  trustedCertificates: emulator.caCertificatePem,
});

function assertStoppedAt(report: PreflightReport, step: string, detail: RegExp): void {
  assert.equal(report.ok, false);
  const names = report.checks.map((check) => check.name);
  assert.deepEqual(names, STEPS.slice(0, STEPS.indexOf(step) + 1), JSON.stringify(report.checks));
  const last = report.checks.at(-1);
  assert.equal(last?.ok, false);
  assert.match(last?.detail ?? "", detail);
  assert.ok(last?.hint && last.hint.length > 10, "a failed step has a hint");
  assert.ok(report.checks.slice(0, -1).every((check) => check.ok));
}

/** A CONNECT proxy on loopback that records the tunnels asked for and the credentials sent. */
async function startProxy(): Promise<{
  url: string;
  requests: { target: string; authorization: string | undefined }[];
  close(): Promise<void>;
}> {
  const requests: { target: string; authorization: string | undefined }[] = [];
  const tunnels = new Set<net.Socket>();
  const server = http.createServer((_request, response) => response.writeHead(405).end());
  server.on("connect", (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.add(client);
    requests.push({ target: request.url ?? "", authorization: request.headers["proxy-authorization"] });
    const [host, port] = (request.url ?? "").split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => {
      tunnels.forEach((socket) => socket.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

before(async () => {
  emulator = await startTestEmulator();
});
after(async () => emulator.close());

describe("checkConnection", () => {
  it("passes every step against the emulator, with the certificate and the HTTP status", async () => {
    const report = await checkConnection(emulatorOptions());
    assert.equal(report.ok, true, JSON.stringify(report, null, 2));
    assert.deepEqual(
      report.checks.map((check) => check.name),
      STEPS,
    );
    assert.ok(report.checks.every((check) => check.ok && check.hint === undefined));
    assert.equal(report.certificate?.organizationNumber, "123456785");
    assert.equal(report.certificate?.kind, "unknown");
    assert.match(report.checks[4]?.detail ?? "", /TLSv1\.[23] with the client certificate; the server is ".*" \(organization 984661185\)/);
    assert.match(report.checks[5]?.detail ?? "", /GET \/api\/123456785: HTTP 200 "You are 123456785"/);
  });

  it("goes through an HTTP CONNECT proxy, and never shows the proxy's credentials", async () => {
    const proxy = await startProxy();
    try {
      const withCredentials = proxy.url.replace("http://", "http://alice:s3cret%21@");
      const report = await checkConnection({ ...emulatorOptions(), proxy: withCredentials });
      assert.equal(report.ok, true, JSON.stringify(report, null, 2));
      assert.equal(proxy.requests.length, 1);
      assert.equal(proxy.requests[0]?.target, new URL(emulator.apiRoot).host);
      assert.equal(proxy.requests[0]?.authorization, `Basic ${Buffer.from("alice:s3cret!").toString("base64")}`);
      assert.match(report.checks[3]?.detail ?? "", /^proxy 127\.0\.0\.1:\d+ .*opened a tunnel/);
      assert.doesNotMatch(JSON.stringify(report), /alice|s3cret/);
    } finally {
      await proxy.close();
    }
  });

  it("takes the proxy from HTTPS_PROXY unless NO_PROXY names the host or proxy is false, as the client does", async () => {
    const proxy = await startProxy();
    const saved = { HTTPS_PROXY: process.env.HTTPS_PROXY, NO_PROXY: process.env.NO_PROXY };
    try {
      process.env.HTTPS_PROXY = proxy.url;
      delete process.env.NO_PROXY;
      assert.match((await checkConnection(emulatorOptions())).checks[3]?.detail ?? "", /^proxy 127\.0\.0\.1:/);
      assert.match(
        (await checkConnection({ ...emulatorOptions(), proxy: false })).checks[3]?.detail ?? "",
        /^127\.0\.0\.1 is 127\.0\.0\.1; TCP port/,
      );
      process.env.NO_PROXY = "example.com, 127.0.0.1";
      const direct = await checkConnection(emulatorOptions());
      assert.equal(direct.ok, true, JSON.stringify(direct.checks));
      assert.match(direct.checks[3]?.detail ?? "", /^127\.0\.0\.1 is 127\.0\.0\.1; TCP port/);
      assert.equal(proxy.requests.length, 1, "only the first check went through the proxy");
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await proxy.close();
    }
  });

  it("stops at the keystore step on a wrong password", async () => {
    const report = await checkConnection({
      ...emulatorOptions(),
      keystore: { pkcs12: readFileSync(emulator.clientKeystoreFile), password: "wrong" },
    });
    assertStoppedAt(report, "keystore", /password is wrong/);
    assert.equal(report.certificate, undefined);
  });

  it("stops at the certificate step for a test certificate against production, before any network", async () => {
    const issued = TestCertificateAuthority.create("Buypass Class 3 Test4 CA 3").issueEnterpriseCertificate({
      organizationNumber: "123456785",
    });
    const report = await checkConnection({
      environment: "production",
      keystore: { pkcs12: toPkcs12(issued, { password: "pw" }), password: "pw" },
    });
    assertStoppedAt(
      report,
      "certificate",
      /test certificate \(issued by ".*Buypass Class 3 Test4 CA 3.*"\), but the environment is production/,
    );
    assert.equal(report.certificate?.kind, "test");
  });

  it("stops at the network step on a closed port, saying so", async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const report = await checkConnection({ ...emulatorOptions(), environment: { url: `https://127.0.0.1:${port}/api` } });
    assertStoppedAt(report, "network", new RegExp(`TCP: connecting to 127\\.0\\.0\\.1 port ${port} failed \\(ECONNREFUSED\\)`));
  });

  it("stops at the network step on an unresolvable host, within the deadline", async () => {
    const started = Date.now();
    const report = await checkConnection({ ...emulatorOptions(), environment: { url: "https://posten-signering.invalid/api" } });
    assertStoppedAt(report, "network", /^DNS: /);
    assert.ok(Date.now() - started < 20_000);
  });

  it("stops at the network step when a connection gets no answer, after the connect timeout", async () => {
    // A listener whose backlog is full leaves further connections unanswered (SYN dropped).
    const silent = net.createServer();
    await new Promise<void>((resolve) => silent.listen({ port: 0, host: "127.0.0.1", backlog: 0 }, resolve));
    const port = (silent.address() as AddressInfo).port;
    const held = Array.from({ length: 8 }, () => net.connect(port, "127.0.0.1").on("error", () => {}));
    silent.on("connection", () => {});
    try {
      const report = await checkConnection({
        ...emulatorOptions(),
        environment: { url: `https://127.0.0.1:${port}/api` },
        timeouts: { connect: 300 },
      });
      assert.equal(report.ok, false);
      assert.ok(["network", "tls"].includes(report.checks.at(-1)?.name ?? ""), JSON.stringify(report.checks));
      assert.match(report.checks.at(-1)?.detail ?? "", /no answer within 300 ms/);
    } finally {
      held.forEach((socket) => socket.destroy());
      silent.close();
    }
  });

  it("stops at the TLS step when a server accepts the connection but never answers the handshake", async () => {
    const sockets: net.Socket[] = [];
    const mute = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => mute.listen(0, "127.0.0.1", resolve));
    try {
      const url = `https://127.0.0.1:${(mute.address() as AddressInfo).port}/api`;
      const report = await checkConnection({ ...emulatorOptions(), environment: { url }, timeouts: { connect: 300 } });
      assertStoppedAt(report, "tls", /the TLS handshake with 127\.0\.0\.1: no answer within 300 ms/);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      mute.close();
    }
  });

  it("stops at the TLS step for a server whose certificate is another organization's, or not chained to the anchors", async () => {
    const ca = TestCertificateAuthority.create();
    const impostor = await MtlsTestServer.start({
      ca,
      certificate: ca.issueServerCertificate({ organizationNumber: "123456785" }),
      clientCa: emulator.caCertificatePem,
    });
    try {
      const report = await checkConnection({
        ...emulatorOptions(),
        environment: { url: impostor.apiRoot },
        trustedCertificates: ca.certificatePem,
      });
      assertStoppedAt(report, "tls", /belongs to organization 123456785, expected Posten \(984661185\)/);
      const unchained = await checkConnection({ ...emulatorOptions(), environment: { url: impostor.apiRoot } });
      assertStoppedAt(unchained, "tls", /does not chain to the trust anchors/);
      assert.equal(impostor.requests.length, 0, "nothing was sent");
    } finally {
      await impostor.close();
    }
  });

  it("reports the HTTP status when the service refuses the organization", async () => {
    const report = await checkConnection({ ...emulatorOptions(), sender: "984661185" });
    assertStoppedAt(report, "api", /GET \/api\/984661185: HTTP 403 BROKER_NOT_AUTHORIZED/);
  });
});
