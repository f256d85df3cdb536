import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import JSZip from "jszip";
import {
  BrokerNotAuthorizedError,
  InvalidInputError,
  InvalidRequestError,
  InvalidStatusQueryTokenError,
  JobNotCancellableError,
  NotAuthorizedError,
  ServiceError,
  type SigneringClientOptions,
  SigningCeremonyNotCompletedError,
  TooEagerPollingError,
  TransportError,
  UntrustedServerError,
  type StatusChange,
} from "../src/core";
import { TestCertificateAuthority, toPkcs12 } from "../src/emulator/pki";
import { clientFixture, NS, ORG } from "./support/client-fixture";
import { startConnectProxy } from "./support/connect-proxy";
import { FakeClock } from "./support/fake-clock";
import { directJob, NATIONAL_IDS, portalJob } from "./support/jobs";
import { errorResponse, MtlsTestServer, xmlResponse } from "./support/mtls-server";
import { verifyWithXmlsec } from "./support/xmlsec";

const fixture = clientFixture();
const { ca } = fixture;
const client = (overrides: Partial<SigneringClientOptions> = {}) => fixture.client(overrides);

/** Splits a multipart/mixed body into its parts' headers and bodies. */
function multipartParts(contentType: string, body: Buffer): { headers: string; body: Buffer }[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1];
  assert.ok(boundary, `no boundary in ${contentType}`);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: { headers: string; body: Buffer }[] = [];
  let position = body.indexOf(delimiter);
  while (position !== -1) {
    const start = position + delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    const part = body.subarray(start + 2, next - 2); // skip CRLF after delimiter and before the next
    const split = part.indexOf("\r\n\r\n");
    parts.push({ headers: part.subarray(0, split).toString(), body: part.subarray(split + 4) });
    position = next;
  }
  return parts;
}

const directResponse = (id: string) =>
  xmlResponse(
    `<direct-signature-job-response ${NS}><signature-job-id>${id}</signature-job-id><redirect-url>https://r/1</redirect-url>` +
      `<status-url>${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/${id}/status</status-url>` +
      `<signer href="${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/${id}/signers/1"><personal-identification-number>${NATIONAL_IDS[0]}</personal-identification-number><redirect-url>https://r/1</redirect-url></signer></direct-signature-job-response>`,
  );

