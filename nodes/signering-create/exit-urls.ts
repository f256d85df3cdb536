/**
 * Exit URLs written as paths (`/signering/signed`) are completed from the request that started
 * the job, so a flow works wherever Node-RED runs: any host, port, `httpNodeRoot`, or behind TLS
 * (a proxy's `X-Forwarded-Proto` counts only where Node-RED's `httpServerOptions` set `trust proxy`). The host is
 * the visitor's own `Host` header: it only decides where that visitor's browser is sent back, so
 * it is accepted if it is a plain host name or address with an optional port, and the scheme
 * only if it is http or https.
 */

/** What an `http in` msg's `req` offers (an Express request). */
interface RequestLike {
  protocol?: unknown;
  headers?: Record<string, unknown>;
  get?: (name: string) => unknown;
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export type ExitUrlFailure = "notAbsolute" | "noRequest" | "badHost" | "badProtocol";

/** The exit URL to send, or the reason it cannot be made. */
export function resolveExitUrl(url: string, request: unknown, httpNodeRoot: string | undefined): URL | ExitUrlFailure {
  if (!url.startsWith("/")) {
    try {
      return new URL(url);
    } catch {
      return "notAbsolute";
    }
  }
  if (url.startsWith("//")) return "notAbsolute";
  const req = request as RequestLike | undefined;
  if (!req || typeof req !== "object") return "noRequest";
  const host = typeof req.get === "function" ? req.get("host") : req.headers?.host;
  if (typeof host !== "string" || !HOST.test(host)) return "badHost";
  const protocol = req.protocol ?? "http";
  if (protocol !== "http" && protocol !== "https") return "badProtocol";
  const root = (httpNodeRoot ?? "/").replace(/\/+$/, "");
  return new URL(`${protocol}://${host}${root}${url}`);
}
