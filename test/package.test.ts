import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { repositoryRoot } from "./support/reference";

const NAME = "@posten-signering-community/node-red-posten-signering";

/** Resolves and loads a specifier as a user of the installed package would (the package resolves its own name). */
function load(specifier: string, expression: string): string {
  const script = `const m = require(${JSON.stringify(specifier)}); console.log(require.resolve(${JSON.stringify(specifier)}) + " " + (${expression}))`;
  return execFileSync(process.execPath, ["-e", script], { cwd: repositoryRoot, encoding: "utf8" }).trim();
}

describe("the package's exports map", () => {
  it("serves the core client at the root, the emulator at ./emulator and package.json", () => {
    assert.equal(
      load(NAME, "typeof m.SigneringClient + typeof m.checkConnection"),
      `${path.join(repositoryRoot, "dist", "src", "core", "index.js")} functionfunction`,
    );
    assert.equal(
      load(`${NAME}/emulator`, "typeof m.startEmulator"),
      `${path.join(repositoryRoot, "dist", "src", "emulator", "index.js")} function`,
    );
    assert.equal(load(`${NAME}/package.json`, "m.name"), `${path.join(repositoryRoot, "package.json")} ${NAME}`);
  });
  it("declares types for both entry points, and hides deep paths", () => {
    const manifest = JSON.parse(
      execFileSync(process.execPath, ["-p", "JSON.stringify(require('./package.json').exports)"], {
        cwd: repositoryRoot,
        encoding: "utf8",
      }),
    ) as Record<string, { types?: string }>;
    assert.equal(manifest["."]?.types, "./dist/src/core/index.d.ts");
    assert.equal(manifest["./emulator"]?.types, "./dist/src/emulator/index.d.ts");
    assert.throws(() => load(`${NAME}/dist/src/emulator`, "0"), /ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });
});
