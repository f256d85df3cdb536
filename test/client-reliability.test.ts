import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClientClosedError, RateLimitedError, ServiceError, type SigneringClientOptions, systemClock } from "../src/core";
import { FakeClock } from "./support/fake-clock";
import { directJob } from "./support/jobs";
import { ManualClock } from "./support/manual-clock";
import { clientFixture, NS, ORG } from "./support/client-fixture";
import { errorResponse, type RecordedRequest, xmlResponse } from "./support/mtls-server";

/** Field reliability of the client (issue 10, items 6–10): confirms, creates under pacing and 429s, the pacer, close. */

const fixture = clientFixture();
const client = (overrides: Partial<SigneringClientOptions> = {}) => fixture.client(overrides);

const confirmUrl = (id: number) => `${fixture.server.apiRoot}/${ORG}/portal/signature-jobs/${id}/complete`;
const requestsTo = (path: string) => fixture.server.requests.filter((request) => request.path === `/api${path}`).length;

describe("a failed confirm is tried again (issue 10.6)", () => {
  it("retries after a 5xx and a dropped connection, with backoff, and succeeds", async () => {
    fixture.server.on(
      "POST",
      `/${ORG}/portal/signature-jobs/60/complete`,
      errorResponse(503, "UNAVAILABLE"),
      { status: 200, write: (response) => response.socket?.destroy() },
      { status: 200 },
    );
    const clock = new FakeClock();
    const warnings: string[] = [];
    await client({ clock, logger: (level, message) => level === "warn" && warnings.push(message) }).confirm(confirmUrl(60));
    assert.equal(requestsTo(`/${ORG}/portal/signature-jobs/60/complete`), 3);
    assert.deepEqual(clock.sleeps, [500, 1000]);
    assert.equal(warnings.length, 2);
    assert.match(warnings[0] as string, /POST confirm failed \(UNAVAILABLE\); trying again \(2 of 3\)/);
  });

  it("gives up after three tries with an error that says so", async () => {
    fixture.server.on("POST", `/${ORG}/portal/signature-jobs/61/complete`, errorResponse(502, "BAD_GATEWAY"));
    await assert.rejects(client({ clock: new FakeClock() }).confirm(confirmUrl(61)), (error: unknown) => {
      assert.ok(error instanceof ServiceError);
      assert.equal(error.httpStatus, 502);
      assert.match(error.message, /gave up after 3 tries/);
      return true;
    });
    assert.equal(requestsTo(`/${ORG}/portal/signature-jobs/61/complete`), 3);
  });

  it("does not retry a 4xx, or a cancel after a 5xx", async () => {
    fixture.server.on("POST", `/${ORG}/portal/signature-jobs/62/complete`, errorResponse(400, "INVALID"));
    fixture.server.on("POST", `/${ORG}/portal/signature-jobs/62/cancel`, errorResponse(500, "OOPS"));
    const c = client({ clock: new FakeClock() });
    await assert.rejects(c.confirm(confirmUrl(62)));
    await assert.rejects(c.portal.cancel(`${fixture.server.apiRoot}/${ORG}/portal/signature-jobs/62/cancel`));
    assert.equal(requestsTo(`/${ORG}/portal/signature-jobs/62/complete`), 1);
    assert.equal(requestsTo(`/${ORG}/portal/signature-jobs/62/cancel`), 1);
  });
});

/** The SigningTime of the bundle in a create request (entries are stored, so it is in the raw body). */
function signingTimeOf(request: RecordedRequest): number {
  const match = /SigningTime>([^<]+)</.exec(request.body.toString("latin1"));
  assert.ok(match, "a SigningTime in the bundle");
  return Date.parse(match[1] as string);
}

