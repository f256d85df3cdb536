/**
 * A strict, namespace-aware XML parser producing the tree that signature verification and
 * canonicalization need: elements with namespace URIs, namespace declarations and attributes,
 * text exactly as the XML Infoset has it (line ends normalized, references decoded, CDATA as
 * text, attribute values normalized) and processing instructions; comments are dropped.
 * Document type declarations are refused: a signature document has no use for them, and
 * entity declarations are a classic way to attack XML parsers.
 */

export interface XmlAttribute {
  /** Qualified name as written, e.g. `xml:lang`. */
  name: string;
  localName: string;
  /** "" for unprefixed attributes, which are in no namespace. */
  namespace: string;
  value: string;
}

export interface XmlElement {
  kind: "element";
  /** Qualified name as written, e.g. `ns2:DigestValue`. */
  name: string;
  localName: string;
  namespace: string;
  /** The namespace bindings in scope here; shared with the parent when the element declares none. */
  scope: NamespaceScope;
  /** Attributes other than namespace declarations, in document order. */
  attributes: XmlAttribute[];
  children: XmlNode[];
  parent: XmlElement | undefined;
}

export interface XmlText {
  kind: "text";
  text: string;
}

export interface XmlProcessingInstruction {
  kind: "pi";
  target: string;
  data: string;
}

export type XmlNode = XmlElement | XmlText | XmlProcessingInstruction;

/**
 * Namespace bindings as a chain: the declarations of one element (prefix, "" for the default →
 * URI; "" URI = undeclared), linked to the scope around it. Sharing the chain keeps memory linear
 * in the declarations, where a map per element would copy every binding into every element.
 */
export interface NamespaceScope {
  readonly declared: ReadonlyMap<string, string>;
  readonly outer: NamespaceScope | undefined;
}

/**
 * Far beyond any job request, manifest or signature document, and small enough that a hostile
 * one costs little time and memory: a signature document has about 60 elements, a handful of
 * attributes on each and two or three namespace declarations.
 */
export const XML_LIMITS = {
  depth: 256,
  elements: 10_000,
  attributesPerElement: 64,
  namespaceDeclarations: 256,
} as const;

export const XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace";
const XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/";

const NAME_START =
  "A-Z_a-z:\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}";
/** XML 1.0 Name (fifth edition), colons included: prefixes are split off afterwards. */
// eslint-disable-next-line no-misleading-character-class -- combining marks may continue a name
const NAME = new RegExp(`[${NAME_START}][${NAME_START}\\u0300-\\u036F\\u00B7\\u203F-\\u2040.0-9-]*`, "uy");
const WHITESPACE = /[ \t\n]*/y;
/** A map, not an object: `&constructor;` is no entity. */
const PREDEFINED_ENTITIES = new Map([
  ["lt", "<"],
  ["gt", ">"],
  ["amp", "&"],
  ["quot", '"'],
  ["apos", "'"],
]);

export class XmlSyntaxError extends Error {}

export function parseXmlTree(xml: string): XmlElement {
  return new Parser(xml).parseDocument();
}

class Parser {
  private readonly input: string;
  private position = 0;
  private elements = 0;
  private namespaceDeclarations = 0;

  constructor(xml: string) {
    // XML 1.0 §2.11: every CR LF and lone CR is read as LF.
    this.input = xml.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
    // eslint-disable-next-line no-control-regex -- these are the characters XML 1.0 forbids
    const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(this.input);
    if (forbidden) {
      this.position = forbidden.index;
      throw this.error(`the character U+${forbidden[0].charCodeAt(0).toString(16).padStart(4, "0").toUpperCase()} is not allowed in XML`);
    }
  }

