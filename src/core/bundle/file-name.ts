/**
 * File names for documents in the bundle, made the way the Java client makes them (so the
 * service sees the names it has always seen): a zero-padded index, then the title reduced to
 * a safe alphabet. The index keeps names unique whatever the titles are.
 */

const SAFE_ALPHABET = "-.0123456789_abcdefghijklmnopqrstuvwxyz";
// Java's \s is ASCII whitespace only, so it is spelled out rather than using JavaScript's \s.
const SEPARATOR_RUNS = /[ \t\n\v\f\r:;&%$*?+=@,()[\]{}#!"“”^`´<>]+/g;
const NORWEGIAN_LETTERS: Record<string, string> = { æ: "ae", Æ: "ae", ø: "oe", Ø: "oe", å: "aa", Å: "aa" };

export function documentFileName(index: number, title: string, extension = "pdf"): string {
  return `${String(index).padStart(4, "0")}_${safeFileNamePart(title)}.${extension}`;
}

export function safeFileNamePart(title: string): string {
  if (title.length === 0) throw new Error("A document title is needed to name its file");
  const reduced = title
    .replace(SEPARATOR_RUNS, "_")
    .replace(/[æÆøØåÅ]/g, (letter) => NORWEGIAN_LETTERS[letter] ?? letter)
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase();
  let safe = "";
  // Per UTF-16 code unit, as Java iterates a String: an astral character yields two units.
  for (let i = 0; i < reduced.length; i++) {
    const character = reduced[i] as string;
    safe += SAFE_ALPHABET.includes(character) ? character : SAFE_ALPHABET[reduced.charCodeAt(i) % SAFE_ALPHABET.length];
  }
  return safe;
}
