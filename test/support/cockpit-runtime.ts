import { startNodeRedHost } from "../../src/cli/node-red-host";

/**
 * A Node-RED for the cockpit's tests and screenshot, in a process of its own (so a restart is a
 * real one): the user directory's flows, a file context store (the journal's default), and
 * adminAuth with an administrator and a read-only user. Prints `READY <url>`; SIGTERM stops it
 * cleanly (the file store is written on stop).
 *
 *   node cockpit-runtime.js '{"userDir":"…","port":12345}'
 *
 * With `sharedContextDir`, the journal goes to a store several runtimes share instead.
 */

export const COCKPIT_USERS = {
  admin: { password: "admin-password", permissions: "*" },
  viewer: { password: "viewer-password", permissions: "read" },
} as const;

export type CockpitUser = keyof typeof COCKPIT_USERS;

async function main(): Promise<void> {
  const { userDir, port, sharedContextDir } = JSON.parse(process.argv[2] ?? "{}") as {
    userDir: string;
    port: number;
    /** A context directory several runtimes share (no cache, so each reads what the others wrote). */
    sharedContextDir?: string;
  };
  const contextStorage = sharedContextDir
    ? { default: { module: "memory" }, shared: { module: "localfilesystem", config: { dir: sharedContextDir, cache: false } } }
    : { default: { module: "memory" }, file: { module: "localfilesystem" } };
  const host = await startNodeRedHost({
    userDir,
    port,
    flows: [],
    logLevel: "warn",
    settings: {
      contextStorage,
      ...(sharedContextDir ? { signeringCockpit: { store: "shared" } } : {}),
      adminAuth: {
        type: "credentials",
        users: Object.entries(COCKPIT_USERS).map(([username, user]) => ({ username, permissions: user.permissions })),
        authenticate: (username: string, password: string) => {
          const user = COCKPIT_USERS[username as CockpitUser];
          return Promise.resolve(user && user.password === password ? { username, permissions: user.permissions } : null);
        },
      },
    },
  });
  process.stdout.write(`READY ${host.url}\n`);
  process.once("SIGTERM", () => {
    host.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
