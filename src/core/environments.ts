import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { CertificateError, InvalidInputError } from "./errors";
import type { CertificateSummary } from "./keys";
import { shown, trimEnd } from "./text";

/** Where the API lives: one of Posten's environments, or any URL (the emulator, a proxy). */
export type Environment = NamedEnvironment | { url: string };

/** Posten's own environments: production, the public test service (difitest) and difiqa. */
export type NamedEnvironment = "production" | "test" | "qa";

export const API_ROOTS: Readonly<Record<NamedEnvironment, string>> = {
  production: "https://api.signering.posten.no/api",
  test: "https://api.difitest.signering.posten.no/api",
  qa: "https://api.difiqa.signering.posten.no/api",
};

/** Posten Bring AS: the organization the service's TLS certificate must belong to. */
export const POSTEN_ORGANIZATION_NUMBER = "984661185";

export function isNamedEnvironment(environment: unknown): environment is NamedEnvironment {
  return typeof environment === "string" && Object.hasOwn(API_ROOTS, environment);
}

export function apiRootOf(environment: Environment): string {
  if (isNamedEnvironment(environment)) return API_ROOTS[environment];
  if (!environment || typeof environment !== "object" || typeof environment.url !== "string") {
    throw new InvalidInputError("environment", 'must be "production", "test", "qa" or { url: "https://…/api" }');
  }
  let url: URL;
  try {
    url = new URL(environment.url);
  } catch {
    throw new InvalidInputError("environment.url", `must be an absolute https URL, was ${shown(environment.url)}`);
  }
  if (url.protocol !== "https:") throw new InvalidInputError("environment.url", "must use https (the API needs mutual TLS)");
  return trimEnd(url.href, "/");
}

/** dist/src/core → the package root, where the shipped certificates/ folder is. */
const CERTIFICATES_DIR = path.join(__dirname, "..", "..", "..", "certificates");

const trustAnchorCache = new Map<string, readonly string[]>();

/**
 * The CA certificates (PEM) the package ships for an environment, as the official Java client
 * ships them: production's set, or the test set for difitest and difiqa. To trust one more CA,
 * pass `trustedCertificates: [...trustAnchorsOf("test"), extraPem]`.
 */
export function trustAnchorsOf(environment: NamedEnvironment): readonly string[] {
  if (!isNamedEnvironment(environment))
    throw new InvalidInputError("environment", `must be "production", "test" or "qa", was ${JSON.stringify(environment)}`);
  const folder = environment === "production" ? "production" : "test";
  let anchors = trustAnchorCache.get(folder);
  if (!anchors) {
    const dir = path.join(CERTIFICATES_DIR, folder);
    anchors = Object.freeze(
      readdirSync(dir)
        .filter((file) => file.endsWith(".pem"))
        .sort()
        .map((file) => readFileSync(path.join(dir, file), "utf8")),
    );
    trustAnchorCache.set(folder, anchors);
  }
  return anchors;
}

/**
 * Trust anchors for the server certificate when the caller gives none: the shipped set of a
 * named environment. A custom URL has no default; Node's bundle of web roots is never used.
 */
export function defaultTrustAnchors(environment: Environment): readonly string[] {
  if (isNamedEnvironment(environment)) return trustAnchorsOf(environment);
  throw new InvalidInputError(
    "trustedCertificates",
    "must be given for a custom URL: the PEM certificates of the CA that issued the server's certificate",
  );
}

/**
 * The service refuses a test certificate in production and a production certificate in its
 * test environments, with a far less helpful message; refuse it here, naming both.
 */
export function checkCertificateFitsEnvironment(certificate: Pick<CertificateSummary, "issuer" | "kind">, environment: Environment): void {
  if (!isNamedEnvironment(environment) || certificate.kind === "unknown") return;
  const wanted = environment === "production" ? "production" : "test";
  if (certificate.kind !== wanted) {
    throw new CertificateError(
      "CERTIFICATE_ENVIRONMENT_MISMATCH",
      `The enterprise certificate is a ${certificate.kind} certificate (issued by "${certificate.issuer}"), but the environment is ${environment}, ` +
        `which takes ${wanted} certificates only`,
    );
  }
}
