import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  InvalidInputError,
  ResponseTooLargeError,
  ServiceError,
  type SigneringClientOptions,
  TransportError,
  UnexpectedResponseError,
} from "../src/core";
import { FakeClock } from "./support/fake-clock";
import { directJob, NATIONAL_IDS } from "./support/jobs";
import { clientFixture, NS, ORG } from "./support/client-fixture";
import { xmlResponse } from "./support/mtls-server";

/** Attacks on the client through what a server sends back or a flow passes in (issue 8, items 1–6). */

const fixture = clientFixture();
const client = (overrides: Partial<SigneringClientOptions> = {}) => fixture.client(overrides);

const statusXml = (fields: { jobId?: string; padesUrl?: string; confirmationUrl?: string; reference?: string } = {}) =>
  `<direct-signature-job-status-response ${NS}><signature-job-id>${fields.jobId ?? "9"}</signature-job-id>` +
  (fields.reference ? `<reference>${fields.reference}</reference>` : "") +
  `<signature-job-status>COMPLETED_SUCCESSFULLY</signature-job-status><status since="2026-01-01T12:00:00Z">SIGNED</status>` +
  `<confirmation-url>${fields.confirmationUrl ?? `${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/9/complete`}</confirmation-url>` +
  (fields.padesUrl ? `<pades-url>${fields.padesUrl}</pades-url>` : "") +
  `</direct-signature-job-status-response>`;

async function drain(stream: NodeJS.ReadableStream): Promise<number> {
  let size = 0;
  for await (const chunk of stream) size += (chunk as Buffer).length;
  return size;
}

describe("service URLs go only to the service (issue 8.1)", () => {
  let internal: http.Server;
  let internalHits = 0;
  let internalUrl: string;

  before(async () => {
    internal = http.createServer((_request, response) => {
      internalHits++;
      response.end("internal secret page");
    });
    await new Promise<void>((resolve) => internal.listen(0, "127.0.0.1", resolve));
    internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}/internal`;
  });
  after(() => new Promise<void>((resolve) => internal.close(() => resolve())));

  const offService = () => {
    const root = new URL(fixture.server.apiRoot);
    return [
      internalUrl, // plain http, another host:port
      `http://${root.host}/api/${ORG}/direct/signature-jobs/9/pades`, // the API's host over plain http
      `https://127.0.0.2:${root.port}/api/${ORG}/direct/signature-jobs/9/pades`, // another host
      `${root.origin}/internal`, // the API's origin, outside its path
      `${root.origin}/api-internal/x`, // a sibling path that merely starts with the root's
      `${fixture.server.apiRoot}/../internal`, // dot segments out of the root
      `${fixture.server.apiRoot}/%2e%2e/internal`,
      `https://user:pw@${root.host}/api/${ORG}/x`, // credentials in the URL
      "not a url",
    ];
  };

  it("refuses every URL argument off the API root with an InvalidInputError naming the field, sending nothing", async () => {
    const c = client();
    const calls: [string, (url: string) => Promise<unknown>][] = [
      ["padesUrl", (url) => c.downloadPades(url)],
      ["xadesUrl", (url) => c.downloadXades(url)],
      ["confirmationUrl", (url) => c.confirm(url)],
      ["deleteDocumentsUrl", (url) => c.deleteDocuments(url)],
      ["cancellationUrl", (url) => c.portal.cancel(url)],
      ["statusUrl", (url) => c.direct.getStatus(url, "token")],
      ["signerUrl", (url) => c.direct.requestNewRedirectUrl(url)],
    ];
    const before = fixture.server.requests.length;
    for (const [field, call] of calls) {
      for (const url of offService()) {
        await assert.rejects(call(url), (error: unknown) => {
          assert.ok(error instanceof InvalidInputError, `${field} ${url}: ${String(error)}`);
          assert.equal(error.field, field);
          return true;
        });
      }
    }
    assert.equal(internalHits, 0, "the internal page was never called");
    assert.equal(fixture.server.requests.length, before, "nothing reached the API server either");
  });

  it("refuses a response that hands out a URL off the API root, naming it", async () => {
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs?polling_queue=offsite`, xmlResponse(statusXml({ padesUrl: internalUrl })));
    await assert.rejects(client().direct.nextStatusChange({ pollingQueue: "offsite" }), (error: unknown) => {
      assert.ok(error instanceof UnexpectedResponseError);
      assert.match(error.message, /padesUrl must be an https URL of the service/);
      return true;
    });
    fixture.server.on(
      "POST",
      `/${ORG}/direct/signature-jobs`,
      xmlResponse(
        `<direct-signature-job-response ${NS}><signature-job-id>1</signature-job-id><redirect-url>https://signer.example/1</redirect-url>` +
          `<signer href="https://evil.example/api/${ORG}/direct/signature-jobs/1/signers/1"><redirect-url>https://signer.example/1</redirect-url></signer></direct-signature-job-response>`,
      ),
    );
    await assert.rejects(client().direct.createJob(directJob()), /signers\[0\]\.href must be an https URL of the service/);
    assert.equal(internalHits, 0);
  });

  it("follows the service's own URLs, under a custom root too", async () => {
    fixture.server.on(
      "GET",
      `/${ORG}/direct/signature-jobs/9/status`,
      xmlResponse(statusXml({ padesUrl: `${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/9/pades` })),
    );
    const status = await client().direct.getStatus(`${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/9/status`, "t");
    assert.equal(status.padesUrl, `${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/9/pades`);
  });
});

