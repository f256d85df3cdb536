import { type PDFDocument, type PDFFont, rgb, StandardFonts } from "pdf-lib";

/**
 * Plain-text documents (text/plain, UTF-8) as the service takes them besides PDF: checked on
 * intake and typeset into the signed PDF on A4 pages, lines wrapped and pages added as needed.
 */

export const TEXT_PLAIN = "text/plain";

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const FONT_SIZE = 10;
const LINE_HEIGHT = 13;
const TAB = "    ";

/** The text of a text/plain document, or undefined when its bytes are not UTF-8. */
export function decodeText(content: Uint8Array): string | undefined {
  try {
    // A byte order mark is dropped: it is not part of the text.
    return new TextDecoder("utf-8", { fatal: true }).decode(content);
  } catch {
    return undefined;
  }
}

/**
 * Replaces what a standard font cannot encode (its WinAnsi set: Latin letters with æ, ø and å,
 * but no emoji, CJK or control characters) with "?".
 */
export function encodableBy(font: PDFFont): (text: string) => string {
  const encodable = new Set(font.getCharacterSet());
  return (text) => Array.from(text, (character) => (encodable.has(character.codePointAt(0) as number) ? character : "?")).join("");
}

/** Typesets the text in Courier: every character is as wide, so lines wrap at a column. */
export async function addTextPages(pdf: PDFDocument, text: string): Promise<void> {
  const font = await pdf.embedFont(StandardFonts.Courier);
  const printable = encodableBy(font);
  const columns = Math.floor((A4[0] - 2 * MARGIN) / font.widthOfTextAtSize("M", FONT_SIZE));
  const linesPerPage = Math.floor((A4[1] - 2 * MARGIN) / LINE_HEIGHT);
  const lines = text.split(/\r\n?|\n/).flatMap((line) => wrap(printable(line.replaceAll("\t", TAB)), columns));
  for (let first = 0; first < lines.length; first += linesPerPage) {
    const page = pdf.addPage(A4);
    lines.slice(first, first + linesPerPage).forEach((line, index) => {
      if (line !== "") page.drawText(line, { x: MARGIN, y: A4[1] - MARGIN - FONT_SIZE - index * LINE_HEIGHT, size: FONT_SIZE, font, color: rgb(0.1, 0.1, 0.1) });
    });
  }
}

/** Breaks a line at the last space that fits, or within a word longer than a line. */
function wrap(line: string, columns: number): string[] {
  const wrapped: string[] = [];
  let rest = line;
  while (rest.length > columns) {
    const space = rest.lastIndexOf(" ", columns);
    wrapped.push(rest.slice(0, space > 0 ? space : columns));
    rest = rest.slice(space > 0 ? space + 1 : columns);
  }
  wrapped.push(rest);
  return wrapped;
}