describe("creating jobs", () => {
  it("sends multipart/mixed with the request XML and a signed bundle, and parses the response", async () => {
    fixture.server.on("POST", `/${ORG}/direct/signature-jobs`, directResponse("77"));
    const response = await client().direct.createJob(directJob({ reference: "ref-1", title: "Avtale æøå" }));
    assert.equal(response.jobId, "77");
    assert.equal(response.signers[0]?.redirectUrl, "https://r/1");

    const request = fixture.server.requests.at(-1)!;
    assert.equal(request.method, "POST");
    assert.equal(request.path, `/api/${ORG}/direct/signature-jobs`);
    assert.equal(request.headers["accept"], "application/xml");
    assert.match(String(request.headers["user-agent"]), /^node-red-posten-signering\/\d+\.\d+\.\d+ \(Node\.js /);
    assert.equal(request.clientOrganization, ORG);
    const contentType = String(request.headers["content-type"]);
    assert.match(contentType, /^multipart\/mixed; boundary=[\w-]{20,}$/);
    assert.equal(Number(request.headers["content-length"]), request.body.length);

    const parts = multipartParts(contentType, request.body);
    assert.equal(parts.length, 2);
    assert.equal(parts[0]?.headers, "Content-Type: application/xml");
    assert.equal(parts[1]?.headers, "Content-Type: application/octet-stream");
    assert.match(parts[0]!.body.toString(), /^<\?xml[^>]+\?><direct-signature-job-request [^>]+><reference>ref-1<\/reference><exit-urls>/);

    const zip = await JSZip.loadAsync(parts[1]!.body);
    assert.deepEqual(Object.keys(zip.files), ["0000_contract.pdf", "manifest.xml", "META-INF/signatures.xml"]);
    const manifest = await zip.file("manifest.xml")!.async("string");
    assert.match(manifest, /<title>Avtale æøå<\/title>/);
    assert.match(manifest, /<organization-number>123456785<\/organization-number>/);

    const dir = mkdtempSync(path.join(tmpdir(), "client-bundle-"));
    try {
      for (const name of Object.keys(zip.files)) {
        writeFileSync(path.join(dir, path.basename(name)), await zip.file(name)!.async("nodebuffer"));
      }
      const caFile = path.join(dir, "ca.pem");
      writeFileSync(caFile, ca.certificatePem);
      const verified = verifyWithXmlsec(path.join(dir, "signatures.xml"), caFile);
      assert.ok(verified.ok, verified.output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("uses the job's sender in the URL and manifest, and a portal job's polling queue", async () => {
    fixture.server.on(
      "POST",
      "/984661185/portal/signature-jobs",
      xmlResponse(
        `<portal-signature-job-response ${NS}><signature-job-id>5</signature-job-id><cancellation-url>${fixture.server.apiRoot}/984661185/portal/signature-jobs/5/cancel</cancellation-url></portal-signature-job-response>`,
      ),
    );
    const response = await client({ pollingQueue: "batch" }).portal.createJob(portalJob({ sender: { organizationNumber: "984661185" } }));
    assert.deepEqual(response, {
      flow: "portal",
      jobId: "5",
      cancellationUrl: `${fixture.server.apiRoot}/984661185/portal/signature-jobs/5/cancel`,
    });
    const request = fixture.server.requests.at(-1)!;
    assert.equal(request.path, "/api/984661185/portal/signature-jobs");
    assert.match(request.body.toString("latin1"), /<polling-queue>batch<\/polling-queue>/);
  });

  it("validates before sending: nothing reaches the server", async () => {
    const before = fixture.server.requests.length;
    await assert.rejects(
      client().direct.createJob(directJob({ title: "x".repeat(81) })),
      (error: unknown) => error instanceof InvalidInputError && error.field === "title",
    );
    await assert.rejects(
      client().direct.createJob(directJob({ signers: [{ personalIdentificationNumber: "01019010047" }] })),
      InvalidInputError,
    );
    assert.equal(fixture.server.requests.length, before);
  });

  it("accepts synthetic national ids when the checksum check is off", async () => {
    fixture.server.on("POST", `/${ORG}/direct/signature-jobs`, directResponse("78"));
    const response = await client({ checkNationalIdChecksum: false }).direct.createJob(
      directJob({ signers: [{ personalIdentificationNumber: "01019010047" }] }),
    );
    assert.equal(response.jobId, "78");
  });
});

describe("status and polling", () => {
  const statusXml = (id: string) =>
    `<direct-signature-job-status-response ${NS}><signature-job-id>${id}</signature-job-id><signature-job-status>COMPLETED_SUCCESSFULLY</signature-job-status>` +
    `<status since="2026-01-01T12:00:00+01:00">SIGNED</status><confirmation-url>${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/${id}/complete</confirmation-url></direct-signature-job-status-response>`;

  it("fetches status by token, keeping the status URL's own query", async () => {
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs/9/status`, xmlResponse(statusXml("9")));
    const status = await client().direct.getStatus(`${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/9/status?lang=nb`, "tok/en+=");
    assert.equal(status.status, "COMPLETED_SUCCESSFULLY");
    assert.equal(
      fixture.server.requests.at(-1)?.path,
      `/api/${ORG}/direct/signature-jobs/9/status?lang=nb&status_query_token=tok%2Fen%2B%3D`,
    );
  });

  it("maps the token errors", async () => {
    fixture.server.on(
      "GET",
      `/${ORG}/direct/signature-jobs/10/status`,
      errorResponse(403, "INVALID_STATUS_QUERY_TOKEN"),
      errorResponse(404, "SIGNING_CEREMONY_NOT_COMPLETED"),
    );
    const url = `${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/10/status`;
    await assert.rejects(client().direct.getStatus(url, "t"), InvalidStatusQueryTokenError);
    await assert.rejects(client().direct.getStatus(url, "t"), SigningCeremonyNotCompletedError);
  });

  it("reads 204 as NO_CHANGES with the next permitted poll time, and omits polling_queue for the default queue", async () => {
    fixture.server.on("GET", `/${ORG}/portal/signature-jobs`, {
      status: 204,
      headers: { "X-Next-permitted-poll-time": "2030-01-01T10:00:05.123+01:00" },
    });
    const result = await client().portal.nextStatusChange();
    assert.deepEqual(result, { flow: "portal", status: "NO_CHANGES", nextPermittedPollTime: new Date("2030-01-01T09:00:05.123Z") });
    assert.equal(fixture.server.requests.at(-1)?.path, `/api/${ORG}/portal/signature-jobs`);
  });

  it("sends the named polling queue and returns the change with its next poll time", async () => {
    fixture.server.on(
      "GET",
      `/${ORG}/direct/signature-jobs?polling_queue=my+queue`,
      xmlResponse(statusXml("11"), { "X-Next-permitted-poll-time": "2030-01-01T10:00:00Z" }),
    );
    const result = await client().direct.nextStatusChange({ pollingQueue: "my queue" });
    assert.equal(result.status, "COMPLETED_SUCCESSFULLY");
    assert.deepEqual(result.nextPermittedPollTime, new Date("2030-01-01T10:00:00Z"));
  });

  it("reports a too eager poll with the time it may poll again", async () => {
    fixture.server.on(
      "GET",
      `/${ORG}/direct/signature-jobs?polling_queue=eager`,
      errorResponse(429, "TOO_EAGER_POLLING", "slow down", { "X-Next-permitted-poll-time": "2030-01-01T10:00:00Z" }),
    );
    await assert.rejects(client().direct.nextStatusChange({ pollingQueue: "eager" }), (error: unknown) => {
      assert.ok(error instanceof TooEagerPollingError);
      assert.deepEqual(error.nextPermittedPollTime, new Date("2030-01-01T10:00:00Z"));
      return true;
    });
  });

  it("the status change stream never polls before the permitted time and does not confirm", async () => {
    const clock = new FakeClock(Date.parse("2030-01-01T10:00:00Z"));
    const pollTimes: number[] = [];
    fixture.server.on(
      "GET",
      `/${ORG}/portal/signature-jobs?polling_queue=stream`,
      (request) => {
        pollTimes.push(clock.now());
        void request;
        return { status: 204, headers: { "X-Next-permitted-poll-time": "2030-01-01T10:00:30Z" } };
      },
      () => {
        pollTimes.push(clock.now());
        return errorResponse(429, "TOO_EAGER", "x", { "X-Next-permitted-poll-time": "2030-01-01T10:01:00Z" });
      },
      () => {
        pollTimes.push(clock.now());
        return xmlResponse(
          `<portal-signature-job-status-change-response ${NS}><signature-job-id>3</signature-job-id><status>IN_PROGRESS</status><confirmation-url>${fixture.server.apiRoot}/${ORG}/portal/signature-jobs/3/complete</confirmation-url><signatures><signature><status since="2030-01-01T10:00:00Z">WAITING</status><personal-identification-number>${NATIONAL_IDS[0]}</personal-identification-number></signature></signatures></portal-signature-job-status-change-response>`,
          { "X-Next-permitted-poll-time": "2030-01-01T10:01:00Z" },
        );
      },
    );
    const changes: StatusChange[] = [];
    const before = fixture.server.requests.length;
    const waits: Date[] = [];
    for await (const change of client({ clock }).statusChanges({
      flow: "portal",
      pollingQueue: "stream",
      onWait: (next) => waits.push(next),
    })) {
      changes.push(change);
      break;
    }
    assert.equal(changes[0]?.jobId, "3");
    assert.deepEqual(pollTimes, [
      Date.parse("2030-01-01T10:00:00Z"),
      Date.parse("2030-01-01T10:00:30Z"),
      Date.parse("2030-01-01T10:01:00Z"),
    ]);
    assert.ok(
      fixture.server.requests.slice(before).every((request) => request.method === "GET"),
      "nothing was confirmed",
    );
    assert.deepEqual(waits, [new Date("2030-01-01T10:00:30Z"), new Date("2030-01-01T10:01:00Z")], "each wait is announced");
  });
});

describe("job operations", () => {
  it("confirms with an empty POST, deletes with DELETE, and maps a 409 on cancel", async () => {
    fixture.server.on("POST", `/${ORG}/portal/signature-jobs/4/complete`, { status: 200 });
    fixture.server.on("DELETE", `/${ORG}/portal/signature-jobs/4/documents`, { status: 200 });
    fixture.server.on(
      "POST",
      `/${ORG}/portal/signature-jobs/4/cancel`,
      { status: 204 },
      errorResponse(409, "JOB_COMPLETED", "already done"),
    );
    const c = client();
    await c.confirm(`${fixture.server.apiRoot}/${ORG}/portal/signature-jobs/4/complete`);
    const confirm = fixture.server.requests.at(-1)!;
    assert.equal(confirm.method, "POST");
    assert.equal(confirm.body.length, 0);
    await c.deleteDocuments(`${fixture.server.apiRoot}/${ORG}/portal/signature-jobs/4/documents`);
    assert.equal(fixture.server.requests.at(-1)?.method, "DELETE");
    await c.portal.cancel(`${fixture.server.apiRoot}/${ORG}/portal/signature-jobs/4/cancel`);
    await assert.rejects(c.portal.cancel(`${fixture.server.apiRoot}/${ORG}/portal/signature-jobs/4/cancel`), (error: unknown) => {
      assert.ok(error instanceof JobNotCancellableError);
      assert.equal(error.httpStatus, 409);
      assert.equal(error.errorCode, "JOB_COMPLETED");
      return true;
    });
  });

  it("requests a new redirect URL by posting the update request", async () => {
    fixture.server.on(
      "POST",
      `/${ORG}/direct/signature-jobs/6/signers/1`,
      xmlResponse(
        `<direct-signer-response ${NS} href="${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/6/signers/1"><signer-identifier>c-1</signer-identifier><redirect-url>https://new</redirect-url></direct-signer-response>`,
      ),
    );
    const signer = await client().direct.requestNewRedirectUrl(`${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/6/signers/1`);
    assert.deepEqual(signer, {
      href: `${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/6/signers/1`,
      customIdentifier: "c-1",
      redirectUrl: "https://new",
    });
    const request = fixture.server.requests.at(-1)!;
    assert.equal(request.headers["content-type"], "application/xml; charset=UTF-8");
    assert.match(request.body.toString(), /<direct-signer-update-request [^>]+><redirect-url\/><\/direct-signer-update-request>$/);
  });

  it("streams downloads: the stream is handed over before the body has ended", async () => {
    let finish: (() => void) | undefined;
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs/7/pades`, {
      status: 200,
      headers: { "content-type": "application/pdf" },
      write: (response) => {
        response.write(Buffer.alloc(64 * 1024, 1));
        finish = () => response.end(Buffer.alloc(64 * 1024, 2));
      },
    });
    const stream = await client().downloadPades(`${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/7/pades`);
    assert.ok(finish, "the server has sent only part of the body");
    assert.match(String(fixture.server.requests.at(-1)?.headers["accept"]), /application\/octet-stream/);
    finish!();
    let size = 0;
    for await (const chunk of stream) size += (chunk as Buffer).length;
    assert.equal(size, 128 * 1024);
  });

  it("fetches archived documents from the archive URL", async () => {
    fixture.server.on("GET", `/${ORG}/archive/documents/doc%201/pades`, { status: 200, body: "%PDF-1.7 archived" });
    const stream = await client().archive.getPades("doc 1");
    let text = "";
    for await (const chunk of stream) text += chunk;
    assert.equal(text, "%PDF-1.7 archived");
  });
});

describe("errors", () => {
  it("maps the service's error XML to specific types with status, code, message and type", async () => {
    fixture.server.on(
      "GET",
      `/${ORG}/direct/signature-jobs?polling_queue=errors`,
      errorResponse(403, "BROKER_NOT_AUTHORIZED", "not yours"),
      errorResponse(403, "NOT_AUTHORIZED"),
      errorResponse(400, "SCHEMA_VALIDATION_ERROR"),
      { status: 502, headers: { "content-type": "text/html" }, body: "<html>Bad gateway</html>" },
    );
    const c = client();
    const poll = () => c.direct.nextStatusChange({ pollingQueue: "errors" });
    await assert.rejects(poll(), (error: unknown) => {
      assert.ok(error instanceof BrokerNotAuthorizedError);
      assert.equal(error.httpStatus, 403);
      assert.equal(error.errorMessage, "not yours");
      assert.equal(error.errorType, "CLIENT");
      return true;
    });
    await assert.rejects(poll(), NotAuthorizedError);
    await assert.rejects(poll(), InvalidRequestError);
    await assert.rejects(
      poll(),
      (error: unknown) =>
        error instanceof ServiceError && error.errorCode === "HTTP_502" && /text\/html: <html>Bad gateway/.test(error.message),
    );
  });

  it("waits out a rate-limit 429 and sends the call again", async () => {
    const clock = new FakeClock();
    fixture.server.on("POST", `/${ORG}/portal/signature-jobs/8/complete`, errorResponse(429, "TOO_MANY_REQUESTS"), { status: 200 });
    const before = fixture.server.requests.length;
    await client({ clock }).confirm(`${fixture.server.apiRoot}/${ORG}/portal/signature-jobs/8/complete`);
    assert.equal(fixture.server.requests.length - before, 2);
    assert.deepEqual(clock.sleeps, [30_000]);
  });

  it("paces calls below the service's limit", async () => {
    const clock = new FakeClock();
    fixture.server.on("POST", `/${ORG}/portal/signature-jobs/12/complete`, { status: 200 });
    const c = client({ clock, rateLimit: { callsPerSecond: 5 } });
    for (let i = 0; i < 6; i++) await c.confirm(`${fixture.server.apiRoot}/${ORG}/portal/signature-jobs/12/complete`);
    assert.ok(clock.sleeps.reduce((a, b) => a + b, 0) >= 1000 - 1, `slept ${clock.sleeps.join(",")}`);
  });
});

describe("through an HTTP proxy", () => {
  it("tunnels the mutual-TLS connection with CONNECT", async () => {
    const proxy = await startConnectProxy();
    try {
      fixture.server.on("GET", `/${ORG}/portal/signature-jobs?polling_queue=proxied`, {
        status: 204,
        headers: { "X-Next-permitted-poll-time": "2030-01-01T10:00:00Z" },
      });
      const proxied = client({ proxy: proxy.url });
      assert.equal((await proxied.portal.nextStatusChange({ pollingQueue: "proxied" })).status, "NO_CHANGES");
      assert.deepEqual(proxy.tunnels, [new URL(fixture.server.apiRoot).host]);
      assert.equal(fixture.server.requests.at(-1)?.clientOrganization, ORG, "the client certificate went through the tunnel");
    } finally {
      proxy.close();
    }
  });
});

describe("mutual TLS and server trust", () => {
  it("refuses a server certificate that does not belong to Posten, unless the check is off", async () => {
    const other = await MtlsTestServer.start({ ca, certificate: ca.issueServerCertificate({ organizationNumber: "123456785" }) });
    try {
      other.on("GET", `/${ORG}/portal/signature-jobs`, { status: 204, headers: { "X-Next-permitted-poll-time": "2030-01-01T10:00:00Z" } });
      const strict = client({ environment: { url: other.apiRoot } });
      await assert.rejects(
        strict.portal.nextStatusChange(),
        (error: unknown) => error instanceof UntrustedServerError && /123456785/.test(error.message),
      );
      assert.equal(other.requests.length, 0);
      const lenient = client({ environment: { url: other.apiRoot }, serverOrganizationNumber: false });
      assert.equal((await lenient.portal.nextStatusChange()).status, "NO_CHANGES");
    } finally {
      await other.close();
    }
  });

  it("refuses a server whose certificate comes from another CA", async () => {
    const rogueCa = TestCertificateAuthority.create("Rogue CA");
    const rogue = await MtlsTestServer.start({ ca: rogueCa, clientCa: ca.certificatePem });
    try {
      await assert.rejects(client({ environment: { url: rogue.apiRoot } }).portal.nextStatusChange(), UntrustedServerError);
    } finally {
      await rogue.close();
    }
  });

  it("fails with a transport error naming the likely causes when the server refuses the client certificate", async () => {
    const otherCa = TestCertificateAuthority.create("Other client CA");
    const stranger = otherCa.issueEnterpriseCertificate({ organizationNumber: "123456785" });
    const c = client({ keystore: { pkcs12: toPkcs12(stranger, { password: "x" }), password: "x" } });
    await assert.rejects(c.portal.nextStatusChange(), (error: unknown) => {
      assert.ok(error instanceof TransportError, String(error));
      assert.doesNotMatch(error.message, /PRIVATE KEY/);
      return true;
    });
  });
});
