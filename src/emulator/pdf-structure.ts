import zlib from "node:zlib";
import {
  PDFArray,
  PDFDocument,
  PDFName,
  PDFNumber,
  PDFObjectStreamParser,
  PDFPageLeaf,
  PDFPageTree,
  type PDFRawStream,
  PDFRef,
  PDFXRefStreamParser,
} from "pdf-lib";

/**
 * Reads a PDF from outside with bounded work. pdf-lib trusts a document's structure: it walks
 * the page tree recursively without a visited set (a tree whose nodes list one child twice, 34
 * levels deep, is 17 billion pages from 36 objects) and inflates object and cross-reference
 * streams while parsing with no limit (1 MB can inflate to 1 GB). So the streams it is about to
 * inflate are first inflated by zlib against a budget (pdf-lib's own entry points for them are
 * wrapped: this module is loaded only in the PDF workers), and the page tree is walked here,
 * each node once, within caps on depth, nodes and pages, before pdf-lib walks it.
 */

export const PDF_LIMITS = {
  pages: 10_000,
  pageTreeDepth: 64,
  pageTreeNodes: 20_000,
  /** What a document's object and cross-reference streams may inflate to, together. */
  decodedStreamBytes: 64 * 1024 * 1024,
} as const;

/** The document is refused; the message says why, to follow "… is not a readable PDF: ". */
export class UnreadablePdfError extends Error {}

/** For the document being loaded (a worker loads one at a time): what its streams may still inflate to. */
let decodedStreamBudget = 0;
/** pdf-lib catches what is thrown while it parses an object and goes on, so a refusal is kept here. */
let streamRefusal: UnreadablePdfError | undefined;

export async function loadBoundedPdf(content: Uint8Array): Promise<{ document: PDFDocument; pages: number }> {
  decodedStreamBudget = PDF_LIMITS.decodedStreamBytes;
  streamRefusal = undefined;
  let document: PDFDocument;
  try {
    document = await PDFDocument.load(content, { updateMetadata: false, ignoreEncryption: true });
  } catch (error) {
    throw streamRefusal ?? new UnreadablePdfError(pdfLibProblem(error));
  }
  if (streamRefusal) throw streamRefusal;
  if (document.isEncrypted) throw new UnreadablePdfError("it is password-protected (encrypted)");
  return { document, pages: countPages(document) };
}

/** pdf-lib's messages name objects and offsets, and a stack overflow says nothing about the document. */
function pdfLibProblem(error: unknown): string {
  if (error instanceof RangeError) return "its objects are nested too deeply";
  const message = error instanceof Error ? error.message : String(error);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}

/**
 * The number of pages, walking the tree from the catalog's /Pages with an explicit stack: every
 * node reached once (a node listed twice, shared or in a cycle, is refused), each node's /Parent
 * (when it has one) the node that lists it, as pdf-lib follows /Parent upwards when it copies a page.
 */
