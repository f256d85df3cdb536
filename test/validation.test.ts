import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { InvalidInputError } from "../src/core/errors";
import { isValidNationalIdentityNumber, isValidOrganizationNumber, maskNationalIdentityNumber } from "../src/core/identifiers";
import type { DirectJob, PortalJob } from "../src/core/model";
import { validateDirectJob, validatePortalJob } from "../src/core/validation";
import { directJob, NATIONAL_IDS, portalJob, samplePdf } from "./support/jobs";

function rejects(action: () => void, field: string, message: RegExp): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof InvalidInputError, `expected InvalidInputError, got ${String(error)}`);
    assert.equal(error.field, field);
    assert.match(error.message, message);
    return true;
  });
}

const direct = (overrides: Partial<DirectJob>) => () => validateDirectJob(directJob(overrides));
const portal = (overrides: Partial<PortalJob>) => () => validatePortalJob(portalJob(overrides));

describe("identifiers", () => {
  it("checks national identity numbers' two check digits", () => {
    for (const id of NATIONAL_IDS) assert.ok(isValidNationalIdentityNumber(id), id);
    assert.equal(isValidNationalIdentityNumber("01019010047"), false);
    assert.equal(isValidNationalIdentityNumber("0101901004"), false);
    assert.ok(isValidNationalIdentityNumber("01019010047", false), "checksum check can be switched off");
  });
  it("accepts D-numbers (day + 40) with valid check digits", () => {
    assert.ok(isValidNationalIdentityNumber("41019012393"));
    assert.ok(isValidNationalIdentityNumber("52038012355"));
    assert.equal(isValidNationalIdentityNumber("41019012394"), false);
  });
  it("checks organization numbers", () => {
    assert.ok(isValidOrganizationNumber("984661185"));
    assert.ok(isValidOrganizationNumber("123456785"));
    assert.equal(isValidOrganizationNumber("123456789"), false);
    assert.equal(isValidOrganizationNumber("12345678"), false);
  });
  it("masks all but the birth date", () => assert.equal(maskNationalIdentityNumber("01019010046"), "010190*****"));
});

