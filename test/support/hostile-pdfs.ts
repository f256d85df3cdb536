import zlib from "node:zlib";

/**
 * Small PDFs that pass the client's checks (a %PDF- header, no /Encrypt near the end) but whose
 * structure makes a careless reader's work explode: page trees that share or revisit nodes, a
 * page count that lies, objects nested a hundred thousand deep, and a compressed object stream
 * that inflates to a gigabyte.
 */

/** A PDF of these objects (numbered from 1; object 1 is the catalog), each given as its body. */
export function pdfOfObjects(objects: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1")];
  let length = parts[0]!.length;
  const offsets = objects.map((object, index) => {
    const offset = length;
    const part = Buffer.concat([Buffer.from(`${index + 1} 0 obj\n`), Buffer.from(object), Buffer.from("\nendobj\n")]);
    parts.push(part);
    length += part.length;
    return offset;
  });
  const entries = offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n \n`).join("");
  parts.push(
    Buffer.from(
      `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${entries}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`,
    ),
  );
  return Buffer.concat(parts);
}

const CATALOG = "<< /Type /Catalog /Pages 2 0 R >>";
const PAGE = (parent: number) => `<< /Type /Page /Parent ${parent} 0 R /MediaBox [0 0 595 842] >>`;

/**
 * A page tree `depth` levels deep whose every node lists the same child twice: 2^depth pages
 * (17 billion at depth 34) from depth + 2 objects.
 */
export function sharedKidsPdf(depth = 34): Buffer {
  // Object 2 is the root node, objects 3 … depth + 1 the nodes below it, object depth + 2 the page.
  const nodes = Array.from({ length: depth }, (_, level) => {
    const self = level + 2;
    const child = self + 1;
    const parent = level === 0 ? "" : ` /Parent ${self - 1} 0 R`;
    return `<< /Type /Pages${parent} /Kids [${child} 0 R ${child} 0 R] /Count ${2 ** (depth - level)} >>`;
  });
  return pdfOfObjects([CATALOG, ...nodes, PAGE(depth + 1)]);
}

/** A page tree whose second node lists the root among its kids. */
export function cyclicPageTreePdf(): Buffer {
  return pdfOfObjects([
    CATALOG,
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 4 0 R] /Count 1 >>",
    PAGE(3),
  ]);
}

/** One page that claims to be two billion. */
export function countLiePdf(): Buffer {
  return pdfOfObjects([CATALOG, "<< /Type /Pages /Kids [3 0 R] /Count 2147483647 >>", PAGE(2)]);
}

/** A one-page PDF whose page carries an array nested `depth` deep. */
export function deeplyNestedPdf(depth = 100_000): Buffer {
  return pdfOfObjects([
    CATALOG,
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Nested ${"[".repeat(depth)}${"]".repeat(depth)} >>`,
  ]);
}

/**
 * A one-page PDF with a compressed object stream that inflates to `inflatedBytes` of spaces
 * (1 GiB from about 1 MB by default). The deflate data is one compressed 16 MiB block of
 * spaces repeated (a sync-flushed block stands alone), so making it costs no gigabyte here; its
 * checksum is left zero, since a reader that is not fooled stops long before reaching it.
 */
export function objectStreamBombPdf(inflatedBytes = 1024 * 1024 * 1024): Buffer {
  const block = 16 * 1024 * 1024;
  const compressedBlock = zlib.deflateRawSync(Buffer.alloc(block, " "), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const header = Buffer.from("4 0 ");
  const compressed = Buffer.concat([
    Buffer.from([0x78, 0xda]),
    zlib.deflateRawSync(header, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    ...Array.from({ length: Math.ceil(inflatedBytes / block) }, () => compressedBlock),
    zlib.deflateRawSync(Buffer.alloc(0)),
    Buffer.alloc(4),
  ]);
  return pdfOfObjects([
    CATALOG,
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    PAGE(2),
    Buffer.concat([
      Buffer.from(`<< /Type /ObjStm /N 1 /First ${header.length} /Filter /FlateDecode /Length ${compressed.length} >>\nstream\n`),
      compressed,
      Buffer.from("\nendstream"),
    ]),
  ]);
}

/**
 * A one-page PDF whose page content carries, in a comment, the text of the placeholders the
 * emulator's seal fills in (the signature's byte range and its hex contents).
 */
export function placeholderLookalikePdf(signatureCapacity = 16 * 1024): Buffer {
  const content = `% /ByteRange [ 0 9999999999 9999999999 9999999999 ] <${"0".repeat(signatureCapacity * 2)}>\n`;
  return pdfOfObjects([
    CATALOG,
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    `<< /Length ${content.length} >>\nstream\n${content}endstream`,
  ]);
}
