import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { changeKeyOf, EmittedChanges } from "../../nodes/lib/change-key";
import { correlationKeyFrom, ExitCorrelation, RETURN_PARAMETER } from "../../nodes/lib/exit-correlation";
import type { DirectJobStatus, PortalJobStatus } from "../../src/core";

const API_ROOT = "https://api.signering.posten.no/api";
const STATUS_URL = `${API_ROOT}/123456785/direct/signature-jobs/42/status`;
const EXIT_URL = "https://shop.example/signed";

function ticketOf(correlation: ExitCorrelation, reference: string, statusUrl = STATUS_URL): Record<string, string> {
  const { name, cookie } = correlation.cookieFor(reference, statusUrl, EXIT_URL);
  return { [name]: cookie.value };
}

describe("stateless exit-URL correlation", () => {
  const correlation = new ExitCorrelation(correlationKeyFrom("the enterprise certificate's key"), API_ROOT);

  it("gives the status URL back to any instance with the same key, with nothing remembered", () => {
    const reference = correlation.newReference();
    const cookies = ticketOf(correlation, reference);
    const elsewhere = new ExitCorrelation(correlationKeyFrom("the enterprise certificate's key"), `${API_ROOT}/`);
    assert.equal(elsewhere.statusUrlOf(reference, cookies), STATUS_URL);
  });

  it("hands the browser an HttpOnly, SameSite=Lax cookie named after the reference, Secure for https exit URLs", () => {
    const reference = correlation.newReference();
    const { name, cookie } = correlation.cookieFor(reference, STATUS_URL, EXIT_URL);
    assert.equal(name, `signering_${reference}`);
    assert.deepEqual({ ...cookie, value: undefined }, { value: undefined, httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 30 * 24 * 3600 * 1000 });
    assert.equal(correlation.cookieFor(reference, STATUS_URL, "http://127.0.0.1:1880/signed").cookie.secure, false);
    assert.doesNotMatch(cookie.value, /status/, "the cookie holds ids, not a URL");
  });

  it("refuses an altered job id, organization or MAC, and a ticket moved to another reference", () => {
    const reference = correlation.newReference();
    const [[name, value]] = Object.entries(ticketOf(correlation, reference)) as [[string, string]];
    const [organization, jobId, mac] = value.split(".") as [string, string, string];
    for (const forged of [`${organization}.43.${mac}`, `987654325.${jobId}.${mac}`, `${organization}.${jobId}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`, `${organization}.${jobId}.${mac}x`]) {
      assert.throws(() => correlation.statusUrlOf(reference, { [name]: forged }), (error: Error & { field?: string }) => error.field === `msg.req.cookies.${name}` && /not valid/.test(error.message), forged);
    }
    const other = correlation.newReference();
    assert.throws(() => correlation.statusUrlOf(other, { [`signering_${other}`]: value }), /not valid for this exit URL/);
  });

  it("refuses a ticket made with another key or for another environment", () => {
    const reference = correlation.newReference();
    const cookies = ticketOf(correlation, reference);
    assert.throws(() => new ExitCorrelation(correlationKeyFrom("another certificate"), API_ROOT).statusUrlOf(reference, cookies), /another key or environment/);
    assert.throws(() => new ExitCorrelation(correlationKeyFrom("the enterprise certificate's key"), "https://api.difitest.signering.posten.no/api").statusUrlOf(reference, cookies), /another key or environment/);
  });

  it("builds the status URL only under the API root: a status URL elsewhere is refused at create", () => {
    const reference = correlation.newReference();
    for (const statusUrl of ["https://evil.example/api/123456785/direct/signature-jobs/42/status", `${API_ROOT}/123456785/direct/signature-jobs/42/status/../../../x`, `${API_ROOT}/123456785/portal/signature-jobs/42`, undefined]) {
      assert.throws(() => correlation.cookieFor(reference, statusUrl, EXIT_URL), (error: Error & { field?: string }) => error.field === "statusUrl", String(statusUrl));
    }
  });

  it("says clearly what is missing: no reference, an old UUID reference, a malformed one, no cookie", () => {
    const field = `msg.req.query.${RETURN_PARAMETER}`;
    assert.throws(() => correlation.statusUrlOf(undefined, {}), (error: Error & { field?: string }) => error.field === field && /is missing/.test(error.message));
    assert.throws(() => correlation.statusUrlOf("0b6f3b1e-8d0c-4c9e-9d1f-2f3a4b5c6d7e", {}), /older version.*msg\.signering\.statusUrl/);
    assert.throws(() => correlation.statusUrlOf("../../etc/passwd", {}), /not a reference made by a create node/);
    const reference = correlation.newReference();
    assert.throws(() => correlation.statusUrlOf(reference, undefined), /another browser.*msg\.signering\.statusUrl/);
  });
});

const directChange: DirectJobStatus = {
  flow: "direct",
  jobId: "7",
  status: "COMPLETED_SUCCESSFULLY",
  signers: [{ signer: "01019010046", status: "SIGNED", since: "2026-12-01T10:00:00Z" }],
  confirmationUrl: `${API_ROOT}/123456785/direct/signature-jobs/7/complete`,
  xadesUrls: [],
  nextPermittedPollTime: new Date(1),
};

describe("change keys", () => {
  it("are the same for a redelivery of the change (whatever the next poll time), and differ for the next change", () => {
    assert.equal(changeKeyOf(directChange), changeKeyOf({ ...directChange, nextPermittedPollTime: new Date(2) }));
    assert.notEqual(changeKeyOf(directChange), changeKeyOf({ ...directChange, jobId: "8" }));
    assert.notEqual(changeKeyOf(directChange), changeKeyOf({ ...directChange, status: "FAILED" }));
    assert.match(changeKeyOf(directChange), /^[A-Za-z0-9_-]{22}$/);
  });

  it("tell apart a portal job's successive IN_PROGRESS changes by the signatures' statuses", () => {
    const portal: PortalJobStatus = {
      flow: "portal",
      jobId: "9",
      status: "IN_PROGRESS",
      confirmationUrl: `${API_ROOT}/123456785/portal/signature-jobs/9/complete`,
      signatures: [
        { status: "SIGNED", since: "2026-12-01T10:00:00Z" },
        { status: "WAITING", since: "2026-12-01T09:00:00Z" },
      ],
    };
    const next = { ...portal, signatures: [portal.signatures[0]!, { status: "SIGNED" as const, since: "2026-12-01T11:00:00Z" }] };
    assert.notEqual(changeKeyOf(portal), changeKeyOf(next));
  });
});

describe("emitted changes", () => {
  it("mark a change emitted again before it was confirmed, and not after its confirm", () => {
    const emitted = new EmittedChanges();
    assert.equal(emitted.emit("a"), false);
    assert.equal(emitted.emit("a"), true);
    emitted.confirmed("a");
    assert.equal(emitted.size, 0);
    assert.equal(emitted.emit("a"), false);
  });

  it("stay within the limit, forgetting the oldest first", () => {
    const emitted = new EmittedChanges(3);
    for (const key of ["a", "b", "c", "d"]) emitted.emit(key);
    assert.equal(emitted.size, 3);
    assert.equal(emitted.emit("a"), false, "the oldest was forgotten");
    assert.equal(emitted.emit("d"), true);
  });
});
