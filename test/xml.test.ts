import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import {
  buildDirectJobRequest,
  buildDirectManifest,
  buildPortalManifest,
  parseDirectJobResponse,
  parseDirectJobStatus,
  parseDirectSignerResponse,
  parseErrorResponse,
  parsePortalJobResponse,
  parsePortalJobStatus,
  UnexpectedResponseError,
} from "../src/core/xml";
import { directJob, NATIONAL_IDS, portalJob } from "./support/jobs";
import { officialExamplesDir } from "./support/reference";

const example = (file: string) => readFileSync(path.join(officialExamplesDir, file), "utf8");
const api = "https://api.signering.posten.no/api/123456789";

describe("response parsers read every official example", () => {
  it("direct job response, trimming the deprecated redirect-url with a comment inside", () => {
    assert.deepEqual(parseDirectJobResponse(example("direct/response.xml")), {
      flow: "direct",
      jobId: "1",
      statusUrl: `${api}/direct/signature-jobs/1/status`,
      signers: [
        {
          href: `${api}/direct/signature-jobs/1/signers/1`,
          personalIdentificationNumber: "12345678910",
          redirectUrl: "https://signering.posten.no#/redirect/421e7ac38da1f81150cfae8a053cef62f9e7433ffd9395e5805e820980653657",
        },
      ],
    });
  });

  it("direct job response with two signers, one by custom identifier", () => {
    const response = parseDirectJobResponse(example("direct/multiple_signers/response.xml"));
    assert.equal(response.signers.length, 2);
    assert.equal(response.signers[1]?.customIdentifier, "123abc");
    assert.equal(response.signers[1]?.redirectUrl, "https://signering.posten.no#/redirect/P1P-rdPK03Vf-z4NZb1mtDcExjpOzzVEkwal_F9FKm0");
  });

  it("direct signer response", () => {
    assert.deepEqual(parseDirectSignerResponse(example("direct/signer-response.xml")), {
      href: `${api}/direct/signature-jobs/1/signers/1`,
      personalIdentificationNumber: "12345678910",
      redirectUrl: "https://signering.posten.no#/redirect/421e7ac38da1f81150cfae8a053cef62f9e7433ffd9395e5805e820980653657",
    });
  });

  it("direct status response", () => {
    assert.deepEqual(parseDirectJobStatus(example("direct/status-response.xml")), {
      flow: "direct",
      jobId: "1",
      status: "COMPLETED_SUCCESSFULLY",
      signers: [{ status: "SIGNED", since: "2017-01-23T12:51:43+01:00" }],
      confirmationUrl: `${api}/direct/signature-jobs/1/complete`,
      xadesUrls: [{ url: `${api}/direct/signature-jobs/1/xades/1` }],
      padesUrl: `${api}/direct/signature-jobs/1/pades`,
    });
  });

  it("direct status response with signer attributes", () => {
    const status = parseDirectJobStatus(example("direct/multiple_signers/status-response.xml"));
    assert.deepEqual(
      status.signers.map((signer) => signer.signer),
      ["123abc", "10987654321"],
    );
    assert.deepEqual(
      status.xadesUrls.map((url) => url.signer),
      ["123abc", "10987654321"],
    );
  });

  it("portal job response", () => {
    assert.deepEqual(parsePortalJobResponse(example("portal/response.xml")), {
      flow: "portal",
      jobId: "1",
      cancellationUrl: `${api}/portal/signature-jobs/1/cancel`,
    });
  });

  it("portal status change", () => {
    assert.deepEqual(parsePortalJobStatus(example("portal/status-change-response.xml")), {
      flow: "portal",
      jobId: "1",
      status: "COMPLETED_SUCCESSFULLY",
      confirmationUrl: `${api}/portal/signature-jobs/1/complete`,
      signatures: [
        {
          status: "SIGNED",
          since: "2017-01-23T12:51:43+01:00",
          personalIdentificationNumber: "12345678910",
          xadesUrl: `${api}/portal/signature-jobs/1/xades/1`,
        },
      ],
      padesUrl: `${api}/portal/signature-jobs/1/pades`,
    });
  });

  it("portal status change for signers identified by contact information", () => {
    const status = parsePortalJobStatus(example("portal/status-change-response-signer-without-pin.xml"));
    assert.deepEqual(
      status.signatures.map((signature) => signature.contactInformation),
      [{ email: "test@example.com" }, { email: "test@example.com", sms: "12345678" }],
    );
  });
});