describe("names from the service are not paths (issue 8.2)", () => {
  it("refuses a job id that is not a number, a national id that is not 11 digits and a status that is not a name", async () => {
    fixture.server.on(
      "GET",
      `/${ORG}/direct/signature-jobs?polling_queue=ids`,
      xmlResponse(statusXml({ jobId: "x/../../../../tmp/proof" })),
    );
    fixture.server.on(
      "GET",
      `/${ORG}/direct/signature-jobs?polling_queue=statuses`,
      xmlResponse(statusXml().replace("SIGNED</status>", "SIGNED/../x</status>")),
    );
    fixture.server.on(
      "POST",
      `/${ORG}/direct/signature-jobs`,
      xmlResponse(
        `<direct-signature-job-response ${NS}><signature-job-id>2</signature-job-id><redirect-url>https://signer.example/1</redirect-url>` +
          `<signer href="${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/2/signers/1"><personal-identification-number>0101/../x</personal-identification-number><redirect-url>https://signer.example/1</redirect-url></signer></direct-signature-job-response>`,
      ),
    );
    const c = client();
    await assert.rejects(c.direct.nextStatusChange({ pollingQueue: "ids" }), (error: unknown) => {
      assert.ok(error instanceof UnexpectedResponseError);
      assert.match(error.message, /signature-job-id that is not a number: "x\/\.\.\//);
      return true;
    });
    await assert.rejects(c.direct.nextStatusChange({ pollingQueue: "statuses" }), /signer status in the response is not a status name/);
    await assert.rejects(c.direct.createJob(directJob()), /personal-identification-number in the response is not 11 digits/);
  });
});

describe("strict XML in (issue 8.6)", () => {
  it("refuses a DOCTYPE (no entity is expanded) and mismatched tags as a malformed response", async () => {
    const doctype =
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY big "${"A".repeat(100)}"><!ENTITY x "&big;&big;&big;">]>` +
      statusXml({ reference: "&x;" });
    const mismatched = statusXml({ padesUrl: `${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/9/pades` }).replace(
      "</pades-url>",
      "</padesurl>",
    );
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs?polling_queue=xml`, xmlResponse(doctype), xmlResponse(mismatched));
    const c = client();
    for (const expected of [/DOCTYPE/, /malformed XML/]) {
      await assert.rejects(c.direct.nextStatusChange({ pollingQueue: "xml" }), (error: unknown) => {
        assert.ok(error instanceof ServiceError, String(error));
        assert.ok(error instanceof UnexpectedResponseError);
        assert.match(error.message, /malformed/);
        assert.match(error.message, expected);
        return true;
      });
    }
  });
});

