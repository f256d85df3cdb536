// Node-RED looks for a node's editor file, locales and icons next to its runtime .js file,
// so the build copies them to dist/nodes/.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const source = path.join(__dirname, "..", "nodes");
const target = path.join(__dirname, "..", "dist", "nodes");

if (!fs.existsSync(source)) process.exit(0);
// Editor files and message catalogues sit beside their runtime files, in nodes/ and its folders (the cockpit plugin's).
(function copyFrom(dir) {
  const into = path.join(target, path.relative(source, dir));
  fs.mkdirSync(into, { recursive: true });
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name === "locales") fs.cpSync(from, path.join(into, entry.name), { recursive: true });
    else if (entry.isDirectory()) copyFrom(from);
    else if (entry.name.endsWith(".html")) fs.copyFileSync(from, path.join(into, entry.name));
  }
})(source);
// Node-RED looks for a node's icon in an icons folder beside its runtime file.
fs.cpSync(path.join(__dirname, "..", "icons"), path.join(target, "icons"), { recursive: true });