describe("creates do not go stale (issue 10.7) and Retry-After is honoured (issue 10.8)", () => {
  it("a burst of 60 creates at the default pace through a 429 is signed when sent: the service accepts every one", async () => {
    let first = true;
    let id = 100;
    fixture.server.on("POST", `/${ORG}/direct/signature-jobs`, (request) => {
      if (first) {
        first = false;
        return errorResponse(429, "TOO_MANY_REQUESTS", "slow down", { "Retry-After": "1" });
      }
      // The service refuses a SigningTime more than ±5 s from its clock (PROTOCOL.md).
      if (Math.abs(signingTimeOf(request) - Date.now()) > 5_000) return errorResponse(400, "INVALID_SIGNATURE", "stale signing time");
      return xmlResponse(
        `<direct-signature-job-response ${NS}><signature-job-id>${id++}</signature-job-id><redirect-url>https://signer.example/</redirect-url></direct-signature-job-response>`,
      );
    });
    const before = fixture.server.requests.length;
    const c = client({ rateLimit: undefined, clock: systemClock });
    const results = await Promise.allSettled(
      Array.from({ length: 60 }, (_, index) => c.direct.createJob(directJob({ reference: `burst-${index}` }))),
    );
    const refused = results
      .filter((result) => result.status === "rejected")
      .map((result) => String((result as PromiseRejectedResult).reason));
    assert.deepEqual(refused, []);
    const sent = fixture.server.requests.slice(before);
    assert.equal(sent.length, 61, "60 creates and the one refused with 429");
    const referenceOf = (request: RecordedRequest) => /<reference>([^<]+)<\/reference>/.exec(request.body.toString("latin1"))?.[1];
    const refusedFirst = sent[0] as RecordedRequest;
    const resent = sent.slice(1).find((request) => referenceOf(request) === referenceOf(refusedFirst)) as RecordedRequest;
    assert.ok(
      signingTimeOf(resent) >= signingTimeOf(refusedFirst) + 1_000,
      "the job refused with 429 was signed again when resent, after the Retry-After second",
    );
  });

  it("waits Retry-After seconds or until its HTTP date, and reports a wait too long to wait out", async () => {
    fixture.server.on(
      "POST",
      `/${ORG}/portal/signature-jobs/70/complete`,
      errorResponse(429, "TOO_MANY_REQUESTS", "x", { "Retry-After": "3" }),
      errorResponse(429, "TOO_MANY_REQUESTS", "x", { "Retry-After": "Thu, 01 Jan 2026 12:00:10 GMT" }),
      { status: 200 },
    );
    const clock = new FakeClock(Date.parse("2026-01-01T12:00:00Z"));
    await client({ clock }).confirm(confirmUrl(70));
    assert.deepEqual(clock.sleeps, [3_000, 7_000]);

    fixture.server.on(
      "POST",
      `/${ORG}/portal/signature-jobs/71/complete`,
      errorResponse(429, "TOO_MANY_REQUESTS", "x", { "Retry-After": "86400" }),
    );
    const patient = new FakeClock();
    await assert.rejects(
      client({ clock: patient }).confirm(confirmUrl(71)),
      (error: unknown) => error instanceof RateLimitedError && error.retryAt.getTime() === patient.now() + 86_400_000,
    );
    assert.deepEqual(patient.sleeps, []);
  });
});

describe("close() drains the pacer (issue 10.10)", () => {
  it("sends the calls queued in the pacer before it closes the pool", async () => {
    fixture.server.on("POST", `/${ORG}/portal/signature-jobs/80/complete`, { status: 200 });
    const c = client({ rateLimit: { callsPerSecond: 2 }, clock: systemClock });
    const confirms = Array.from({ length: 5 }, () => c.confirm(confirmUrl(80)));
    await c.close();
    const results = await Promise.allSettled(confirms);
    assert.deepEqual(
      results.map((result) => result.status),
      ["fulfilled", "fulfilled", "fulfilled", "fulfilled", "fulfilled"],
    );
    assert.equal(requestsTo(`/${ORG}/portal/signature-jobs/80/complete`), 5);
  });

  it("logs and fails with ClientClosedError what it could not send in time, and refuses calls after close", async () => {
    fixture.server.on(
      "POST",
      `/${ORG}/portal/signature-jobs/81/complete`,
      errorResponse(429, "TOO_MANY_REQUESTS", "x", { "Retry-After": "120" }),
    );
    const clock = new ManualClock();
    const warnings: string[] = [];
    const c = client({ clock, logger: (level, message) => level === "warn" && warnings.push(message) });
    const confirm = c.confirm(confirmUrl(81));
    const outcome = confirm.then(
      () => undefined,
      (error: unknown) => error,
    );
    while (clock.sleeping === 0) await new Promise((resolve) => setTimeout(resolve, 10)); // waiting out the 429
    const closing = c.close();
    while (clock.sleeping < 2) await new Promise((resolve) => setTimeout(resolve, 1));
    await clock.advance(10_000);
    await closing;
    const error = await outcome;
    assert.ok(error instanceof ClientClosedError, String(error));
    assert.match((error as Error).message, /closed before confirm could be sent/);
    assert.ok(
      warnings.some((message) =>
        /not sent, the client was closed while the call waited: confirm POST https:\/\/.+\/81\/complete/.test(message),
      ),
      warnings.join("\n"),
    );
    await assert.rejects(c.confirm(confirmUrl(81)), ClientClosedError);
    assert.ok(warnings.some((message) => /not sent, the client is closed: confirm POST/.test(message)));
  });
});
