import type { DirectJob, PortalJob } from "../../src/core/model";

/** A minimal, well-formed one-page PDF; the label makes each one different. */
export function samplePdf(label = "test"): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>`,
    `<< /Length 0 >>\nstream\n\nendstream`,
  ];
  let pdf = `%PDF-1.7\n% ${label.replace(/[\r\n]/g, " ")}\n`;
  const offsets = objects.map((object, index) => {
    const offset = Buffer.byteLength(pdf, "utf8");
    pdf += `${index + 1} 0 obj\n${object}\nendobj\n`;
    return offset;
  });
  const xref = Buffer.byteLength(pdf, "utf8");
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`).join("")}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, "utf8");
}

/** Valid national identity numbers (synthetic, with correct check digits). */
export const NATIONAL_IDS = ["01019010046", "01017012343", "02038012390"] as const;

export function directJob(overrides: Partial<DirectJob> = {}): DirectJob {
  return {
    title: "Employment contract",
    documents: [{ title: "Contract", content: samplePdf("contract") }],
    signers: [{ personalIdentificationNumber: NATIONAL_IDS[0] }],
    exitUrls: { completion: "https://example.com/ok", rejection: "https://example.com/no", error: "https://example.com/err" },
    ...overrides,
  };
}

export function portalJob(overrides: Partial<PortalJob> = {}): PortalJob {
  return {
    title: "Board resolution",
    documents: [{ title: "Resolution", content: samplePdf("resolution") }],
    signers: [{ personalIdentificationNumber: NATIONAL_IDS[0], notifications: { email: "signer@example.com" } }],
    ...overrides,
  };
}
