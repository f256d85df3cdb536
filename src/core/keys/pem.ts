const BEGIN = "-----BEGIN CERTIFICATE-----";
const END = "-----END CERTIFICATE-----";

/**
 * The PEM certificate blocks of a text, in order, each from its BEGIN to its END line. Found by
 * searching forward once, so a text of many BEGIN lines without an END costs one pass.
 */
export function certificatePemBlocks(text: string): string[] {
  const blocks: string[] = [];
  let from = 0;
  for (;;) {
    const begin = text.indexOf(BEGIN, from);
    if (begin < 0) return blocks;
    const end = text.indexOf(END, begin + BEGIN.length);
    if (end < 0) return blocks;
    // From the last BEGIN before the END: an unfinished block in front of it is dropped.
    const last = text.lastIndexOf(BEGIN, end);
    blocks.push(text.slice(last, end + END.length));
    from = end + END.length;
  }
}
