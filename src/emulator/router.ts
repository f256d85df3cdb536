import { Rejection } from "./rejection";

/** The routing both of the emulator's servers use: a table of method and path pattern, matched in order. */

export type Method = "GET" | "POST" | "DELETE";

export interface Route<Handler> {
  method: Method;
  /** Matched against the whole path; its groups are the route's parameters. */
  pattern: RegExp;
  handle: Handler;
}

/** The route for a request and the match of its pattern; 405 when only the method is wrong, else 404, naming what was asked. */
export function findRoute<R extends Route<unknown>>(
  routes: readonly R[],
  method: string | undefined,
  path: string,
  resources: string,
): { route: R; match: RegExpExecArray } {
  for (const route of routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match) return { route, match };
  }
  const allowed = [...new Set(routes.filter((route) => route.pattern.test(path)).map((route) => route.method))];
  if (allowed.length > 0)
    throw new Rejection(405, "METHOD_NOT_ALLOWED", `${path} takes ${allowed.join(" or ")}, not ${method}`, { allow: allowed.join(", ") });
  throw new Rejection(404, "NOT_FOUND", `No ${resources} ${method} ${path}`);
}

/** A path parameter decoded; malformed percent-encoding is the caller's mistake (400), not the emulator's (500). */
export function decodePathSegment(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new Rejection(400, "INVALID_INPUT", `The ${what} in the path is not validly percent-encoded`);
  }
}
