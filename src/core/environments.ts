import tls from "node:tls";
import { X509Certificate } from "node:crypto";
import { InvalidInputError } from "./errors";

/** Where the API lives: one of Posten's environments, or any URL (the emulator, a proxy). */
export type Environment = "production" | "test" | { url: string };

export const API_ROOTS = {
  production: "https://api.signering.posten.no/api",
  test: "https://api.difitest.signering.posten.no/api",
} as const;

/** Posten Bring AS: the organization the service's TLS certificate must belong to. */
export const POSTEN_ORGANIZATION_NUMBER = "984661185";

export function apiRootOf(environment: Environment): string {
  if (environment === "production" || environment === "test") return API_ROOTS[environment];
  if (!environment || typeof environment.url !== "string") {
    throw new InvalidInputError("environment", 'must be "production", "test" or { url: "https://…/api" }');
  }
  let url: URL;
  try {
    url = new URL(environment.url);
  } catch {
    throw new InvalidInputError("environment.url", `must be an absolute https URL, was "${environment.url}"`);
  }
  if (url.protocol !== "https:") throw new InvalidInputError("environment.url", "must use https (the API needs mutual TLS)");
  return url.href.replace(/\/+$/, "");
}

/**
 * Trust anchors for the server certificate when the caller gives none. Production's TLS
 * certificate is issued under Buypass Class 3 Root CA, which Node ships; the test environment
 * uses Buypass *Test4* roots, which nobody ships, so the caller must provide them.
 */
export function defaultTrustAnchors(environment: Environment): string[] {
  if (environment === "production") {
    const buypass = tls.rootCertificates.filter((pem) => /CN=Buypass Class 3 Root CA/.test(new X509Certificate(pem).subject.replace(/\n/g, ",")));
    if (buypass.length > 0) return buypass;
    return [...tls.rootCertificates];
  }
  const which = environment === "test" ? "the test environment (Buypass Class 3 Test4 root and CA certificates)" : "a custom URL";
  throw new InvalidInputError("trustedCertificates", `must be given for ${which}: the PEM certificates of the CA that issued the server's certificate`);
}
