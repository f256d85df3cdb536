/**
 * Small helpers for text that may come from outside (a web form, a msg, a server): each walks the
 * text once, so a megabyte costs a millisecond, never a pattern's backtracking.
 */

/** How many characters (code points) a text has, as `[...text].length` counts them, without the array. */
export function codePointLength(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) {
      length--;
      i++;
    }
  }
  return length;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Characters of a text value shown in a message; the rest is cut off with "…". */
const SHOWN_LENGTH = 40;

/**
 * A value as a message shows it: text quoted and cut to 40 characters, numbers and the like as
 * they print, lists and objects by their kind (they may be huge or circular).
 */
export function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.length > SHOWN_LENGTH ? `${value.slice(0, SHOWN_LENGTH)}…` : value);
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return String(value);
  return Array.isArray(value) ? "a list" : `a ${typeof value}`;
}

/** The text without the given trailing character, however many there are. */
export function trimEnd(text: string, character: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === character) end--;
  return text.slice(0, end);
}
