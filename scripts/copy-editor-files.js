// Node-RED looks for a node's editor file, locales and icons next to its runtime .js file,
// so the build copies them to dist/nodes/.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const source = path.join(__dirname, "..", "nodes");
const target = path.join(__dirname, "..", "dist", "nodes");

if (!fs.existsSync(source)) process.exit(0);
fs.mkdirSync(target, { recursive: true });
for (const entry of fs.readdirSync(source)) {
  if (entry.endsWith(".html")) fs.copyFileSync(path.join(source, entry), path.join(target, entry));
}
// Node-RED looks for a node's icon in an icons folder beside its runtime file.
fs.cpSync(path.join(__dirname, "..", "icons"), path.join(target, "icons"), { recursive: true });
if (fs.existsSync(path.join(source, "locales"))) {
  fs.cpSync(path.join(source, "locales"), path.join(target, "locales"), { recursive: true });
}