function countPages(document: PDFDocument): number {
  const context = document.context;
  const rootRef = document.catalog.get(PDFName.of("Pages"));
  if (!(rootRef instanceof PDFRef) || !(context.lookup(rootRef) instanceof PDFPageTree))
    throw new UnreadablePdfError("its catalog has no page tree");
  const visited = new Set<PDFRef>([rootRef]);
  const stack: { ref: PDFRef; depth: number }[] = [{ ref: rootRef, depth: 1 }];
  let pages = 0;
  while (stack.length > 0) {
    const { ref, depth } = stack.pop() as { ref: PDFRef; depth: number };
    const node = context.lookup(ref) as PDFPageTree;
    if (ref === rootRef && node.get(PDFName.of("Parent")) !== undefined)
      throw new UnreadablePdfError("the root of its page tree has a parent");
    const kids = node.lookup(PDFName.of("Kids"));
    if (!(kids instanceof PDFArray)) throw new UnreadablePdfError(`page tree node ${ref.toString()} has no /Kids array`);
    for (let index = 0; index < kids.size(); index++) {
      const kidRef = kids.get(index);
      if (!(kidRef instanceof PDFRef)) throw new UnreadablePdfError(`page tree node ${ref.toString()} lists a kid that is not a reference`);
      if (visited.has(kidRef))
        throw new UnreadablePdfError(`its page tree reaches object ${kidRef.toString()} more than once (a shared or cyclic page tree)`);
      visited.add(kidRef);
      if (visited.size > PDF_LIMITS.pageTreeNodes)
        throw new UnreadablePdfError(`its page tree has more than ${PDF_LIMITS.pageTreeNodes} nodes`);
      const kid = context.lookup(kidRef);
      if (!(kid instanceof PDFPageTree) && !(kid instanceof PDFPageLeaf)) continue; // pdf-lib skips these too
      const parent = kid.get(PDFName.of("Parent"));
      if (parent !== undefined && parent !== ref)
        throw new UnreadablePdfError(`page tree node ${kidRef.toString()} names another /Parent than the node that lists it`);
      if (kid instanceof PDFPageLeaf) {
        if (++pages > PDF_LIMITS.pages) throw new UnreadablePdfError(`it has more than ${PDF_LIMITS.pages} pages`);
        continue;
      }
      if (depth + 1 > PDF_LIMITS.pageTreeDepth)
        throw new UnreadablePdfError(`its page tree is deeper than ${PDF_LIMITS.pageTreeDepth} levels`);
      stack.push({ ref: kidRef, depth: depth + 1 });
    }
  }
  if (pages === 0) throw new UnreadablePdfError("it has no pages");
  const count = context.lookup(rootRef, PDFPageTree).get(PDFName.of("Count"));
  if (!(count instanceof PDFNumber) || count.asNumber() !== pages)
    throw new UnreadablePdfError(`its page tree's /Count is ${count?.toString() ?? "missing"}, but it has ${pages} pages`);
  return pages;
}

/**
 * Inflates the stream with zlib, stopped at the remaining budget, before pdf-lib's own inflater
 * reads it. A stream zlib cannot inflate is refused too: pdf-lib's inflater is more lenient, and
 * leniency about damaged data is where a bomb could hide.
 */
function chargeDecoding(stream: PDFRawStream): void {
  try {
    chargeOrRefuse(stream);
  } catch (error) {
    streamRefusal ??= error as UnreadablePdfError;
    throw error;
  }
}

function chargeOrRefuse(stream: PDFRawStream): void {
  if (streamRefusal) throw streamRefusal;
  const filter = stream.dict.lookup(PDFName.of("Filter"));
  const filters = filter instanceof PDFArray ? filter.asArray() : filter === undefined ? [] : [filter];
  const contents = stream.getContents();
  if (filters.length === 0) {
    decodedStreamBudget -= contents.length;
  } else if (filters.length === 1 && filters[0] === PDFName.of("FlateDecode")) {
    try {
      const inflated = zlib.inflateSync(contents, {
        maxOutputLength: Math.max(1, decodedStreamBudget + 1),
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
      });
      decodedStreamBudget -= inflated.length;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ERR_BUFFER_TOO_LARGE")
        throw new UnreadablePdfError(`an object or cross-reference stream cannot be inflated (${(error as Error).message})`);
      decodedStreamBudget = -1;
    }
  } else {
    throw new UnreadablePdfError("an object or cross-reference stream has a filter other than FlateDecode");
  }
  if (decodedStreamBudget < 0)
    throw new UnreadablePdfError(
      `its object and cross-reference streams inflate to more than ${PDF_LIMITS.decodedStreamBytes / (1024 * 1024)} MB`,
    );
}

const parseObjectStream = PDFObjectStreamParser.forStream;
PDFObjectStreamParser.forStream = (stream, shouldWaitForTick) => {
  chargeDecoding(stream);
  return parseObjectStream(stream, shouldWaitForTick);
};
const parseCrossReferenceStream = PDFXRefStreamParser.forStream;
PDFXRefStreamParser.forStream = (stream) => {
  chargeDecoding(stream);
  return parseCrossReferenceStream(stream);
};
