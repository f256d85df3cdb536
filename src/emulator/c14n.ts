import { isElement, type XmlElement } from "./xml-tree";

/**
 * Inclusive Canonical XML 1.0 (without comments) of an element and its subtree, as the element
 * sits in its document: the apex carries every namespace in scope, descendants only those whose
 * binding differs from their parent's; namespace declarations sorted (default first, then by
 * prefix), attributes by namespace URI and local name; empty elements as start and end tags.
 */
export function canonicalize(element: XmlElement): string {
  return render(element, new Map());
}

function render(element: XmlElement, parentScope: Map<string, string>): string {
  const namespaces = [...element.inScope]
    .filter(([prefix, uri]) => prefix !== "xml" && parentScope.get(prefix) !== uri && !(prefix === "" && uri === "" && !parentScope.get("")))
    .sort(([a], [b]) => (a === b ? 0 : a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1))
    .map(([prefix, uri]) => (prefix === "" ? ` xmlns="${escapeAttribute(uri)}"` : ` xmlns:${prefix}="${escapeAttribute(uri)}"`));
  const attributes = [...element.attributes]
    .map(([name, value]) => {
      const [prefix, local] = name.includes(":") ? (name.split(":", 2) as [string, string]) : ["", name];
      return { name, local, namespace: prefix === "" ? "" : (element.inScope.get(prefix) ?? ""), value };
    })
    .sort((a, b) => (a.namespace === b.namespace ? compare(a.local, b.local) : compare(a.namespace, b.namespace)))
    .map((attribute) => ` ${attribute.name}="${escapeAttribute(attribute.value)}"`);
  const content = element.children.map((child) => (isElement(child) ? render(child, element.inScope) : escapeText(child.text))).join("");
  return `<${element.name}${namespaces.join("")}${attributes.join("")}>${content}</${element.name}>`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#xD;");
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;").replace(/\t/g, "&#x9;").replace(/\n/g, "&#xA;").replace(/\r/g, "&#xD;");
}
