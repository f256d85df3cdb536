import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync, verify } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { canonicalize } from "../../src/emulator/c14n";
import { childElement, findById, parseXmlTree, textOf, type XmlElement } from "../../src/emulator/xml-tree";
import { xadesTestVectorDir } from "../support/reference";

const DSIG = "http://www.w3.org/2000/09/xmldsig#";
const workDir = mkdtempSync(path.join(tmpdir(), "c14n-"));
after(() => rmSync(workDir, { recursive: true, force: true }));

/** libxml2's canonical form of a whole document (xmllint keeps comments, so the inputs have none). */
function xmllintC14n(xml: string): string {
  const file = path.join(workDir, "input.xml");
  writeFileSync(file, xml);
  const result = spawnSync("xmllint", ["--c14n", file], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

describe("the emulator's C14N of whole documents agrees with libxml2 (xmllint --c14n)", () => {
  const cases: [string, string][] = [
    [
      "attribute order, namespaces and empty elements",
      `<r xmlns:b="urn:b" xmlns="urn:default" z="1" b:a="2" a="3"><child/><b:child b:z="x" y="&amp;&lt;&quot;"/></r>`,
    ],
    ["escaping in text and attributes", `<r t="tab&#9;nl&#10;cr&#13;&gt;">a &amp; b &lt; c &gt; d &#13; "q" 'a' æøå 🙂</r>`],
    [
      "redundant and changed namespace declarations",
      `<a:r xmlns:a="urn:a" xmlns:c="urn:c"><a:x xmlns:a="urn:a"><y xmlns="urn:y"><z xmlns="urn:y"/><w xmlns="urn:w"/></y></a:x></a:r>`,
    ],
    ["an undeclared default namespace", `<r xmlns="urn:a"><b xmlns=""><c/></b><d xmlns=""/></r>`],
    ["whitespace between elements is kept", `<r>\n  <a>  text  </a>\n\t<b/>\n</r>`],
    ["CR LF and lone CR in text become LF", `<r>one\r\ntwo\rthree</r>`],
    ["literal white space in attribute values becomes spaces, references stay", `<r a="x\ny\tz\r\nw" b="&#9;&#10;"/>`],
    ["CDATA sections become escaped text", `<r><![CDATA[<&>]]]]><![CDATA[>]]></r>`],
    ["character references, apostrophes and quotes", `<r a='say "hi" &apos;'>&#x1F600;&#65;&#x3c;</r>`],
    ["processing instructions inside the element are kept", `<r><?target  some data ?><?empty?><a/></r>`],
    ["xml:* attributes and white space inside tags", `<r   xml:lang = "en"  ><a xml:space="preserve"\n/></r  >`],
    ["a document with a declaration and a byte-order mark", `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<r>x</r>\n`],
  ];
  for (const [label, xml] of cases) it(label, () => assert.equal(canonicalize(parseXmlTree(xml)), xmllintC14n(xml)));

  it("drops comments", () => {
    assert.equal(canonicalize(parseXmlTree("<r><!-- a comment --><a/><!----></r>")), "<r><a></a></r>");
  });
});

describe("the emulator's C14N of elements inside a document agrees with xmlsec1", () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyFile = path.join(workDir, "key.pem");
  writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));

  /** Signs the element with Id="target" with xmlsec1, whose C14N is libxml2's, and returns the signed document. */
  function signWithXmlsec(document: string, algorithm: string): string {
    const signature = `<Signature xmlns="${DSIG}"><SignedInfo><CanonicalizationMethod Algorithm="${algorithm}"/><SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><Reference URI="#target"><Transforms><Transform Algorithm="${algorithm}"/></Transforms><DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference></SignedInfo><SignatureValue/></Signature>`;
    const template = path.join(workDir, "template.xml");
    writeFileSync(template, document.replace("<!--signature-->", signature));
    const output = path.join(workDir, "signed.xml");
    const result = spawnSync("xmlsec1", ["--sign", "--privkey-pem", keyFile, "--id-attr:Id", "urn:a:data", "--output", output, template], {
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    return readFileSync(output, "utf8");
  }

  function signatureOf(element: XmlElement): XmlElement | undefined {
    for (const child of element.children) {
      if (child.kind !== "element") continue;
      if (child.namespace === DSIG && child.localName === "Signature") return child;
      const nested = signatureOf(child);
      if (nested) return nested;
    }
    return undefined;
  }

  const cases: [string, string, string][] = [
    [
      "inherited namespaces and xml:* attributes, dropped comments, kept PIs (C14N 1.0)",
      "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
      `<root xmlns="urn:root" xmlns:a="urn:a" xmlns:unused="urn:unused" xml:lang="nb" xml:space="default"><a:data Id="target" xml:space="preserve">  text &amp; more\r\n<x a:attr="1" b="tab\there"/><?keep me?><!-- dropped --></a:data><!--signature--></root>`,
    ],
    [
      "C14N 1.1 inherits only xml:lang and xml:space",
      "http://www.w3.org/2006/12/xml-c14n11",
      `<root xmlns:a="urn:a" xml:lang="en" xml:id="root-id"><wrapper xml:lang="nb"><a:data Id="target"><y xmlns="urn:y">&#13;</y></a:data></wrapper><!--signature--></root>`,
    ],
    [
      "a default namespace undeclared below the target",
      "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
      `<outer xmlns="urn:outer"><a:data xmlns:a="urn:a" Id="target" z="&quot;&lt;&gt;"><inner xmlns=""><deep xmlns="urn:outer"/></inner></a:data><!--signature--></outer>`,
    ],
  ];
  for (const [label, algorithm, document] of cases) {
    it(label, () => {
      const tree = parseXmlTree(signWithXmlsec(document, algorithm));
      const version = algorithm.endsWith("c14n11") ? "1.1" : "1.0";
      const target = findById(tree, "target")[0] as XmlElement;
      const signature = signatureOf(tree) as XmlElement;
      const signedInfo = childElement(signature, DSIG, "SignedInfo") as XmlElement;
      const reference = childElement(signedInfo, DSIG, "Reference") as XmlElement;
      const digest = createHash("sha256").update(canonicalize(target, version)).digest("base64");
      assert.equal(digest, textOf(childElement(reference, DSIG, "DigestValue")), "the digest of the element");
      const signatureValue = Buffer.from(textOf(childElement(signature, DSIG, "SignatureValue")).replace(/\s+/g, ""), "base64");
      assert.ok(
        verify("sha256", Buffer.from(canonicalize(signedInfo, version)), publicKey, signatureValue),
        "the signature over SignedInfo",
      );
    });
  }

  it("reproduces the known-answer test's canonical SignedProperties (912 bytes)", () => {
    const tree = parseXmlTree(readFileSync(path.join(xadesTestVectorDir, "expected", "signatures.xml"), "utf8"));
    const canonical = canonicalize(findById(tree, "SignedProperties")[0] as XmlElement);
    assert.equal(Buffer.byteLength(canonical), 912);
    assert.match(
      canonical,
      /^<SignedProperties xmlns="http:\/\/uri\.etsi\.org\/01903\/v1\.3\.2#" xmlns:ns2="http:\/\/www\.w3\.org\/2000\/09\/xmldsig#" Id="SignedProperties">/,
    );
  });
});

describe("the emulator's XML parser refuses what is not well-formed or not wanted", () => {
  const refusals: [string, string, RegExp][] = [
    ["a document type declaration", `<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>`, /document type declarations/],
    ["an entity XML does not define", "<r>&nbsp;</r>", /&nbsp; is not defined/],
    ["a bare ampersand", "<r>a & b</r>", /reference ending in ";"/],
    ["a character XML does not allow", "<r>&#1;</r>", /not a character allowed/],
    ["a control character written literally", "<r>\u0001</r>", /U\+0001 is not allowed/],
    ["mismatched tags", "<r><a></b></r>", /<\/b> does not close <a>/],
    ["an element left open", "<r><a></r>", /does not close/],
    ["an undeclared prefix", "<p:r/>", /prefix of p:r is not declared/],
    ["the same attribute twice", `<r a="1" a="2"/>`, /appears twice/],
    ["the same expanded attribute name twice", `<r xmlns:p="urn:x" xmlns:q="urn:x" p:a="1" q:a="2"/>`, /same expanded name/],
    ["two root elements", "<r/><s/>", /more than one root/],
    ["text outside the root", "<r/>text", /text outside the root/],
    ["an unquoted attribute", "<r a=1/>", /must be quoted/],
    ['"<" in an attribute value', `<r a="<"/>`, /"<" in an attribute value/],
    ["attributes without a space between them", `<r a="1"b="2"/>`, /expected a space/],
    ["an encoding other than UTF-8", `<?xml version="1.0" encoding="ISO-8859-1"?><r/>`, /ISO-8859-1 is not supported/],
    ["an unclosed comment", "<r><!-- </r>", /comment is not closed/],
    ["no root at all", "  ", /no root element/],
  ];
  for (const [label, xml, message] of refusals) it(label, () => assert.throws(() => parseXmlTree(xml), message));

  it("refuses more attributes, namespace declarations or elements than any signature document has", () => {
    assert.throws(
      () => parseXmlTree(`<r${Array.from({ length: 65 }, (_, index) => ` a${index}="x"`).join("")}/>`),
      /<r> has more than 64 attributes/,
    );
    const declarations = (from: number) =>
      Array.from({ length: 50 }, (_, index) => ` xmlns:p${from + index}="urn:${from + index}"`).join("");
    assert.throws(
      () =>
        parseXmlTree(
          `<r${declarations(0)}>${Array.from({ length: 5 }, (_, index) => `<a${declarations(50 * (index + 1))}/>`).join("")}</r>`,
        ),
      /more than 256 namespace declarations/,
    );
    assert.throws(() => parseXmlTree(`<r>${"<a/>".repeat(10_000)}</r>`), /more than 10000 elements/);
    assert.equal(parseXmlTree(`<r${declarations(0)}>${"<a/>".repeat(9_999)}</r>`).children.length, 9_999, "up to the limits");
  });

  it("shares namespace scopes: elements that declare nothing resolve through their parent's", () => {
    const root = parseXmlTree(`<r xmlns="urn:r" xmlns:p="urn:p"><p:a><b xmlns:p="urn:q"><p:c/></b></p:a></r>`);
    const a = root.children[0] as XmlElement;
    const b = a.children[0] as XmlElement;
    assert.equal(a.scope, root.scope);
    assert.notEqual(b.scope, a.scope);
    assert.deepEqual([a.namespace, b.namespace, (b.children[0] as XmlElement).namespace], ["urn:p", "urn:r", "urn:q"]);
  });

  it("refuses nesting deeper than 256 elements without exhausting the stack", () => {
    assert.throws(() => parseXmlTree("<a>".repeat(100_000)), /nested deeper than 256/);
  });
});