describe("direct job validation", () => {
  it("accepts the minimal and a full job", () => {
    validateDirectJob(directJob());
    validateDirectJob(
      directJob({
        signers: [{ personalIdentificationNumber: NATIONAL_IDS[0] }, { customIdentifier: "c-42" }],
        reference: "r",
        description: "d",
        statusRetrievalMethod: "POLLING",
        requiredAuthentication: 3,
      }),
    );
  });
  it("title: required, at most 80 characters (emoji count as one)", () => {
    rejects(direct({ title: "" }), "title", /must not be empty/);
    rejects(direct({ title: "x".repeat(81) }), "title", /at most 80 characters, was 81/);
    validateDirectJob(directJob({ title: "🙂".repeat(80) }));
  });
  it("description ≤ 220 and reference ≤ 50", () => {
    rejects(direct({ description: "d".repeat(221) }), "description", /at most 220/);
    rejects(direct({ reference: "r".repeat(51) }), "reference", /at most 50/);
  });
  it("1 to 10 signers, each identified once", () => {
    rejects(direct({ signers: [] }), "signers", /at least 1/);
    rejects(
      direct({ signers: Array.from({ length: 11 }, (_, i) => ({ customIdentifier: `s${i}` })) }),
      "signers",
      /at most 10 entries, had 11/,
    );
    rejects(direct({ signers: [{ customIdentifier: "a" }, { customIdentifier: "a" }] }), "signers[1]", /"a" appears more than once/);
    rejects(
      direct({ signers: [{ personalIdentificationNumber: NATIONAL_IDS[0] }, { personalIdentificationNumber: NATIONAL_IDS[0] }] }),
      "signers[1]",
      /010190\*{5} appears more than once/,
    );
    rejects(direct({ signers: [{} as never] }), "signers[0]", /exactly one of personalIdentificationNumber and customIdentifier/);
    rejects(direct({ signers: [{ customIdentifier: "x".repeat(81) }] }), "signers[0].customIdentifier", /at most 80/);
  });
  it("national ids: eleven digits and check digits, never echoed in full", () => {
    rejects(
      direct({ signers: [{ personalIdentificationNumber: "0101901004" }] }),
      "signers[0].personalIdentificationNumber",
      /must be 11 digits/,
    );
    rejects(
      direct({ signers: [{ personalIdentificationNumber: "01019010047" }] }),
      "signers[0].personalIdentificationNumber",
      /^(?!.*01019010047).*010190\*{5} has wrong check digits/,
    );
    validateDirectJob(directJob({ signers: [{ personalIdentificationNumber: "01019010047" }] }), { checkNationalIdChecksum: false });
  });
  it("1 to 20 PDF documents of at most 10 MB, not encrypted", () => {
    rejects(direct({ documents: [] }), "documents", /at least 1/);
    rejects(
      direct({ documents: Array.from({ length: 21 }, () => ({ title: "d", content: samplePdf() })) }),
      "documents",
      /at most 20 entries, had 21/,
    );
    rejects(direct({ documents: [{ title: "d", content: Buffer.from("hello") }] }), "documents[0].content", /must be a PDF/);
    const large = Buffer.alloc(10 * 1024 * 1024 + 1);
    large.write("%PDF-1.7");
    rejects(
      direct({ documents: [{ title: "d", content: large }] }),
      "documents[0].content",
      /at most 10485760 bytes \(10 MB\), was 10485761/,
    );
    rejects(
      direct({ documents: [{ title: "d", content: Buffer.from("%PDF-1.7\ntrailer << /Encrypt 5 0 R >>") }] }),
      "documents[0].content",
      /encrypted/,
    );
    rejects(direct({ documents: [{ title: "", content: samplePdf() }] }), "documents[0].title", /must not be empty/);
    rejects(direct({ documents: [{ title: "d", content: "text" as never }] }), "documents[0].content", /bytes/);
    rejects(
      direct({ documents: [{ title: "d", content: samplePdf(), mimeType: "image/png" as never }] }),
      "documents[0].mimeType",
      /must be application\/pdf or text\/plain, was "image\/png"/,
    );
  });
  it("exit URLs: https, absolute, at most 500 characters", () => {
    const urls = directJob().exitUrls;
    rejects(direct({ exitUrls: { ...urls, rejection: "ftp://example.com" } }), "exitUrls.rejection", /must use https/);
    rejects(direct({ exitUrls: { ...urls, error: "/relative" } }), "exitUrls.error", /absolute URL/);
    rejects(direct({ exitUrls: { ...urls, completion: `https://example.com/${"x".repeat(500)}` } }), "exitUrls.completion", /at most 500/);
    validateDirectJob(directJob({ exitUrls: { ...urls, completion: "http://127.0.0.1:1880/ok" } }));
    rejects(direct({ exitUrls: undefined as never }), "exitUrls", /required/);
  });
  it("enums and sender", () => {
    rejects(direct({ requiredAuthentication: 2 as never }), "requiredAuthentication", /3 or 4/);
    rejects(direct({ statusRetrievalMethod: "PUSH" as never }), "statusRetrievalMethod", /WAIT_FOR_CALLBACK, POLLING/);
    rejects(
      direct({ signers: [{ customIdentifier: "a", signatureType: "QUALIFIED" as never }] }),
      "signers[0].signatureType",
      /ADVANCED_ELECTRONIC_SIGNATURE/,
    );
    rejects(direct({ identifierInSignedDocuments: "EMAIL" as never }), "identifierInSignedDocuments", /NAME/);
    rejects(direct({ sender: { organizationNumber: "123456789" } }), "sender.organizationNumber", /valid 9-digit organization number/);
    rejects(direct({ pollingQueue: "" }), "pollingQueue", /must not be empty/);
  });
});

describe("portal job validation", () => {
  it("accepts lookup, contact information and ordered signers", () => {
    validatePortalJob(
      portalJob({
        signers: [
          { personalIdentificationNumber: NATIONAL_IDS[0], order: 0, notificationsUsingLookup: { email: true, sms: true } },
          { identifiedByContactInformation: true, order: 9, notifications: { sms: "+47 999 99 999" } },
        ],
        nonsensitiveTitle: "Public title",
        availability: { activationTime: "2030-01-01T00:00:00+01:00", availableSeconds: 3600 },
      }),
    );
  });
  it("signer identification and notification rules", () => {
    rejects(
      portal({ signers: [{ notifications: { email: "a@example.com" } }] }),
      "signers[0]",
      /needs personalIdentificationNumber, or identifiedByContactInformation/,
    );
    rejects(portal({ signers: [{ personalIdentificationNumber: NATIONAL_IDS[0] }] }), "signers[0]", /exactly one of notifications/);
    rejects(
      portal({ signers: [{ identifiedByContactInformation: true, notificationsUsingLookup: { email: true } }] }),
      "signers[0].notificationsUsingLookup",
      /needs a personalIdentificationNumber/,
    );
    rejects(
      portal({
        signers: [{ personalIdentificationNumber: NATIONAL_IDS[0], onBehalfOf: "OTHER", notificationsUsingLookup: { email: true } }],
      }),
      "signers[0].notificationsUsingLookup",
      /on behalf of OTHER/,
    );
    rejects(
      portal({ signers: [{ identifiedByContactInformation: true, notifications: {} }] }),
      "signers[0].notifications",
      /email address, an sms number or both/,
    );
    rejects(
      portal({ signers: [{ identifiedByContactInformation: true, notifications: { email: "not-an-address" } }] }),
      "signers[0].notifications.email",
      /e-mail address/,
    );
    rejects(
      portal({ signers: [{ identifiedByContactInformation: true, notifications: { sms: "12" } }] }),
      "signers[0].notifications.sms",
      /8-15 digits/,
    );
    rejects(
      portal({
        signers: [
          { personalIdentificationNumber: NATIONAL_IDS[0], identifiedByContactInformation: true, notifications: { email: "a@b.no" } },
        ],
      }),
      "signers[0]",
      /not both/,
    );
  });
  it("order 0-9, availability within 90 days, nonsensitive title ≤ 80", () => {
    rejects(
      portal({ signers: [{ personalIdentificationNumber: NATIONAL_IDS[0], order: 10, notifications: { email: "a@b.no" } }] }),
      "signers[0].order",
      /0 to 9, was 10/,
    );
    rejects(
      portal({ signers: [{ personalIdentificationNumber: NATIONAL_IDS[0], order: 1.5, notifications: { email: "a@b.no" } }] }),
      "signers[0].order",
      /whole number/,
    );
    rejects(portal({ availability: { availableSeconds: 7_776_001 } }), "availability.availableSeconds", /0 to 7776000, was 7776001/);
    rejects(portal({ availability: { activationTime: "tomorrow" } }), "availability.activationTime", /ISO 8601/);
    rejects(portal({ nonsensitiveTitle: "n".repeat(81) }), "nonsensitiveTitle", /at most 80/);
  });
});

