import { InvalidInputError } from "../errors";
import type { SigneringClientOptions } from "./signering-client";

export const DEFAULT_MAX_DOWNLOAD_BYTES = 200 * 1024 * 1024;
/** Timeouts above an hour are a unit mistake (seconds for milliseconds). */
const MAX_TIMEOUT_MS = 60 * 60_000;
/** More waiting calls than this is no longer a queue but a backlog. */
const MAX_QUEUED = 10_000;

/**
 * Checks the client's numeric and switch options before anything is built, naming the field:
 * a NaN or a string would otherwise turn pacing or a timeout off without a word.
 */
export function checkClientOptions(options: SigneringClientOptions): void {
  if (options.rateLimit !== undefined && options.rateLimit !== false) {
    if (typeof options.rateLimit !== "object" || options.rateLimit === null)
      throw new InvalidInputError(
        "rateLimit",
        "must be { callsPerSecond, maxQueued, maxQueuedPerKey, maxWaitMs } (each optional) or false",
      );
    const { callsPerSecond, maxQueued, maxQueuedPerKey, maxWaitMs } = options.rateLimit;
    if (callsPerSecond !== undefined) checkNumber(callsPerSecond, "rateLimit.callsPerSecond", { min: 0.01, max: 1000 });
    if (maxQueued !== undefined) checkNumber(maxQueued, "rateLimit.maxQueued", { min: 1, max: MAX_QUEUED, integer: true });
    if (maxQueuedPerKey !== undefined) {
      checkNumber(maxQueuedPerKey, "rateLimit.maxQueuedPerKey", { min: 1, max: MAX_QUEUED, integer: true });
    }
    if (maxWaitMs !== undefined) checkNumber(maxWaitMs, "rateLimit.maxWaitMs", { min: 0, max: MAX_TIMEOUT_MS, integer: true });
  }
  if (options.timeouts !== undefined) {
    if (typeof options.timeouts !== "object" || options.timeouts === null)
      throw new InvalidInputError("timeouts", "must be an object of milliseconds");
    for (const name of ["connect", "response", "download"] as const) {
      const value = options.timeouts[name];
      if (value !== undefined) checkNumber(value, `timeouts.${name}`, { min: 1, max: MAX_TIMEOUT_MS, integer: true });
    }
  }
  if (options.maxDownloadBytes !== undefined)
    checkNumber(options.maxDownloadBytes, "maxDownloadBytes", { min: 1, max: Number.MAX_SAFE_INTEGER, integer: true });
  if (options.debug !== undefined && typeof options.debug !== "boolean") throw new InvalidInputError("debug", "must be true or false");
  if (options.dumpBundles !== undefined && (typeof options.dumpBundles !== "string" || options.dumpBundles.trim() === "")) {
    throw new InvalidInputError("dumpBundles", "must be the path of a folder");
  }
  if (options.proxy !== undefined && options.proxy !== false) checkProxy(options.proxy);
}

function checkNumber(value: unknown, field: string, rule: { min: number; max: number; integer?: boolean }): void {
  const kind = rule.integer ? "an integer" : "a number";
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    (rule.integer && !Number.isInteger(value)) ||
    value < rule.min ||
    value > rule.max
  ) {
    const shown = typeof value === "number" ? String(value) : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
    throw new InvalidInputError(field, `must be ${kind} from ${rule.min} to ${rule.max}, was ${shown}`);
  }
}

/** The proxy URL is checked without ever echoing it: it may carry a password. */
function checkProxy(proxy: unknown): void {
  if (typeof proxy !== "string") throw new InvalidInputError("proxy", "must be a proxy URL (http://host:port) or false");
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    throw new InvalidInputError("proxy", "must be an absolute URL such as http://proxy.example:3128");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidInputError("proxy", `must be an http: or https: URL, was ${url.protocol}`);
}
