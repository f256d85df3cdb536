import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { runDemo } from "../../src/cli/demo";
import { repositoryRoot } from "../support/reference";

describe("the example flows", () => {
  const examples = readdirSync(path.join(repositoryRoot, "examples")).filter((file) => file.endsWith(".json"));

  it("use every node type of the package, each example with the built-in emulator", () => {
    const types = new Set<string>();
    for (const file of examples) {
      const nodes = JSON.parse(readFileSync(path.join(repositoryRoot, "examples", file), "utf8")) as {
        type: string;
        environment?: string;
        info?: string;
      }[];
      nodes.forEach((node) => types.add(node.type));
      assert.deepEqual(
        nodes.filter((node) => node.type === "signering-config").map((node) => node.environment),
        ["emulator"],
        file,
      );
      assert.ok(
        nodes.some((node) => node.type === "comment" && /Test.*Production/s.test(node.info ?? "")),
        `${file} says how to switch environments`,
      );
    }
    for (const type of [
      "signering-config",
      "signering-create",
      "signering-status",
      "signering-download",
      "signering-confirm",
      "signering-job",
    ]) {
      assert.ok(types.has(type), `${type} is used in an example`);
    }
  });

  it("run headlessly in a real Node-RED: examples 1 and 2 signed end to end, stored and confirmed (npm run demo)", async () => {
    assert.equal(await runDemo(), 0);
  });
});