  parseDocument(): XmlElement {
    if (this.input.startsWith("<?xml") && /^<\?xml[ \t\n]/.test(this.input)) this.readXmlDeclaration();
    const initialScope: NamespaceScope = { declared: new Map([["xml", XML_NAMESPACE]]), outer: undefined };
    let root: XmlElement | undefined;
    const open: XmlElement[] = [];
    while (this.position < this.input.length) {
      const parent = open.at(-1);
      if (this.input[this.position] !== "<") {
        const text = this.readText();
        if (parent) appendText(parent, text);
        else if (text.trim() !== "") throw this.error("text outside the root element");
      } else if (this.startsWith("<!--")) {
        this.readComment();
      } else if (this.startsWith("<![CDATA[")) {
        if (!parent) throw this.error("CDATA outside the root element");
        this.position += "<![CDATA[".length;
        appendText(parent, this.readUntil("]]>", "CDATA section"));
      } else if (this.startsWith("<?")) {
        const instruction = this.readProcessingInstruction();
        if (parent) parent.children.push(instruction);
      } else if (this.startsWith("<!")) {
        throw this.error("document type declarations are not accepted");
      } else if (this.startsWith("</")) {
        this.readEndTag(open.pop());
      } else {
        if (!parent && root) throw this.error("more than one root element");
        if (++this.elements > XML_LIMITS.elements) throw this.error(`more than ${XML_LIMITS.elements} elements`);
        const { element, selfClosing } = this.readStartTag(parent, parent?.scope ?? initialScope);
        if (parent) parent.children.push(element);
        else root = element;
        if (!selfClosing) open.push(element);
        if (open.length > XML_LIMITS.depth) throw this.error(`elements nested deeper than ${XML_LIMITS.depth}`);
      }
    }
    if (open.length > 0) throw this.error(`<${(open.at(-1) as XmlElement).name}> is not closed`);
    if (!root) throw this.error("no root element");
    return root;
  }

