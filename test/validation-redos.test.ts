import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidInputError, type SigneringClient } from "../src/core";
import type { DirectJob, PortalJob } from "../src/core/model";
import { validateDirectJob, validatePortalJob } from "../src/core/validation";
import { clientFixture, ORG } from "./support/client-fixture";
import { directJob, NATIONAL_IDS, portalJob, samplePdf } from "./support/jobs";

/**
 * Issue 14.2: a megabyte in any text field (multer's default field size behind a web form) is
 * refused with a short length error in a single pass. The bound is on algorithmic behaviour: the
 * old e-mail pattern took seconds for 120 KB; a linear check takes about a millisecond for 1 MB.
 */

const MEGABYTE = 1024 * 1024;
const BOUND_MS = 100;

/** Shapes that make backtracking patterns slow: runs of the characters they split on. */
const HOSTILE = {
  letters: "x".repeat(MEGABYTE),
  dots: `a@${".".repeat(MEGABYTE)}@`,
  digits: "1".repeat(MEGABYTE),
  slashes: `https://example.com${"/".repeat(MEGABYTE)}x`,
  spaces: `+${" 1".repeat(MEGABYTE / 2)}-`,
};

const portalSigner = (change: object) => portalJob({ signers: [{ personalIdentificationNumber: NATIONAL_IDS[0], ...change }] });
const exitUrls = directJob().exitUrls;

/** [field, the job with the value in it] */
const FIELDS: [string, (value: string) => () => void][] = [
  ["title", (value) => direct({ title: value })],
  ["description", (value) => direct({ description: value })],
  ["reference", (value) => direct({ reference: value })],
  ["pollingQueue", (value) => direct({ pollingQueue: value })],
  ["sender.organizationNumber", (value) => direct({ sender: { organizationNumber: value } })],
  ["documents[0].title", (value) => direct({ documents: [{ title: value, content: samplePdf() }] })],
  ["documents[0].mimeType", (value) => direct({ documents: [{ title: "d", content: samplePdf(), mimeType: value as never }] })],
  ["identifierInSignedDocuments", (value) => direct({ identifierInSignedDocuments: value as never })],
  ["statusRetrievalMethod", (value) => direct({ statusRetrievalMethod: value as never })],
  ["signers[0].customIdentifier", (value) => direct({ signers: [{ customIdentifier: value }] })],
  ["signers[0].personalIdentificationNumber", (value) => direct({ signers: [{ personalIdentificationNumber: value }] })],
  ["signers[0].signatureType", (value) => direct({ signers: [{ customIdentifier: "c", signatureType: value as never }] })],
  ["signers[0].onBehalfOf", (value) => direct({ signers: [{ customIdentifier: "c", onBehalfOf: value as never }] })],
  ["exitUrls.completion", (value) => direct({ exitUrls: { ...exitUrls, completion: value } })],
  ["exitUrls.rejection", (value) => direct({ exitUrls: { ...exitUrls, rejection: value } })],
  ["exitUrls.error", (value) => direct({ exitUrls: { ...exitUrls, error: value } })],
  ["nonsensitiveTitle", (value) => portal({ nonsensitiveTitle: value })],
  ["availability.activationTime", (value) => portal({ availability: { activationTime: value } })],
  ["signers[0].notifications.email", (value) => () => validatePortalJob(portalSigner({ notifications: { email: value } }))],
  ["signers[0].notifications.sms", (value) => () => validatePortalJob(portalSigner({ notifications: { sms: value } }))],
  [
    "signers[0].personalIdentificationNumber",
    (value) => () =>
      validatePortalJob(portalJob({ signers: [{ personalIdentificationNumber: value, notifications: { sms: "+4799999999" } }] })),
  ],
];

function direct(overrides: Partial<DirectJob>): () => void {
  return () => validateDirectJob(directJob(overrides));
}

function portal(overrides: Partial<PortalJob>): () => void {
  return () => validatePortalJob(portalJob(overrides));
}

