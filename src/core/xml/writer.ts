/**
 * A tiny XML writer for the API's request messages. The messages are small and their shape is
 * fixed by the schema, so plain strings with correct escaping are simpler and faster than a DOM.
 */

export const SIGNERING_NAMESPACE = "http://signering.posten.no/schema/v1";
const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

/** Content of an element: nested markup from `element`, or nothing. */
export type Markup = string & { readonly __markup: unique symbol };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (character) => ESCAPES[character] as string);
}
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;", "\r": "&#13;" };

type Attributes = Record<string, string | number | undefined>;

function attributesOf(attributes: Attributes): string {
  return Object.entries(attributes)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${escapeXml(String(value))}"`)
    .join("");
}

/** An element with child markup (children that are undefined or false are left out). */
export function element(name: string, children: readonly (Markup | undefined | false)[] = [], attributes: Attributes = {}): Markup {
  const content = children.filter((child): child is Markup => typeof child === "string").join("");
  return (content === "" ? `<${name}${attributesOf(attributes)}/>` : `<${name}${attributesOf(attributes)}>${content}</${name}>`) as Markup;
}

/** A text-only element, or nothing when the value is not set. */
export function textElement(name: string, value: string | number | undefined, attributes: Attributes = {}): Markup | undefined {
  return value === undefined ? undefined : (`<${name}${attributesOf(attributes)}>${escapeXml(String(value))}</${name}>` as Markup);
}

/** A whole document: declaration and a root element in the API's namespace. */
export function document(rootName: string, children: readonly (Markup | undefined | false)[], attributes: Attributes = {}): string {
  return DECLARATION + element(rootName, children, { xmlns: SIGNERING_NAMESPACE, ...attributes });
}
