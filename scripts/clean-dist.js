// Before `npm pack` and `npm publish`: an empty dist/, so the build that follows (the prepare
// script) leaves no file of an older build (a renamed or deleted module) in the tarball.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

fs.rmSync(path.join(__dirname, "..", "dist"), { recursive: true, force: true });
