import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import http from "node:http";
import { type AddressInfo, createServer } from "node:net";
import { createRequire } from "node:module";
import path from "node:path";
import { prepareUserDirectory } from "./credential-secret";
import { guardUpgrades, loopbackGuard, withoutCorsHeaders } from "./loopback-guard";

/**
 * Runs Node-RED embedded in this process with this package installed in its user directory (as
 * the palette manager would install it), for `npm start` and the demo. Node-RED and express are
 * development dependencies: this is a tool for the repository, not part of the installed nodes.
 * It has no adminAuth, so it answers only its own user (see loopback-guard.ts), and its user
 * directory is private, with the credentials encrypted (see credential-secret.ts).
 */

export const PACKAGE_ROOT = path.join(__dirname, "..", "..", "..");

export interface NodeRedHostOptions {
  userDir: string;
  port: number;
  /** Flows to start with; an existing flows.json is kept unless `replaceFlows`. */
  flows: Record<string, unknown>[];
  replaceFlows?: boolean;
  logLevel?: "info" | "warn" | "error";
  /** More runtime settings, as in settings.js (`lang`, `httpNodeRoot`, `signeringConfigDisableLocalFiles`). */
  settings?: Record<string, unknown>;
}

export interface NodeRedHost {
  url: string;
  /** Node-RED's runtime API (the `node-red` module). */
  red: NodeRedModule;
  stop(): Promise<void>;
}

interface NodeRedModule {
  init(server: http.Server, settings: Record<string, unknown>): void;
  events: { once(event: string, listener: () => void): void };
  start(): Promise<void>;
  stop(): Promise<void>;
  httpAdmin: http.RequestListener;
  httpNode: http.RequestListener;
}

/** Resolved at run time: these exist in a clone of the repository, not in an installed package. */
const loadDevelopmentModule = createRequire(__filename);

export async function startNodeRedHost(options: NodeRedHostOptions): Promise<NodeRedHost> {
  const credentialSecret = prepareUserDirectory(options.userDir);
  installPackageInto(options.userDir);
  const flowFile = path.join(options.userDir, "flows.json");
  if (options.replaceFlows || !existsSync(flowFile)) writeFileSync(flowFile, JSON.stringify(options.flows, null, 2));

  const red = loadDevelopmentModule("node-red") as NodeRedModule;
  const express = loadDevelopmentModule("express") as () => http.RequestListener & {
    use(path: string, handler: http.RequestListener | typeof loopbackGuard): void;
  };
  const app = express();
  const server = http.createServer(app);
  guardUpgrades(server);
  const settings: Record<string, unknown> = {
    userDir: options.userDir,
    flowFile: "flows.json",
    uiHost: "127.0.0.1",
    httpAdminRoot: "/",
    httpNodeRoot: "/",
    credentialSecret,
    // Relative paths in file nodes (the examples' contracts/ and signed-documents/) are in the user directory.
    fileWorkingDirectory: options.userDir,
    logging: { console: { level: options.logLevel ?? "info", metrics: false, audit: false } },
    editorTheme: { tours: false, projects: { enabled: false } },
    externalModules: { palette: { allowInstall: false } },
    // No update-check prompt or data sent anywhere: this runs offline, on loopback.
    telemetry: { enabled: false },
    ...options.settings,
    // Not overridable: no CORS for any origin, on the admin API or the flows' endpoints.
    httpAdminMiddleware: withoutCorsHeaders,
    httpAdminCors: undefined,
    httpNodeCors: undefined,
  };
  red.init(server, settings);
  app.use("/", loopbackGuard);
  app.use(settings.httpAdminRoot as string, red.httpAdmin);
  app.use(settings.httpNodeRoot as string, red.httpNode);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  // start() resolves before the flows run; the http-in endpoints exist once they do.
  const flowsStarted = new Promise<void>((resolve) => red.events.once("flows:started", resolve));
  await red.start();
  await flowsStarted;
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    red,
    stop: async () => {
      await red.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Links the package into the user directory's node_modules, where Node-RED finds installed nodes. */
function installPackageInto(userDir: string): void {
  const manifest = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { name: string };
  const target = path.join(userDir, "node_modules", ...manifest.name.split("/"));
  mkdirSync(path.dirname(target), { recursive: true });
  if (!existsSync(target)) symlinkSync(PACKAGE_ROOT, target, "dir");
  const userPackage = path.join(userDir, "package.json");
  if (!existsSync(userPackage))
    writeFileSync(
      userPackage,
      JSON.stringify({ name: "node-red-project", private: true, dependencies: { [manifest.name]: "file:" + PACKAGE_ROOT } }, null, 2),
    );
}

/** An example flow as Node-RED ships it, on its own tab. */
export function exampleOnTab(
  fileName: string,
  tabId: string,
  label: string,
  replace: Record<string, string> = {},
): Record<string, unknown>[] {
  let text = readFileSync(path.join(PACKAGE_ROOT, "examples", fileName), "utf8");
  for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
  const nodes = JSON.parse(text) as Record<string, unknown>[];
  return [{ id: tabId, type: "tab", label }, ...nodes.map((node) => (node.type === "signering-config" ? node : { ...node, z: tabId }))];
}

/** A port free on loopback right now, for a Node-RED that must be reached at a known address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
