import {
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  hash as digestOf,
  pbkdf2Sync,
  timingSafeEqual,
  X509Certificate,
  type KeyObject,
} from "node:crypto";
import { CertificateError } from "../errors";
import { childrenOf, DerError, expectTag, readDer, readOid, readSmallInteger, sequence, TAG, type DerNode } from "./der";

/**
 * A PKCS#12 reader (RFC 7292) on node:crypto, for the algorithms today's keystores use: PBES2
 * (PBKDF2 with AES or 3DES) and PBE-SHA1-3DES, with an HMAC integrity check. It is what makes a
 * one-shot command start fast: node-forge's reader costs more to load than the rest of a
 * `bundle`, and its key derivation runs SHA-1 in JavaScript. A keystore this reader does not
 * understand (RC2 or RC4, BER encodings, nested bags) is an `UnsupportedPkcs12Error`, for which
 * the caller falls back to node-forge.
 */

export class UnsupportedPkcs12Error extends Error {}

export interface Pkcs12Contents {
  /** The private keys, each with its alias (friendlyName), in file order. */
  keys: { alias: string | undefined; privateKey: KeyObject }[];
  certificates: X509Certificate[];
}

const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  friendlyName: "1.2.840.113549.1.9.20",
  pbeWithSha1And3KeyTripleDesCbc: "1.2.840.113549.1.12.1.3",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
} as const;

const MAC_DIGESTS: Record<string, string> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.4": "sha224",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
};
const PBKDF2_PRFS: Record<string, string> = {
  "1.2.840.113549.2.7": "sha1",
  "1.2.840.113549.2.8": "sha224",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};
