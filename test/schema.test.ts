import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { documentFileName } from "../src/core/bundle";
import {
  buildDirectJobRequest,
  buildDirectManifest,
  buildDirectSignerUpdateRequest,
  buildPortalJobRequest,
  buildPortalManifest,
} from "../src/core/xml";
import { directJob, NATIONAL_IDS, portalJob, samplePdf } from "./support/jobs";
import { officialExamplesDir } from "./support/reference";
import { OFFICIAL_SCHEMA, OUR_SCHEMA, validateWithXmllint } from "./support/xmllint";

function examples(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? examples(file) : name.endsWith(".xml") ? [file] : [];
  });
}

const sender = { organizationNumber: "123456785" };

describe("our XSDs accept every official example", () => {
  const files = [...examples(path.join(officialExamplesDir, "direct")), ...examples(path.join(officialExamplesDir, "portal"))];
  it("finds the examples", () => assert.ok(files.length >= 20, `found ${files.length}`));
  for (const file of files) {
    it(path.relative(officialExamplesDir, file), () => {
      const verdict = validateWithXmllint(readFileSync(file, "utf8"), OUR_SCHEMA);
      assert.ok(verdict.valid, verdict.output);
    });
  }
});

describe("our XSDs and the official ones give the same verdict on invalid messages", () => {
  const manifest = readFileSync(path.join(officialExamplesDir, "direct", "manifest.xml"), "utf8");
  const portalManifest = readFileSync(path.join(officialExamplesDir, "portal", "manifest.xml"), "utf8");
  const signer = "<signer><personal-identification-number>12345678910</personal-identification-number></signer>";
  const cases: [string, string][] = [
    ["sender before signer", manifest.replace(/(<signer>[\s\S]*?<\/signer>)(\s*)(<sender>[\s\S]*?<\/sender>)/, "$3$2$1")],
    ["eleven signers", manifest.replace(/<signer>[\s\S]*?<\/signer>/, signer.repeat(11))],
    ["an 81-character title", manifest.replace(/<title>Tittel<\/title>/, `<title>${"x".repeat(81)}</title>`)],
    ["a ten-digit national id", manifest.replace("12345678910", "1234567891")],
    ["an unknown on-behalf-of", manifest.replace("<on-behalf-of>OTHER</on-behalf-of>", "<on-behalf-of>SOMEONE</on-behalf-of>")],
    ["signing order 10", portalManifest.replace(/<signer order="\d+">/, '<signer order="10">')],
    [
      "twenty-one documents",
      buildDirectManifest(
        directJob({ documents: Array.from({ length: 21 }, (_, i) => ({ title: `D${i}`, content: samplePdf() })) }),
        sender,
        Array.from({ length: 21 }, (_, i) => documentFileName(i, `D${i}`)),
      ),
    ],
    ["a 51-character reference", buildDirectJobRequest(directJob({ reference: "r".repeat(51) }))],
    ["required authentication 5", manifest.replace("</document>", "</document><required-authentication>5</required-authentication>")],
  ];
  for (const [label, xml] of cases) {
    it(label, () => {
      const ours = validateWithXmllint(xml, OUR_SCHEMA);
      const official = validateWithXmllint(xml, OFFICIAL_SCHEMA);
      assert.equal(official.valid, false, `the official schema should reject it: ${label}`);
      assert.equal(ours.valid, official.valid, ours.output);
    });
  }
});

describe("every message we build validates against our XSDs and the official ones", () => {
  const rich = {
    direct: directJob({
      reference: `ref & <"æøå"> 🙂`,
      description: "Please sign & return <soon>",
      signers: [
        { personalIdentificationNumber: NATIONAL_IDS[0], signatureType: "AUTHENTICATED_ELECTRONIC_SIGNATURE", onBehalfOf: "OTHER" },
        { customIdentifier: "c-42 'quoted' & <tagged>" },
      ],
      documents: [
        { title: "Kontrakt æøå", content: samplePdf() },
        { title: "x".repeat(80), content: samplePdf() },
      ],
      requiredAuthentication: 3,
      identifierInSignedDocuments: "DATE_OF_BIRTH_AND_NAME",
      statusRetrievalMethod: "POLLING",
      pollingQueue: "queue & more",
    }),
    portal: portalJob({
      reference: "portal-ref",
      nonsensitiveTitle: "Non-sensitive",
      description: "Desc",
      signers: [
        { personalIdentificationNumber: NATIONAL_IDS[0], order: 0, notificationsUsingLookup: { email: true, sms: true } },
        {
          personalIdentificationNumber: NATIONAL_IDS[1],
          order: 1,
          signatureType: "ADVANCED_ELECTRONIC_SIGNATURE",
          notifications: { email: "a@example.com", sms: "+4799999999" },
          onBehalfOf: "OTHER",
        },
        { identifiedByContactInformation: true, order: 1, notifications: { sms: "99999999" } },
        { identifiedByContactInformation: true, notifications: { email: `o'brien&co@example.com` } },
      ],
      availability: { activationTime: new Date("2030-01-01T10:00:00+01:00"), availableSeconds: 7_776_000 },
      requiredAuthentication: 4,
      identifierInSignedDocuments: "NAME",
      pollingQueue: "batch",
    }),
  };
  const names = (count: number) => Array.from({ length: count }, (_, i) => documentFileName(i, `Doc ${i}`));
  const messages: [string, string][] = [
    ["direct request (minimal)", buildDirectJobRequest(directJob())],
    ["direct request (every option)", buildDirectJobRequest(rich.direct)],
    ["direct manifest (minimal)", buildDirectManifest(directJob(), sender, names(1))],
    ["direct manifest (every option)", buildDirectManifest(rich.direct, sender, names(2))],
    ["portal request (minimal)", buildPortalJobRequest(portalJob())],
    ["portal request (every option)", buildPortalJobRequest(rich.portal)],
    ["portal manifest (minimal)", buildPortalManifest(portalJob(), sender, names(1))],
    ["portal manifest (every option)", buildPortalManifest(rich.portal, sender, names(1))],
    [
      "portal manifest (availability: only activation time)",
      buildPortalManifest(portalJob({ availability: { activationTime: "2030-06-01T12:00:00Z" } }), sender, names(1)),
    ],
    ["direct signer update request", buildDirectSignerUpdateRequest()],
  ];
  for (const [label, xml] of messages) {
    it(label, () => {
      for (const schema of [OUR_SCHEMA, OFFICIAL_SCHEMA]) {
        const verdict = validateWithXmllint(xml, schema);
        assert.ok(verdict.valid, `${path.basename(schema)}: ${verdict.output}\n${xml}`);
      }
    });
  }
});
