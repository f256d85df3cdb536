import type { DirectJob, PortalJob } from "../../src/core/model";

/** A minimal valid PDF body for tests. */
export const samplePdf = (label = "test"): Buffer => Buffer.from(`%PDF-1.7\n% ${label}\n1 0 obj << >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`, "utf8");

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