/** Runs the action, which must refuse the field; returns how long it took and the error. */
async function timedRefusal(action: () => unknown, field: string): Promise<{ ms: number; error: InvalidInputError }> {
  const started = performance.now();
  let thrown: unknown;
  try {
    await action();
  } catch (error) {
    thrown = error;
  }
  const ms = performance.now() - started;
  assert.ok(thrown instanceof InvalidInputError, `${field}: expected InvalidInputError, got ${String(thrown)}`);
  assert.equal(thrown.field, field);
  assert.ok(thrown.message.length < 300, `${field}: the message echoes the value (${thrown.message.length} characters)`);
  return { ms, error: thrown };
}

describe("a megabyte in every validated text field (issue 14.2)", () => {
  for (const [field, job] of FIELDS) {
    it(`${field}: refused in well under ${BOUND_MS} ms, whatever the megabyte holds`, async (t) => {
      let slowest = 0;
      for (const [shape, value] of Object.entries(HOSTILE)) {
        const { ms, error } = await timedRefusal(job(value), field);
        slowest = Math.max(slowest, ms);
        assert.ok(ms < BOUND_MS, `${field} with a megabyte of ${shape}: ${ms.toFixed(1)} ms`);
        assert.match(
          error.message,
          /at most \d+ characters|11 digits|must be one of|must be application\/pdf or text\/plain|organization number|ISO 8601/,
        );
      }
      t.diagnostic(`slowest refusal: ${slowest.toFixed(1)} ms`);
    });
  }

  it("the e-mail shape that made the old pattern quadratic is refused by length", async () => {
    const { error } = await timedRefusal(
      () => validatePortalJob(portalSigner({ notifications: { email: HOSTILE.dots } })),
      "signers[0].notifications.email",
    );
    assert.match(error.message, /at most 254 characters, was 1048579/);
  });

  it("e-mail addresses within the limit are still checked for their shape", () => {
    const email = (address: string) => () => validatePortalJob(portalSigner({ notifications: { email: address } }));
    email("signer@example.com")();
    email(`${"a".repeat(64)}@${"b".repeat(180)}.no`)();
    for (const bad of ["@example.com", "a@b", "a@.no", "a@no.", "a@b@c.no", "a b@c.no", `a@${".".repeat(250)}@`]) {
      assert.throws(email(bad), (error: InvalidInputError) => error.field === "signers[0].notifications.email", bad);
    }
  });
});

describe("a megabyte handed to the client's calls", () => {
  const fixture = clientFixture();
  const statusUrl = () => `${fixture.server.apiRoot}/${ORG}/direct/signature-jobs/1/status`;

  const calls: [string, (client: SigneringClient, value: string) => Promise<unknown>][] = [
    ["statusUrl", (client, value) => client.direct.getStatus(value, "token")],
    ["statusQueryToken", (client, value) => client.direct.getStatus(statusUrl(), value)],
    ["signerUrl", (client, value) => client.direct.requestNewRedirectUrl(value)],
    ["padesUrl", (client, value) => client.downloadPades(value)],
    ["confirmationUrl", (client, value) => client.confirm(value)],
    ["documentId", (client, value) => client.archive.getPades(value)],
    ["pollingQueue", (client, value) => client.portal.nextStatusChange({ pollingQueue: value })],
    ["title", (client, value) => client.direct.createJob(directJob({ title: value }))],
    ["signers[0].notifications.email", (client, value) => client.portal.createJob(portalSigner({ notifications: { email: value } }))],
  ];
  for (const [field, call] of calls) {
    it(`${field}: refused before anything is sent, in well under ${BOUND_MS} ms`, async () => {
      const client = fixture.client();
      for (const [shape, value] of Object.entries(HOSTILE)) {
        const { ms } = await timedRefusal(() => call(client, value), field);
        assert.ok(ms < BOUND_MS, `${field} with a megabyte of ${shape}: ${ms.toFixed(1)} ms`);
      }
      assert.equal(fixture.server.requests.length, 0, "nothing reached the server");
    });
  }
});
