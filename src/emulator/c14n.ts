import { bindingsOf, namespaceOf, type NamespaceScope, XML_NAMESPACE, type XmlAttribute, type XmlElement, type XmlNode } from "./xml-tree";

export class UnsupportedCanonicalizationError extends Error {}

const NO_DECLARATIONS: ReadonlyMap<string, string> = new Map();

/** Canonical XML 1.0, or 1.1, which differs only in the xml:* attributes the apex inherits. */
export type C14nVersion = "1.0" | "1.1";

/**
 * Canonical XML without comments (https://www.w3.org/TR/2001/REC-xml-c14n-20010315,
 * https://www.w3.org/TR/2008/REC-xml-c14n11-20080502) of an element and its subtree, as the
 * element sits in its document — the document subset a same-document signature Reference or SignedInfo denotes. The apex element carries every
 * namespace in scope and inherits the xml:* attributes of its ancestors; descendants declare
 * only namespaces whose binding differs from their parent's. Namespace declarations are sorted
 * (default first, then by prefix), attributes by namespace URI and local name; empty elements
 * become start and end tags; processing instructions are kept.
 */
export function canonicalize(apex: XmlElement, version: C14nVersion = "1.0"): string {
  return render(apex, bindingsOf(apex.scope), undefined, inheritedXmlAttributes(apex, version));
}

/**
 * An element with the namespace declarations it brings (all in scope for the apex; below it, the
 * element's own declarations that change a binding of the rendered parent).
 */
function render(
  element: XmlElement,
  declared: ReadonlyMap<string, string>,
  parentScope: NamespaceScope | undefined,
  inherited: XmlAttribute[] = [],
): string {
  const declarations = [...declared]
    .filter(([prefix, uri]) => prefix !== "xml" && (parentScope ? (namespaceOf(parentScope, prefix) ?? "") : "") !== uri)
    .sort(([a], [b]) => compare(a, b))
    .map(([prefix, uri]) => ` ${prefix === "" ? "xmlns" : `xmlns:${prefix}`}="${escapeAttribute(uri)}"`);
  const attributes = [...element.attributes, ...inherited]
    .sort((a, b) => compare(a.namespace, b.namespace) || compare(a.localName, b.localName))
    .map((attribute) => ` ${attribute.name}="${escapeAttribute(attribute.value)}"`);
  const content = element.children.map((child) => renderChild(child, element.scope)).join("");
  return `<${element.name}${declarations.join("")}${attributes.join("")}>${content}</${element.name}>`;
}

function renderChild(node: XmlNode, parentScope: NamespaceScope): string {
  if (node.kind === "element") return render(node, node.scope === parentScope ? NO_DECLARATIONS : node.scope.declared, parentScope);
  if (node.kind === "text") return escapeText(node.text);
  return `<?${node.target}${node.data === "" ? "" : ` ${node.data}`}?>`;
}

/**
 * The xml:* attributes of the nearest ancestor that has them, unless the apex has its own.
 * C14N 1.1 inherits only xml:lang and xml:space (and joins xml:base, which signature documents
 * have no reason to use, so it is refused rather than half supported).
 */
function inheritedXmlAttributes(apex: XmlElement, version: C14nVersion): XmlAttribute[] {
  const inherited = new Map<string, XmlAttribute>();
  for (const own of apex.attributes) if (own.namespace === XML_NAMESPACE) inherited.set(own.localName, own);
  const found: XmlAttribute[] = [];
  for (let ancestor = apex.parent; ancestor; ancestor = ancestor.parent) {
    for (const attribute of ancestor.attributes) {
      if (attribute.namespace !== XML_NAMESPACE || inherited.has(attribute.localName)) continue;
      if (version === "1.1" && attribute.localName === "base")
        throw new UnsupportedCanonicalizationError("C14N 1.1 of an element under xml:base is not supported");
      if (version === "1.1" && attribute.localName !== "lang" && attribute.localName !== "space") continue;
      inherited.set(attribute.localName, attribute);
      found.push(attribute);
    }
  }
  return found;
}

/** Code-unit order, which the specification's "lexicographic order" of ASCII names and URIs amounts to. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");
}

function escapeAttribute(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/"/g, "&quot;")
    .replace(/\t/g, "&#x9;")
    .replace(/\n/g, "&#xA;")
    .replace(/\r/g, "&#xD;");
}
