import { LIMITS } from "./limits";

/**
 * The forms an exit URL may take. Pure, with no Node.js imports: the nodes' editor runs the same
 * functions in the browser (the build bundles this module into each dialog).
 */

/** Why a value is not an exit URL the service accepts. */
export type ExitUrlProblem = "empty" | "tooLong" | "notAbsolute" | "notHttps";

const LOOPBACK_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "[::1]"];

/** The service's rule: an absolute https URL (http only to the local machine), at most 500 characters. */
export function exitUrlProblem(value: string): ExitUrlProblem | undefined {
  if (value === "") return "empty";
  // Length first: nothing else runs on an over-long value.
  if (value.length > LIMITS.urlLength * 2 || [...value].length > LIMITS.urlLength) return "tooLong";
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "notAbsolute";
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK_HOSTS.includes(url.hostname))) return undefined;
  return "notHttps";
}

/**
 * An exit URL written as a path on the site that starts the job (`/signering/signed`): the nodes
 * complete it from that request. Not `//host` (another host) nor `/\host` (which browsers read alike).
 */
export function isSitePath(value: string): boolean {
  return value.length <= LIMITS.urlLength && value.startsWith("/") && value[1] !== "/" && value[1] !== "\\";
}
