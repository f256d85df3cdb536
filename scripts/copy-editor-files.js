// Node-RED looks for a node's editor file, locales and icons next to its runtime .js file, so the
// build copies each node folder's editor side (nodes/<node>/*.html, locales/) beside the compiled
// nodes/<node>/<node>.js in dist/, with the package's icons.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const source = path.join(root, "nodes");
const target = path.join(root, "dist", "nodes");

if (!fs.existsSync(source)) process.exit(0);
for (const folder of fs.readdirSync(source, { withFileTypes: true })) {
  if (!folder.isDirectory()) continue;
  const from = path.join(source, folder.name);
  const to = path.join(target, folder.name);
  const editorFiles = fs.readdirSync(from).filter((entry) => entry.endsWith(".html"));
  if (editorFiles.length === 0) continue;
  fs.mkdirSync(to, { recursive: true });
  for (const file of editorFiles) fs.copyFileSync(path.join(from, file), path.join(to, file));
  if (fs.existsSync(path.join(from, "locales"))) fs.cpSync(path.join(from, "locales"), path.join(to, "locales"), { recursive: true });
  fs.cpSync(path.join(root, "icons"), path.join(to, "icons"), { recursive: true });
}