const PBES2_CIPHERS: Record<string, { name: string; keyLength: number }> = {
  "2.16.840.1.101.3.4.1.2": { name: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { name: "aes-192-cbc", keyLength: 24 },
  "2.16.840.1.101.3.4.1.42": { name: "aes-256-cbc", keyLength: 32 },
  "1.2.840.113549.3.7": { name: "des-ede3-cbc", keyLength: 24 },
};
/** More than any tool writes (OpenSSL: 2,048; Java: 10,000), and a bound on the work a keystore can ask for. */
const MAX_ITERATIONS = 10_000_000;

/** Reads a keystore; a wrong password is a `CertificateError` (`WRONG_PASSWORD`). */
export function readPkcs12(pkcs12: Uint8Array, password: string): Pkcs12Contents {
  try {
    return readPfx(readDer(pkcs12), password);
  } catch (error) {
    if (error instanceof DerError) throw new UnsupportedPkcs12Error(error.message);
    throw error;
  }
}

function readPfx(pfx: DerNode, password: string): Pkcs12Contents {
  const [version, authSafe, macData] = sequence(pfx, "PFX", 2);
  if (readSmallInteger(version, "PFX version") !== 3) throw new UnsupportedPkcs12Error("PFX version is not 3");
  const authenticatedSafe = dataContent(authSafe);
  if (macData) verifyMac(macData, authenticatedSafe, password);
  const contents: Pkcs12Contents = { keys: [], certificates: [] };
  for (const contentInfo of sequence(readDer(authenticatedSafe), "AuthenticatedSafe")) {
    const [type, explicit] = sequence(contentInfo, "ContentInfo", 2);
    const contentType = readOid(type);
    const safeContents =
      contentType === OID.data
        ? dataContent(contentInfo)
        : contentType === OID.encryptedData
          ? decryptEncryptedData(onlyChild(explicit), password)
          : unsupported(`content type ${contentType}`);
    readSafeContents(safeContents, password, contents);
  }
  return contents;
}

/** The octets of a `data` ContentInfo. */
function dataContent(contentInfo: DerNode | undefined): Buffer {
  const [type, explicit] = sequence(contentInfo, "ContentInfo", 2);
  const contentType = readOid(type);
  if (contentType !== OID.data) unsupported(`content type ${contentType} (public-key integrity mode)`);
  return expectTag(onlyChild(explicit), TAG.OCTET_STRING, "data").content;
}

function verifyMac(macData: DerNode, authenticatedSafe: Buffer, password: string): void {
  const [digestInfo, salt, iterations] = sequence(macData, "MacData", 2);
  const [algorithm, digest] = sequence(digestInfo, "DigestInfo", 2);
  const hash = MAC_DIGESTS[readOid(sequence(algorithm, "digestAlgorithm", 1)[0])] ?? unsupported("MAC digest");
  const expected = expectTag(digest, TAG.OCTET_STRING, "MAC").content;
  const key = pkcs12Kdf(
    hash,
    password,
    expectTag(salt, TAG.OCTET_STRING, "MAC salt").content,
    3,
    iterationsOf(iterations, 1),
    expected.length,
  );
  const actual = createHmac(hash, key).update(authenticatedSafe).digest();
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw new CertificateError("WRONG_PASSWORD", "The keystore password is wrong");
}

function decryptEncryptedData(encryptedData: DerNode, password: string): Buffer {
  const [, encryptedContentInfo] = sequence(encryptedData, "EncryptedData", 2);
  const [, algorithm, encrypted] = sequence(encryptedContentInfo, "EncryptedContentInfo", 3);
  if (encrypted?.tag !== TAG.CONTEXT_0_PRIMITIVE) unsupported("constructed encryptedContent");
  return decrypt(algorithm as DerNode, (encrypted as DerNode).content, password);
}

function readSafeContents(safeContents: Buffer, password: string, contents: Pkcs12Contents): void {
  for (const bag of sequence(readDer(safeContents), "SafeContents")) {
    const [type, explicit, attributes] = sequence(bag, "SafeBag", 2);
    const value = onlyChild(explicit);
    switch (readOid(type)) {
      case OID.keyBag:
        contents.keys.push({ alias: friendlyNameOf(attributes), privateKey: privateKeyOf(value.encoded) });
        break;
      case OID.shroudedKeyBag: {
        const [algorithm, encrypted] = sequence(value, "EncryptedPrivateKeyInfo", 2);
        const privateKeyInfo = decrypt(algorithm as DerNode, expectTag(encrypted, TAG.OCTET_STRING, "encryptedData").content, password);
        contents.keys.push({ alias: friendlyNameOf(attributes), privateKey: privateKeyOf(privateKeyInfo) });
        break;
      }
      case OID.certBag: {
        const [certificateType, certificate] = sequence(value, "CertBag", 2);
        if (readOid(certificateType) === OID.x509Certificate)
          contents.certificates.push(new X509Certificate(expectTag(onlyChild(certificate), TAG.OCTET_STRING, "certificate").content));
        break;
      }
      default:
        // CRLs, secrets and nested SafeContents carry nothing a sender uses.
        break;
    }
  }
}

function privateKeyOf(privateKeyInfo: Buffer): KeyObject {
  try {
    return createPrivateKey({ key: privateKeyInfo, format: "der", type: "pkcs8" });
  } catch {
    throw new CertificateError("UNREADABLE_KEYSTORE", "The keystore's private key is not a readable PKCS#8 key");
  }
}

function friendlyNameOf(attributes: DerNode | undefined): string | undefined {
  if (!attributes) return undefined;
  for (const attribute of childrenOf(expectTag(attributes, TAG.SET, "bagAttributes"))) {
    const [type, values] = sequence(attribute, "attribute", 2);
    if (readOid(type) !== OID.friendlyName) continue;
    const name = childrenOf(expectTag(values, TAG.SET, "friendlyName"))[0];
    return name?.tag === TAG.BMP_STRING ? Buffer.from(name.content).swap16().toString("utf16le") : undefined;
  }
  return undefined;
}

/** Decrypts with a password-based scheme: PBES2 or PKCS#12's PBE-SHA1-3DES. */
function decrypt(algorithm: DerNode, encrypted: Buffer, password: string): Buffer {
  const [type, parameters] = sequence(algorithm, "encryptionAlgorithm", 1);
  const scheme = readOid(type);
  let cipher: { name: string; key: Buffer; iv: Buffer };
  if (scheme === OID.pbeWithSha1And3KeyTripleDesCbc) {
    const [salt, iterations] = sequence(parameters, "PBE parameters", 2);
    const saltBytes = expectTag(salt, TAG.OCTET_STRING, "PBE salt").content;
    const count = iterationsOf(iterations);
    cipher = {
      name: "des-ede3-cbc",
      key: pkcs12Kdf("sha1", password, saltBytes, 1, count, 24),
      iv: pkcs12Kdf("sha1", password, saltBytes, 2, count, 8),
    };
  } else if (scheme === OID.pbes2) {
    cipher = pbes2Cipher(parameters, password);
  } else {
    return unsupported(`encryption scheme ${scheme}`);
  }
  try {
    const decipher = createDecipheriv(cipher.name, cipher.key, cipher.iv);
    return Buffer.concat([decipher.update(encrypted), decipher.final()]);
  } catch {
    // Without a MAC, a bad padding is how a wrong password shows.
    throw new CertificateError("WRONG_PASSWORD", "The keystore password is wrong");
  }
}

function pbes2Cipher(parameters: DerNode | undefined, password: string): { name: string; key: Buffer; iv: Buffer } {
  const [keyDerivation, encryptionScheme] = sequence(parameters, "PBES2 parameters", 2);
  const [kdfType, kdfParameters] = sequence(keyDerivation, "keyDerivationFunc", 2);
  if (readOid(kdfType) !== OID.pbkdf2) unsupported("a PBES2 key derivation other than PBKDF2");
  const [salt, iterations, ...rest] = sequence(kdfParameters, "PBKDF2 parameters", 2);
  // keyLength (an INTEGER) is optional before the PRF; the cipher fixes the length anyway.
  const prfAlgorithm = rest.find((field) => field.tag === TAG.SEQUENCE);
  const prf = prfAlgorithm ? (PBKDF2_PRFS[readOid(sequence(prfAlgorithm, "prf", 1)[0])] ?? unsupported("PBKDF2 PRF")) : "sha1";
  const [cipherType, iv] = sequence(encryptionScheme, "encryptionScheme", 2);
  const cipher = PBES2_CIPHERS[readOid(cipherType)] ?? unsupported("PBES2 cipher");
  const key = pbkdf2Sync(
    Buffer.from(password, "utf8"),
    expectTag(salt, TAG.OCTET_STRING, "PBKDF2 salt").content,
    iterationsOf(iterations),
    cipher.keyLength,
    prf,
  );
  return { name: cipher.name, key, iv: expectTag(iv, TAG.OCTET_STRING, "IV").content };
}

/**
 * The key derivation of RFC 7292, appendix B.2: the password as a BMPString with its two zero
 * bytes, `id` 1 for a key, 2 for an IV, 3 for a MAC key.
 */
function pkcs12Kdf(hash: string, password: string, salt: Buffer, id: 1 | 2 | 3, iterations: number, length: number): Buffer {
  const blockSize = hash === "sha384" || hash === "sha512" ? 128 : 64;
  const passwordBytes = Buffer.from(`${password}\0`, "utf16le").swap16();
  const input = Buffer.concat([repeatToBlocks(salt, blockSize), repeatToBlocks(passwordBytes, blockSize)]);
  const diversifier = Buffer.alloc(blockSize, id);
  const output: Buffer[] = [];
  for (let produced = 0; ;) {
    let digest = createHash(hash).update(diversifier).update(input).digest();
    // The one-shot hash: a third of createHash's cost per round, and there are thousands of rounds.
    for (let round = 1; round < iterations; round++) digest = digestOf(hash, digest, "buffer");
    output.push(digest);
    produced += digest.length;
    if (produced >= length) return Buffer.concat(output).subarray(0, length);
    // I_j = (I_j + B + 1) mod 2^(8·blockSize) for each block of the input, B the digest repeated.
    const addend = repeatToBlocks(digest, blockSize).subarray(0, blockSize);
    for (let start = 0; start < input.length; start += blockSize) {
      let carry = 1;
      for (let index = blockSize - 1; index >= 0; index--) {
        const sum = (input[start + index] as number) + (addend[index] as number) + carry;
        input[start + index] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
}

/** The bytes repeated to fill whole blocks (nothing for no bytes). */
function repeatToBlocks(bytes: Buffer, blockSize: number): Buffer {
  const filled = Buffer.alloc(blockSize * Math.ceil(bytes.length / blockSize));
  for (let index = 0; index < filled.length; index++) filled[index] = bytes[index % bytes.length] as number;
  return filled;
}

function iterationsOf(node: DerNode | undefined, fallback?: number): number {
  if (node === undefined && fallback !== undefined) return fallback;
  const iterations = readSmallInteger(node, "iteration count");
  if (iterations < 1 || iterations > MAX_ITERATIONS)
    throw new CertificateError(
      "UNREADABLE_KEYSTORE",
      `The keystore asks for ${iterations} iterations; at most ${MAX_ITERATIONS} are taken`,
    );
  return iterations;
}

function onlyChild(explicit: DerNode | undefined): DerNode {
  const [child] = childrenOf(expectTag(explicit, TAG.CONTEXT_0, "[0] EXPLICIT"));
  if (!child) throw new DerError("empty [0] EXPLICIT");
  return child;
}

function unsupported(what: string): never {
  throw new UnsupportedPkcs12Error(`not supported here: ${what}`);
}
