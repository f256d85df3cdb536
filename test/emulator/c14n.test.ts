import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { canonicalize } from "../../src/emulator/c14n";
import { findById, parseXmlTree } from "../../src/emulator/xml-tree";
import { xadesTestVectorDir } from "../support/reference";

function xmllintC14n(xml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "c14n-"));
  try {
    writeFileSync(path.join(dir, "input.xml"), xml);
    const result = spawnSync("xmllint", ["--c14n", path.join(dir, "input.xml")], { encoding: "utf8" });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("the emulator's own C14N 1.0 agrees with libxml2", () => {
  const cases: [string, string][] = [
    ["attribute order, namespaces and empty elements", `<r xmlns:b="urn:b" xmlns="urn:default" z="1" b:a="2" a="3"><child/><b:child b:z="x" y="&amp;&lt;&quot;"/></r>`],
    ["escaping in text and attributes", `<r t="tab&#9;nl&#10;cr&#13;&gt;">a &amp; b &lt; c &gt; d &#13; "q" 'a' æøå 🙂</r>`],
    ["redundant and changed namespace declarations", `<a:r xmlns:a="urn:a" xmlns:c="urn:c"><a:x xmlns:a="urn:a"><y xmlns="urn:y"><z xmlns="urn:y"/><w xmlns="urn:w"/></y></a:x></a:r>`],
    ["whitespace between elements is kept", `<r>\n  <a>  text  </a>\n\t<b/>\n</r>`],
  ];
  for (const [label, xml] of cases) {
    it(label, () => assert.equal(canonicalize(parseXmlTree(`<?xml version="1.0" encoding="UTF-8"?>${xml}`)), xmllintC14n(xml)));
  }

  it("reproduces the known-answer test's canonical SignedProperties (912 bytes)", () => {
    const tree = parseXmlTree(readFileSync(path.join(xadesTestVectorDir, "expected", "signatures.xml"), "utf8"));
    const canonical = canonicalize(findById(tree, "SignedProperties")!);
    assert.equal(Buffer.byteLength(canonical), 912);
    assert.match(canonical, /^<SignedProperties xmlns="http:\/\/uri\.etsi\.org\/01903\/v1\.3\.2#" xmlns:ns2="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#" Id="SignedProperties">/);
  });
});
