export { documentFileName, safeFileNamePart } from "./file-name";
export { formatSigningTime } from "./signing-time";
export { createSignaturesXml, type SignedFile, type SignaturesInput } from "./xades";
export { createDocumentBundle, type BundleDocument, type DocumentBundle, type DocumentDigests, type DocumentBundleInput } from "./asice";