  private readXmlDeclaration(): void {
    const declaration = this.readUntil("?>", "XML declaration");
    const encoding = /encoding\s*=\s*["']([^"']*)["']/.exec(declaration)?.[1];
    if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) throw this.error(`encoding ${encoding} is not supported; use UTF-8`);
  }

  private readText(): string {
    const end = this.input.indexOf("<", this.position);
    const raw = this.input.slice(this.position, end === -1 ? undefined : end);
    if (raw.includes("]]>")) throw this.error('"]]>" in text');
    this.position += raw.length;
    return this.decodeReferences(raw);
  }

  private readComment(): void {
    this.position += "<!--".length;
    const comment = this.readUntil("-->", "comment");
    if (comment.includes("--") || comment.endsWith("-")) throw this.error('"--" inside a comment');
  }

  private readProcessingInstruction(): XmlProcessingInstruction {
    this.position += "<?".length;
    const target = this.readName("processing instruction target");
    if (target.toLowerCase() === "xml") throw this.error("an XML declaration is allowed only at the very start");
    const afterTarget = this.position;
    const data = this.readUntil("?>", "processing instruction");
    if (data !== "" && !" \t\n".includes(this.input[afterTarget] as string))
      throw this.error("a processing instruction's target must be followed by a space");
    return { kind: "pi", target, data: data.replace(/^[ \t\n]+/, "") };
  }

  private readEndTag(element: XmlElement | undefined): void {
    this.position += "</".length;
    const name = this.readName("end tag");
    this.skipWhitespace();
    this.expect(">");
    if (!element || element.name !== name) throw this.error(`</${name}> does not close ${element ? `<${element.name}>` : "any element"}`);
  }

  private readStartTag(parent: XmlElement | undefined, parentScope: NamespaceScope): { element: XmlElement; selfClosing: boolean } {
    this.position += 1;
    const name = this.readName("element name");
    const written = new Map<string, string>();
    for (;;) {
      const hadSpace = this.skipWhitespace();
      if (this.startsWith("/>") || this.startsWith(">")) break;
      if (!hadSpace) throw this.error(`expected a space before the next attribute of <${name}>`);
      const attribute = this.readName("attribute name");
      this.skipWhitespace();
      this.expect("=");
      this.skipWhitespace();
      if (written.has(attribute)) throw this.error(`attribute ${attribute} appears twice on <${name}>`);
      if (written.size === XML_LIMITS.attributesPerElement)
        throw this.error(`<${name}> has more than ${XML_LIMITS.attributesPerElement} attributes`);
      written.set(attribute, this.readAttributeValue());
    }
    const selfClosing = this.startsWith("/>");
    this.position += selfClosing ? 2 : 1;

    const declared = new Map<string, string>();
    for (const [attribute, value] of written) {
      if (attribute === "xmlns") declared.set("", value);
      else if (attribute.startsWith("xmlns:")) declared.set(this.checkDeclaration(attribute.slice("xmlns:".length), value), value);
    }
    this.namespaceDeclarations += declared.size;
    if (this.namespaceDeclarations > XML_LIMITS.namespaceDeclarations)
      throw this.error(`more than ${XML_LIMITS.namespaceDeclarations} namespace declarations`);
    const scope = declared.size === 0 ? parentScope : { declared, outer: parentScope };
    const [prefix, localName] = this.splitName(name);
    const element: XmlElement = {
      kind: "element",
      name,
      localName,
      namespace: this.resolve(prefix, scope, name),
      scope,
      attributes: [],
      children: [],
      parent,
    };
    const expandedNames = new Set<string>();
    for (const [attribute, value] of written) {
      if (attribute === "xmlns" || attribute.startsWith("xmlns:")) continue;
      const [attributePrefix, attributeLocal] = this.splitName(attribute);
      const namespace = attributePrefix === "" ? "" : this.resolve(attributePrefix, scope, attribute);
      // Clark notation is unambiguous: a local name cannot contain "}".
      const expandedName = `{${namespace}}${attributeLocal}`;
      if (expandedNames.has(expandedName)) throw this.error(`attributes ${attribute} on <${name}> have the same expanded name`);
      expandedNames.add(expandedName);
      element.attributes.push({ name: attribute, localName: attributeLocal, namespace, value });
    }
    return { element, selfClosing };
  }

  private readAttributeValue(): string {
    const quote = this.input[this.position];
    if (quote !== '"' && quote !== "'") throw this.error("an attribute value must be quoted");
    const end = this.input.indexOf(quote, this.position + 1);
    if (end === -1) throw this.error("an attribute value is not closed");
    const raw = this.input.slice(this.position + 1, end);
    if (raw.includes("<")) throw this.error('"<" in an attribute value');
    this.position = end + 1;
    // XML 1.0 §3.3.3: literal white space becomes a space; characters from references stay.
    return this.decodeReferences(raw.replace(/[\t\n]/g, " "));
  }

  /**
   * Character and predefined entity references decoded in one pass that stops at the first bad
   * one (`String.replace` with a function would first collect every match: 1 MB of "&" took 3 s).
   */
  private decodeReferences(raw: string): string {
    let decoded = "";
    let from = 0;
    for (let ampersand = raw.indexOf("&"); ampersand !== -1; ampersand = raw.indexOf("&", from)) {
      let end = ampersand + 1;
      while (end < raw.length && raw[end] !== ";" && raw[end] !== "&") end++;
      if (raw[end] !== ";") throw this.error(`"&" must start a reference ending in ";"`);
      decoded += raw.slice(from, ampersand) + this.referenced(raw.slice(ampersand + 1, end));
      from = end + 1;
    }
    return from === 0 ? raw : decoded + raw.slice(from);
  }

  private referenced(body: string): string {
    const predefined = PREDEFINED_ENTITIES.get(body);
    if (predefined !== undefined) return predefined;
    const code = /^#x[0-9a-fA-F]+$/.test(body)
      ? parseInt(body.slice(2), 16)
      : /^#[0-9]+$/.test(body)
        ? parseInt(body.slice(1), 10)
        : undefined;
    if (code === undefined) throw this.error(`the entity &${body}; is not defined`);
    if (!isXmlCharacter(code)) throw this.error(`&${body}; is not a character allowed in XML`);
    return String.fromCodePoint(code);
  }

  private checkDeclaration(prefix: string, uri: string): string {
    if (uri === "") throw this.error(`the prefix ${prefix} cannot be undeclared in XML 1.0`);
    if (prefix === "xmlns" || uri === XMLNS_NAMESPACE) throw this.error("the xmlns prefix and namespace are reserved");
    if ((prefix === "xml") !== (uri === XML_NAMESPACE)) throw this.error("the xml prefix and namespace belong to each other");
    return prefix;
  }

  private splitName(name: string): [string, string] {
    const parts = name.split(":");
    if (parts.length === 1) return ["", name];
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") throw this.error(`"${name}" is not a valid qualified name`);
    return parts as [string, string];
  }

  private resolve(prefix: string, scope: NamespaceScope, name: string): string {
    const namespace = namespaceOf(scope, prefix) ?? "";
    if (prefix !== "" && namespace === "") throw this.error(`the prefix of ${name} is not declared`);
    return namespace;
  }

  private readName(what: string): string {
    NAME.lastIndex = this.position;
    const match = NAME.exec(this.input);
    if (!match) throw this.error(`expected ${what}`);
    this.position += match[0].length;
    return match[0];
  }

  private readUntil(terminator: string, what: string): string {
    const end = this.input.indexOf(terminator, this.position);
    if (end === -1) throw this.error(`${what} is not closed`);
    const content = this.input.slice(this.position, end);
    this.position = end + terminator.length;
    return content;
  }

  private skipWhitespace(): boolean {
    WHITESPACE.lastIndex = this.position;
    const length = (WHITESPACE.exec(this.input) as RegExpExecArray)[0].length;
    this.position += length;
    return length > 0;
  }

  private startsWith(text: string): boolean {
    return this.input.startsWith(text, this.position);
  }

  private expect(text: string): void {
    if (!this.startsWith(text)) throw this.error(`expected "${text}"`);
    this.position += text.length;
  }

  private error(problem: string): XmlSyntaxError {
    const line = this.input.slice(0, this.position).split("\n").length;
    return new XmlSyntaxError(`line ${line}: ${problem}`);
  }
}