describe("bounded responses (issue 8.3)", () => {
  const big = 60 * 1024 * 1024;
  const chunked = (size: number) => ({
    status: 200,
    headers: { "content-type": "application/xml" },
    write: (response: http.ServerResponse) => {
      const chunk = Buffer.alloc(1024 * 1024, 0x41);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += chunk.length;
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
        response.end();
      };
      response.on("close", () => (sent = size));
      pump();
    },
  });

  it("refuses a 60 MB status response past 4 MiB, streamed or declared, without buffering it", async () => {
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs?polling_queue=big`, chunked(big), {
      status: 200,
      headers: { "content-type": "application/xml", "content-length": String(big) },
      write: (response) => response.end(),
    });
    const c = client();
    const heapBefore = process.memoryUsage().heapUsed;
    await assert.rejects(c.direct.nextStatusChange({ pollingQueue: "big" }), (error: unknown) => {
      assert.ok(error instanceof ResponseTooLargeError, String(error));
      assert.equal(error.limit, 4 * 1024 * 1024);
      assert.match(error.message, /larger than the limit of 4194304 bytes/);
      return true;
    });
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 40 * 1024 * 1024, "the body was not kept");
    await assert.rejects(c.direct.nextStatusChange({ pollingQueue: "big" }), /Content-Length 62914560\) is larger than the limit/);
  });

  it("fails a download stream once it passes maxDownloadBytes, and refuses a declared length up front", async () => {
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs/20/pades`, chunked(8 * 1024 * 1024));
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs/21/pades`, {
      status: 200,
      headers: { "content-length": String(big) },
      write: (response) => response.end(),
    });
    const c = client({ maxDownloadBytes: 3 * 1024 * 1024 });
    const stream = await c.downloadPades(`${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/20/pades`);
    await assert.rejects(drain(stream), (error: unknown) => error instanceof ResponseTooLargeError && error.limit === 3 * 1024 * 1024);
    await assert.rejects(c.downloadPades(`${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/21/pades`), ResponseTooLargeError);
    const defaults = client();
    assert.equal(
      await drain(await defaults.downloadPades(`${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/20/pades`)),
      8 * 1024 * 1024,
      "200 MB by default",
    );
  });
});

describe("correct text (issue 8.4)", () => {
  it("decodes a multi-byte character split across chunks", async () => {
    const body = Buffer.from(statusXml({ reference: "Bærum" }), "utf8");
    const split = body.indexOf(Buffer.from("æ")) + 1; // between the two bytes of æ
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs?polling_queue=utf8`, {
      status: 200,
      headers: { "content-type": "application/xml" },
      write: (response) => {
        response.write(body.subarray(0, split));
        setTimeout(() => response.end(body.subarray(split)), 50);
      },
    });
    const status = await client().direct.nextStatusChange({ pollingQueue: "utf8" });
    assert.equal(status.status === "NO_CHANGES" ? undefined : status.reference, "Bærum");
  });

  it("turns a reset while the body streams into a TransportError, and tries a GET again", async () => {
    const body = statusXml({ reference: "again" });
    const cut = {
      status: 200,
      headers: { "content-type": "application/xml" },
      write: (response: http.ServerResponse) => {
        response.write(body.slice(0, 40));
        setTimeout(() => response.socket?.destroy(), 20);
      },
    };
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs?polling_queue=reset`, cut, xmlResponse(body));
    const before = fixture.server.requests.length;
    const status = await client({ clock: new FakeClock() }).direct.nextStatusChange({ pollingQueue: "reset" });
    assert.equal(status.status === "NO_CHANGES" ? undefined : status.reference, "again");
    assert.equal(fixture.server.requests.length - before, 2);

    fixture.server.on("GET", `/${ORG}/direct/signature-jobs?polling_queue=resets`, cut);
    await assert.rejects(client({ clock: new FakeClock() }).direct.nextStatusChange({ pollingQueue: "resets" }), (error: unknown) => {
      assert.ok(error instanceof TransportError, String(error));
      assert.match(error.message, /gave up after 3 tries/);
      return true;
    });
  });

  it("fails a download stream with a TransportError when the connection drops while it streams", async () => {
    fixture.server.on("GET", `/${ORG}/direct/signature-jobs/22/pades`, {
      status: 200,
      write: (response) => {
        response.write(Buffer.alloc(64 * 1024, 1));
        setTimeout(() => response.socket?.destroy(), 20);
      },
    });
    const stream = await client().downloadPades(`${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/22/pades`);
    await assert.rejects(drain(stream), (error: unknown) => error instanceof TransportError && !/PRIVATE KEY/.test(error.message));
  });

  it("never sends a create twice after a failure in flight", async () => {
    fixture.server.on("POST", `/${ORG}/direct/signature-jobs`, { status: 200, write: (response) => response.socket?.destroy() });
    const before = fixture.server.requests.length;
    await assert.rejects(
      client({ clock: new FakeClock() }).direct.createJob(directJob({ signers: [{ personalIdentificationNumber: NATIONAL_IDS[1] }] })),
      TransportError,
    );
    assert.equal(fixture.server.requests.length - before, 1);
  });
});