describe("text documents", () => {
  const text = (content: Buffer) => direct({ documents: [{ title: "Terms", content, mimeType: "text/plain" }] });
  it("accepts UTF-8 text as text/plain, alone or beside PDFs", () => {
    text(Buffer.from("Vilkår for bruk\r\nLinje 2 ✍️\n", "utf8"))();
    validateDirectJob(
      directJob({
        documents: [
          { title: "Contract", content: samplePdf() },
          { title: "Terms", content: Buffer.from("Tekst"), mimeType: "text/plain" },
        ],
      }),
    );
  });
  it("refuses bytes that are not UTF-8, an empty text, a PDF given as text, and more than 10 MB", () => {
    rejects(text(Buffer.from([0x48, 0xe6, 0x72])), "documents[0].content", /must be UTF-8 text/);
    rejects(text(Buffer.from([0xf0, 0x9f, 0x99])), "documents[0].content", /must be UTF-8 text/);
    rejects(text(Buffer.alloc(0)), "documents[0].content", /must not be empty/);
    rejects(text(samplePdf()), "documents[0].content", /is a PDF; give it mimeType "application\/pdf"/);
    rejects(text(Buffer.alloc(10 * 1024 * 1024 + 1, 0x61)), "documents[0].content", /at most 10485760 bytes \(10 MB\), was 10485761/);
  });
  it("a text file given as a PDF is refused, pointing at text/plain", () => {
    rejects(
      direct({ documents: [{ title: "Terms", content: Buffer.from("just text") }] }),
      "documents[0].content",
      /must be a PDF .*mimeType "text\/plain"/,
    );
  });
});

describe("characters XML 1.0 cannot carry", () => {
  // [text, the offending character, its 0-based index in the text]
  const forbidden = [
    ["Avtale\u0001", "0001", 6],
    ["\u001b[31m", "001B", 0],
    ["ab\uD83D", "D83D", 2],
    ["\uDE42x", "DE42", 0],
    ["x\uFFFE", "FFFE", 1],
    ["\uFFFF", "FFFF", 0],
  ] as const;
  // [field, what comes before the text in the value, the job with that value]
  const fields: [string, string, (value: string) => () => void][] = [
    ["title", "", (value) => direct({ title: value })],
    ["description", "", (value) => direct({ description: value })],
    ["reference", "", (value) => direct({ reference: value })],
    ["pollingQueue", "", (value) => direct({ pollingQueue: value })],
    ["documents[0].title", "", (value) => direct({ documents: [{ title: value, content: samplePdf() }] })],
    ["signers[0].customIdentifier", "", (value) => direct({ signers: [{ customIdentifier: value }] })],
    [
      "exitUrls.error",
      "https://example.com/",
      (value) => direct({ exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no", error: value } }),
    ],
    ["nonsensitiveTitle", "", (value) => portal({ nonsensitiveTitle: value })],
    [
      "signers[0].notifications.email",
      "a",
      (value) => portal({ signers: [{ identifiedByContactInformation: true, notifications: { email: `${value}@example.com` } }] }),
    ],
  ];
  for (const [field, prefix, job] of fields) {
    it(`refuses them in ${field}, naming the field, the character and where it is`, () => {
      for (const [text, code, index] of forbidden) {
        rejects(
          job(prefix + text),
          field,
          new RegExp(`contains a character XML does not allow \\(U\\+${code} at position ${prefix.length + index + 1}\\)`),
        );
      }
    });
  }
  it("accepts tab, line feed, carriage return and astral characters", () => {
    validateDirectJob(directJob({ description: "line 1\r\n\tline 2", title: "Avtale 🙂 ✍️" }));
  });
});