function appendText(parent: XmlElement, text: string): void {
  if (text === "") return;
  const last = parent.children.at(-1);
  if (last?.kind === "text") last.text += text;
  else parent.children.push({ kind: "text", text });
}

function isXmlCharacter(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

/** The URI bound to the prefix ("" for the default namespace), if any binding is in scope. */
export function namespaceOf(scope: NamespaceScope, prefix: string): string | undefined {
  for (let current: NamespaceScope | undefined = scope; current; current = current.outer) {
    const uri = current.declared.get(prefix);
    if (uri !== undefined) return uri;
  }
  return undefined;
}

/** Every binding in scope, the nearest declaration of each prefix winning. */
export function bindingsOf(scope: NamespaceScope): Map<string, string> {
  const bindings = new Map<string, string>();
  for (let current: NamespaceScope | undefined = scope; current; current = current.outer) {
    for (const [prefix, uri] of current.declared) if (!bindings.has(prefix)) bindings.set(prefix, uri);
  }
  return bindings;
}

export function isElement(node: XmlNode | undefined): node is XmlElement {
  return node?.kind === "element";
}

/** Direct child elements with the given namespace and local name. */
export function childElements(element: XmlElement, namespace: string, localName: string): XmlElement[] {
  return element.children.filter(
    (child): child is XmlElement => isElement(child) && child.namespace === namespace && child.localName === localName,
  );
}

export function childElement(element: XmlElement, namespace: string, localName: string): XmlElement | undefined {
  return childElements(element, namespace, localName)[0];
}

export function attributeOf(element: XmlElement | undefined, name: string): string | undefined {
  return element?.attributes.find((attribute) => attribute.namespace === "" && attribute.localName === name)?.value;
}

/** The element's character content, descendants included. */
export function textOf(element: XmlElement | undefined): string {
  if (!element) return "";
  return element.children.map((child) => (child.kind === "element" ? textOf(child) : child.kind === "text" ? child.text : "")).join("");
}

/** The elements whose unqualified `Id` attribute has the given value, in document order. */
export function findById(element: XmlElement, id: string): XmlElement[] {
  const found = attributeOf(element, "Id") === id ? [element] : [];
  for (const child of element.children) if (isElement(child)) found.push(...findById(child, id));
  return found;
}
