import { InvalidInputError } from "../errors";
import { LIMITS } from "../limits";
import { trimEnd } from "../text";
import { redactUrl } from "./redact";

/**
 * Checks a URL the client is asked to call (taken from a msg or a server's response): it must
 * be https, on the API root's origin and under its path, so that nothing from outside can make
 * the client call another host, a plain-http address or another part of the server.
 * Returns the normalized URL; throws an `InvalidInputError` naming the field otherwise.
 */
export function serviceUrl(apiRoot: string, value: unknown, field: string): string {
  if (typeof value !== "string" || value.trim() === "")
    throw new InvalidInputError(field, "is required (take it from the service's response)");
  if (value.length > LIMITS.serviceUrlLength) {
    throw new InvalidInputError(field, `must be a URL of at most ${LIMITS.serviceUrlLength} characters, was ${value.length}`);
  }
  const problem = serviceUrlProblem(apiRoot, value.trim());
  if (problem) throw new InvalidInputError(field, `${problem}, was "${redactUrl(value.trim())}"`);
  return new URL(value.trim()).href;
}

/** Why a URL is not one of the service's, or undefined when it is. */
export function serviceUrlProblem(apiRoot: string, value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an absolute URL from the service's response";
  }
  const root = new URL(apiRoot);
  const under = `${trimEnd(root.pathname, "/")}/`;
  if (url.protocol !== "https:" || url.origin !== root.origin || !url.pathname.startsWith(under) || url.username || url.password) {
    return `must be an https URL of the service under ${root.origin}${under}`;
  }
  return undefined;
}