describe("response parsers are tolerant where the service may change", () => {
  it("keeps unknown signer statuses and ignores unknown elements and extra namespaces", () => {
    const xml = `<?xml version="1.0"?><direct-signature-job-status-response xmlns="http://signering.posten.no/schema/v1" xmlns:ns2="http://www.w3.org/2000/09/xmldsig#">
      <signature-job-id>9007199254740993</signature-job-id><signature-job-status>IN_PROGRESS</signature-job-status>
      <status signer="c-1" since="2026-01-01T10:00:00Z">SOME_NEW_STATUS</status><future-element>x</future-element></direct-signature-job-status-response>`;
    const status = parseDirectJobStatus(xml);
    assert.equal(status.jobId, "9007199254740993", "ids beyond 2^53 survive as text");
    assert.deepEqual(status.signers, [{ status: "SOME_NEW_STATUS", since: "2026-01-01T10:00:00Z", signer: "c-1" }]);
  });

  it("refuses an unknown job status and a wrong root element", () => {
    const xml = example("direct/status-response.xml").replace("COMPLETED_SUCCESSFULLY", "HALF_DONE");
    assert.throws(() => parseDirectJobStatus(xml), UnexpectedResponseError);
    assert.throws(() => parsePortalJobResponse(example("direct/response.xml")), /Expected a <portal-signature-job-response>/);
    assert.throws(() => parsePortalJobResponse("not xml <"), UnexpectedResponseError);
  });

  it("reads the error body, and nothing from other bodies", () => {
    const error = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><error xmlns="http://signering.posten.no/schema/v1" xmlns:ns2="x"><error-code>BROKER_NOT_AUTHORIZED</error-code><error-message>Nope</error-message><error-type>CLIENT</error-type></error>`;
    assert.deepEqual(parseErrorResponse(error), { errorCode: "BROKER_NOT_AUTHORIZED", errorMessage: "Nope", errorType: "CLIENT" });
    assert.equal(parseErrorResponse("<html>Bad gateway</html>"), undefined);
  });
});

describe("request builders", () => {
  it("escapes hostile text and keeps it round-trippable", () => {
    const xml = buildDirectJobRequest(directJob({ reference: `a&b<c>"d"'e' æøå 🙂` }));
    assert.match(xml, /<reference>a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos; æøå 🙂<\/reference>/);
  });

  it("writes the direct manifest in schema order and omits options that are not set", () => {
    const xml = buildDirectManifest(directJob(), { organizationNumber: "123456785" }, ["0000_contract.pdf"]);
    assert.equal(
      xml,
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><direct-signature-job-manifest xmlns="http://signering.posten.no/schema/v1">` +
        `<signer><personal-identification-number>${NATIONAL_IDS[0]}</personal-identification-number></signer>` +
        `<sender><organization-number>123456785</organization-number></sender><title>Employment contract</title>` +
        `<documents><document href="0000_contract.pdf" mime="application/pdf"><title>Contract</title></document></documents>` +
        `</direct-signature-job-manifest>`,
    );
  });

  it("writes portal signers with order, lookup and contact information", () => {
    const xml = buildPortalManifest(
      portalJob({
        signers: [
          { personalIdentificationNumber: NATIONAL_IDS[0], order: 2, notificationsUsingLookup: { email: true } },
          { identifiedByContactInformation: true, notifications: { email: "x@example.com", sms: "99999999" } },
        ],
        availability: { availableSeconds: 600 },
      }),
      { organizationNumber: "123456785" },
      ["0000_resolution.pdf"],
    );
    assert.match(
      xml,
      /<signer order="2"><personal-identification-number>01019010046<\/personal-identification-number><notifications-using-lookup><email\/><\/notifications-using-lookup><\/signer>/,
    );
    assert.match(
      xml,
      /<signer><identified-by-contact-information\/><notifications><email address="x@example.com"\/><sms number="99999999"\/><\/notifications><\/signer>/,
    );
    assert.match(xml, /<availability><available-seconds>600<\/available-seconds><\/availability>/);
  });
});
