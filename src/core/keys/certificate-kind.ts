import type { DistinguishedName } from "./distinguished-name";

/** Whether an enterprise certificate is for Posten's test environments or for production. */
export type CertificateKind = "test" | "production" | "unknown";

const COMMON_NAME = "2.5.4.3";

/**
 * Buypass and Commfides issue test certificates from CAs of their own, named as such
 * ("Buypass Class 3 Test4 CA 3", "Commfides Legal Person - G3 - TEST", "CPN … CA - TEST2");
 * their production CAs carry the same names without the test marker. Any other issuer (our
 * emulator's CA, a company's own) is unknown.
 */
export function certificateKindOfIssuer(issuer: DistinguishedName): CertificateKind {
  const names = issuer
    .flat()
    .filter((attribute) => attribute.oid === COMMON_NAME)
    .map((attribute) => attribute.value);
  for (const name of names) {
    if (/^Buypass Class 3 Test4 /.test(name)) return "test";
    if (/^Buypass Class 3 /.test(name)) return "production";
    if (/^(Commfides|CPN) /.test(name)) return /\bTEST\d*\b/.test(name) ? "test" : "production";
  }
  return "unknown";
}
