import { type PDFDocument, type PDFFont, rgb, StandardFonts } from "pdf-lib";

/**
 * Plain-text documents (text/plain, UTF-8) as the service takes them besides PDF: checked on
 * intake and typeset into the signed PDF on A4 pages, lines wrapped and pages added as needed.
 */

export const TEXT_PLAIN = "text/plain";
/**
 * The service documents no page limit; the emulator typesets at most this many pages per text
 * document (about 30,000 lines), so that one 10 MB document of short lines cannot take gigabytes.
 */
export const MAX_TEXT_PAGES = 500;

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const FONT_SIZE = 10;
const LINE_HEIGHT = 13;
const TAB = "    ";
const SPACE = 0x20;
/** Courier: every glyph is 600/1000 em wide, so lines wrap at a column. */
const COLUMNS = Math.floor((A4[0] - 2 * MARGIN) / (0.6 * FONT_SIZE));
const LINES_PER_PAGE = Math.floor((A4[1] - 2 * MARGIN) / LINE_HEIGHT);

/** The text of a text/plain document, or undefined when its bytes are not UTF-8. */
export function decodeText(content: Uint8Array): string | undefined {
  try {
    // A byte order mark is dropped: it is not part of the text.
    return new TextDecoder("utf-8", { fatal: true }).decode(content);
  } catch {
    return undefined;
  }
}

/** Whether the text fits the pages the emulator typesets (counted without typesetting). */
export function fitsTextPages(text: string): boolean {
  const pages = typesetPages(text);
  for (let count = 0; !pages.next().done; count++) if (count >= MAX_TEXT_PAGES) return false;
  return true;
}

/**
 * Replaces what a standard font cannot encode (its WinAnsi set: Latin letters with æ, ø and å,
 * but no emoji, CJK or control characters) with "?".
 */
export function encodableBy(font: PDFFont): (text: string) => string {
  const encodable = new Set(font.getCharacterSet());
  return (text) => Array.from(text, (character) => (encodable.has(character.codePointAt(0) as number) ? character : "?")).join("");
}

export async function addTextPages(pdf: PDFDocument, text: string): Promise<void> {
  const font = await pdf.embedFont(StandardFonts.Courier);
  const printable = encodableBy(font);
  for (const lines of typesetPages(text)) {
    const page = pdf.addPage(A4);
    lines.forEach((line, index) => {
      if (line !== "")
        page.drawText(printable(line), {
          x: MARGIN,
          y: A4[1] - MARGIN - FONT_SIZE - index * LINE_HEIGHT,
          size: FONT_SIZE,
          font,
          color: rgb(0.1, 0.1, 0.1),
        });
    });
  }
}

/** The text's lines, page by page (at least one page), made only as they are asked for. */
function* typesetPages(text: string): Generator<string[]> {
  let page: string[] = [];
  for (const line of typesetLines(text)) {
    page.push(line);
    if (page.length < LINES_PER_PAGE) continue;
    yield page;
    page = [];
  }
  if (page.length > 0) yield page;
}

/** Tabs as spaces; each line wrapped at the last space that fits, or within a word longer than a line. */
function* typesetLines(text: string): Generator<string> {
  const lineBreaks = /\r\n?|\n/g;
  let start = 0;
  for (;;) {
    const lineBreak = lineBreaks.exec(text);
    yield* wrap(text.slice(start, lineBreak ? lineBreak.index : undefined).replaceAll("\t", TAB));
    if (!lineBreak) return;
    start = lineBreaks.lastIndex;
  }
}

/**
 * The rows of one line, each of at most COLUMNS characters (code points, not UTF-16 units: one
 * character, one column, whether or not the font can print it), broken after the last space
 * within the row or right after it. Each row looks at no more than its own characters and the
 * next one, so a line of any length is wrapped in time proportional to it, and a caller that
 * stops early (the page count) pays only for the rows it took.
 */
function* wrap(line: string): Generator<string> {
  let from = 0;
  for (;;) {
    let end = from;
    let space = -1;
    for (let columns = 0; columns < COLUMNS && end < line.length; columns++) {
      if (end > from && line.charCodeAt(end) === SPACE) space = end;
      end += (line.codePointAt(end) as number) > 0xffff ? 2 : 1;
    }
    if (end >= line.length) {
      yield line.slice(from);
      return;
    }
    if (line.charCodeAt(end) === SPACE) space = end;
    if (space > from) {
      yield line.slice(from, space);
      from = space + 1;
    } else {
      yield line.slice(from, end);
      from = end;
    }
  }
}
