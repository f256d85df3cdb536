import { createPrivateKey, X509Certificate } from "node:crypto";
import type forgeModule from "node-forge";
import { CertificateError } from "../errors";
import type { Pkcs12Contents } from "./pkcs12";

// PKCS#12 bag types (RFC 7292 §4.2).
const KEY_BAG = "1.2.840.113549.1.12.10.1.1";
const SHROUDED_KEY_BAG = "1.2.840.113549.1.12.10.1.2";
const CERT_BAG = "1.2.840.113549.1.12.10.1.3";

/**
 * Reads a keystore with node-forge: the fallback for what `readPkcs12` does not read (RC2 and
 * RC4 encryption of older tools, BER encodings). node-forge is loaded here, when needed, so a
 * command that reads a today's keystore never pays for loading it.
 */
export function readPkcs12WithForge(pkcs12: Uint8Array, password: string): Pkcs12Contents {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for legacy keystores
  const forge = require("node-forge") as typeof forgeModule;
  let store: forgeModule.pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.binary.raw.encode(pkcs12));
    store = forge.pkcs12.pkcs12FromAsn1(asn1, false, password);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/MAC could not be verified|Invalid password/i.test(message)) {
      throw new CertificateError("WRONG_PASSWORD", "The keystore password is wrong");
    }
    throw new CertificateError("UNREADABLE_KEYSTORE", "The keystore is not a readable PKCS#12 (.p12/.pfx) file");
  }
  const keyBags = [
    ...(store.getBags({ bagType: SHROUDED_KEY_BAG })[SHROUDED_KEY_BAG] ?? []),
    ...(store.getBags({ bagType: KEY_BAG })[KEY_BAG] ?? []),
  ];
  return {
    keys: keyBags.flatMap((bag) =>
      bag.key ? [{ alias: bag.attributes?.friendlyName?.[0], privateKey: createPrivateKey(forge.pki.privateKeyToPem(bag.key)) }] : [],
    ),
    certificates: (store.getBags({ bagType: CERT_BAG })[CERT_BAG] ?? []).flatMap((bag) =>
      bag.cert ? [new X509Certificate(Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(bag.cert)).getBytes(), "binary"))] : [],
    ),
  };
}
