import forge from "node-forge";
import { PDFArray, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFString, StandardFonts, rgb } from "pdf-lib";
import { loadBoundedPdf } from "./pdf-structure";
import { addTextPages, decodeText, encodableBy, TEXT_PLAIN } from "./text-document";

/**
 * The signed PDF (PAdES) the emulator hands out for a completed job: a front page listing the
 * signers, the original documents' pages (text documents typeset), each signer's XAdES attached, and a real PDF
 * signature (adbe.pkcs7.detached) by the emulator's own certificate over the whole file.
 * Standard tools (pdfsig, Acrobat) validate the signature and report the signer as untrusted.
 * Made in a PDF worker (see pdf-workers.ts); each document is read again within the same bounds as on intake.
 */

export interface PadesSigner {
  name: string;
  signedAt: Date;
  xades: { fileName: string; content: string };
}

export interface PadesInput {
  jobTitle: string;
  documents: { title: string; mimeType: string; content: Uint8Array }[];
  signers: PadesSigner[];
  sealKeyPem: string;
  sealCertificateChainPem: string[];
}

/** Room for the CMS signature (certificate chain included), in bytes. */
const SIGNATURE_CAPACITY = 16 * 1024;
const BYTE_RANGE_PLACEHOLDER = 9_999_999_999;
/** The placeholders as pdf-lib writes them (an array as `[ a b ]`, a hex string as `<…>`). */
const BYTE_RANGE_TEXT = `/ByteRange [ 0 ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER} ${BYTE_RANGE_PLACEHOLDER} ]`;
const CONTENTS_TEXT = `<${"0".repeat(SIGNATURE_CAPACITY * 2)}>`;

export async function createPades(input: PadesInput): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(input.jobTitle);
  pdf.setProducer("Posten signering emulator");
  await addFrontPage(pdf, input);
  for (const document of input.documents) {
    if (document.mimeType === TEXT_PLAIN) {
      // Checked to be UTF-8 when the job was created.
      await addTextPages(pdf, decodeText(document.content) ?? "");
      continue;
    }
    const { document: source } = await loadBoundedPdf(document.content);
    for (const page of await pdf.copyPages(source, source.getPageIndices())) pdf.addPage(page);
  }
  for (const signer of input.signers) {
    await pdf.attach(Buffer.from(signer.xades.content, "utf8"), signer.xades.fileName, {
      mimeType: "application/xml",
      description: `XAdES of ${signer.name}`,
    });
  }
  addSignaturePlaceholder(pdf);
  const unsigned = Buffer.from(await pdf.save({ useObjectStreams: false }));
  return seal(unsigned, input);
}

async function addFrontPage(pdf: PDFDocument, input: PadesInput): Promise<void> {
  const page = pdf.addPage([595.28, 841.89]); // A4 portrait
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const printable = encodableBy(font);
  let y = 780;
  const line = (text: string, size = 11, useBold = false) => {
    page.drawText(printable(text), { x: 56, y, size, font: useBold ? bold : font, color: rgb(0.1, 0.1, 0.1), maxWidth: 480 });
    y -= size + 10;
  };
  line("Signed with Posten signering (emulator)", 10);
  line(input.jobTitle, 18, true);
  y -= 10;
  line("Signers", 13, true);
  for (const signer of input.signers) line(`${signer.name} — signed ${signer.signedAt.toISOString()}`);
  y -= 10;
  line("Documents", 13, true);
  for (const document of input.documents) line(document.title);
  y -= 20;
  line("This document was produced by a local emulator for testing; it has no legal effect.", 9);
}

function addSignaturePlaceholder(pdf: PDFDocument): void {
  const context = pdf.context;
  const firstPage = pdf.getPage(0);
  const signature = context.register(
    context.obj({
      Type: "Sig",
      Filter: "Adobe.PPKLite",
      SubFilter: "adbe.pkcs7.detached",
      ByteRange: [0, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER].map((value) => PDFNumber.of(value)),
      Contents: PDFHexString.of("0".repeat(SIGNATURE_CAPACITY * 2)),
      Reason: PDFString.of("Sealed by the Posten signering emulator"),
      M: PDFString.fromDate(new Date()),
    }),
  );
  const widget = context.register(
    context.obj({
      Type: "Annot",
      Subtype: "Widget",
      FT: "Sig",
      Rect: [0, 0, 0, 0],
      V: signature,
      T: PDFString.of("Seal"),
      F: 4,
      P: firstPage.ref,
    }),
  );
  const annotations = firstPage.node.lookupMaybe(PDFName.of("Annots"), PDFArray);
  if (annotations) annotations.push(widget);
  else firstPage.node.set(PDFName.of("Annots"), context.obj([widget]));
  pdf.catalog.set(PDFName.of("AcroForm"), context.obj({ SigFlags: 3, Fields: [widget] }));
}

/**
 * Fills in the signature. Its dictionary is the last object written (pdf-lib writes objects in
 * the order they were made), so the placeholders are found from the end: a signer's document may
 * carry the same text in its own content, and must not receive the byte range or the signature.
 */
function seal(pdf: Buffer, input: PadesInput): Uint8Array {
  const byteRangeStart = pdf.lastIndexOf(BYTE_RANGE_TEXT, undefined, "latin1");
  const contentsStart = pdf.lastIndexOf(CONTENTS_TEXT, undefined, "latin1");
  if (byteRangeStart === -1 || contentsStart === -1) throw new Error("The signature placeholder is missing");
  const contentsEnd = contentsStart + CONTENTS_TEXT.length;
  const byteRange = [0, contentsStart, contentsEnd, pdf.length - contentsEnd];
  pdf.write(`/ByteRange [${byteRange.join(" ")}]`.padEnd(BYTE_RANGE_TEXT.length, " "), byteRangeStart, "latin1");

  const signed = Buffer.concat([pdf.subarray(0, contentsStart), pdf.subarray(contentsEnd)]);
  const cms = forge.pkcs7.createSignedData();
  cms.content = forge.util.createBuffer(signed.toString("binary"));
  const [leaf, ...chain] = input.sealCertificateChainPem.map((pem) => forge.pki.certificateFromPem(pem));
  if (!leaf) throw new Error("A seal certificate is needed");
  for (const certificate of [leaf, ...chain]) cms.addCertificate(certificate);
  cms.addSigner({
    key: forge.pki.privateKeyFromPem(input.sealKeyPem),
    certificate: leaf,
    digestAlgorithm: forge.pki.oids.sha256 as string,
    authenticatedAttributes: [
      { type: forge.pki.oids.contentType as string, value: forge.pki.oids.data as string },
      { type: forge.pki.oids.messageDigest as string },
      { type: forge.pki.oids.signingTime as string, value: new Date() as unknown as string },
    ],
  });
  cms.sign({ detached: true });
  const der = Buffer.from(forge.asn1.toDer(cms.toAsn1()).getBytes(), "binary");
  if (der.length > SIGNATURE_CAPACITY) throw new Error("The PDF signature does not fit its placeholder");
  pdf.write(der.toString("hex").padEnd(SIGNATURE_CAPACITY * 2, "0"), contentsStart + 1, "latin1");
  return pdf;
}
