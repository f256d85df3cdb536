import path from "node:path";
import { exampleOnTab, PACKAGE_ROOT, startNodeRedHost } from "./node-red-host";

/**
 * `npm start`: Node-RED on http://127.0.0.1:1880 (or $PORT) with this package, the built-in
 * emulator and example 1 deployed, until Ctrl+C. Flows and the emulator's state are kept in
 * .node-red-data/ (or $NODE_RED_USER_DIR), so a restart carries on where the last run stopped.
 */
export async function runNodeRed(argv: string[]): Promise<void> {
  const port = Number(process.env.PORT ?? 1880);
  const userDir = path.resolve(process.env.NODE_RED_USER_DIR || path.join(PACKAGE_ROOT, ".node-red-data"));
  // The examples store signed documents here (their change node reads it; without it, signed-documents/ in the file working directory).
  process.env.SIGNERING_DOCUMENTS_DIR ||= path.join(userDir, "signed-documents");
  const host = await startNodeRedHost({
    userDir,
    port,
    flows: exampleOnTab("01 Direct signing on a web site.json", "example-1", "Direct signing (example 1)"),
    replaceFlows: argv.includes("--reset"),
    // The cockpit's journal goes to the file store, so the sidebar's list survives a restart.
    settings: { contextStorage: { default: { module: "memory" }, file: { module: "localfilesystem" } } },
  });
  process.stdout.write(
    [
      "",
      "Posten signering nodes for Node-RED are running (not an official Posten product).",
      `  Node-RED editor:           ${host.url}/`,
      `  Sign a document end to end: ${host.url}/signering   (upload a PDF, sign on the emulator's page)`,
      '  Example 1 is deployed already (tab "Direct signing (example 1)"); examples 2 and 3 are in',
      "  Menu → Import → Examples → @posten-signering-community/node-red-posten-signering.",
      "  The built-in emulator's portal and outbox: see the configuration node's line in the log.",
      `  Signed PDFs are written to: ${process.env.SIGNERING_DOCUMENTS_DIR}`,
      `  User directory (flows, encrypted credentials, emulator data): ${userDir}`,
      "Stop with Ctrl+C. Start again with --reset to restore example 1.",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await host.stop();
}
