import { XMLParser } from "fast-xml-parser";

/**
 * A namespace-aware element tree, enough to canonicalize and verify signatures: element
 * namespace URIs and local names, namespace declarations and attributes in document order, and
 * text exactly as written (entities decoded, whitespace kept).
 */

export interface XmlElement {
  /** Qualified name as written, e.g. `ns2:DigestValue`. */
  name: string;
  localName: string;
  namespace: string;
  /** Namespace declarations on this element: prefix ("" for default) → URI. */
  declarations: Map<string, string>;
  /** All namespaces in scope here, declarations of ancestors included. */
  inScope: Map<string, string>;
  /** Non-namespace attributes as written: qualified name → value. */
  attributes: Map<string, string>;
  children: XmlNode[];
}

export type XmlNode = XmlElement | { text: string };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  commentPropName: "#comment",
  processEntities: true,
  // Also decodes numeric character references (&#13; in Java-wrapped base64, &#x9; in attributes).
  htmlEntities: true,
});

type RawNode = Record<string, unknown> & { ":@"?: Record<string, string> };

export function parseXmlTree(xml: string): XmlElement {
  const raw = parser.parse(xml) as RawNode[];
  const root = raw.map((node) => toNode(node, new Map([["xml", "http://www.w3.org/XML/1998/namespace"]]))).find(isElement);
  if (!root) throw new Error("The document has no root element");
  return root;
}

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return node !== undefined && "localName" in node;
}

function toNode(raw: RawNode, parentScope: Map<string, string>): XmlNode | undefined {
  const name = Object.keys(raw).find((key) => key !== ":@");
  if (name === undefined || name === "#comment") return undefined;
  if (name === "#text") return { text: String(raw[name]) };
  const declarations = new Map<string, string>();
  const attributes = new Map<string, string>();
  for (const [attribute, value] of Object.entries(raw[":@"] ?? {})) {
    if (attribute === "xmlns") declarations.set("", value);
    else if (attribute.startsWith("xmlns:")) declarations.set(attribute.slice(6), value);
    else attributes.set(attribute, value);
  }
  const inScope = new Map([...parentScope, ...declarations]);
  const [prefix, localName] = name.includes(":") ? (name.split(":", 2) as [string, string]) : ["", name];
  const namespace = inScope.get(prefix) ?? "";
  if (prefix !== "" && namespace === "") throw new Error(`Undeclared namespace prefix "${prefix}"`);
  const children = ((raw[name] as RawNode[] | undefined) ?? []).map((child) => toNode(child, inScope)).filter((child): child is XmlNode => child !== undefined);
  return { name, localName, namespace, declarations, inScope, attributes, children };
}

/** Direct child elements with the given namespace and local name. */
export function childElements(element: XmlElement, namespace: string, localName: string): XmlElement[] {
  return element.children.filter((child): child is XmlElement => isElement(child) && child.namespace === namespace && child.localName === localName);
}

export function childElement(element: XmlElement, namespace: string, localName: string): XmlElement | undefined {
  return childElements(element, namespace, localName)[0];
}

export function textOf(element: XmlElement | undefined): string {
  if (!element) return "";
  return element.children.map((child) => (isElement(child) ? textOf(child) : child.text)).join("");
}

/** Depth-first search for the element whose `Id` attribute has the given value. */
export function findById(element: XmlElement, id: string): XmlElement | undefined {
  if (element.attributes.get("Id") === id) return element;
  for (const child of element.children) {
    if (!isElement(child)) continue;
    const found = findById(child, id);
    if (found) return found;
  }
  return undefined;
}
