import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * The user directory of `npm start` holds the uploaded `.p12`, its password and proxy passwords
 * (in flows_cred.json). It is made private to its owner, and Node-RED encrypts the credentials
 * with a secret generated once and kept beside them, readable by the owner only.
 */

const SECRET_FILE = ".credential-secret";
const CREDENTIAL_FILES = ["flows_cred.json", ".flows_cred.json.backup"] as const;

/** Makes (or tightens) the user directory to mode 0700 and returns its credential secret, made on first use. */
export function prepareUserDirectory(userDir: string): string {
  mkdirSync(userDir, { recursive: true, mode: 0o700 });
  chmodSync(userDir, 0o700);
  const secretFile = path.join(userDir, SECRET_FILE);
  if (!existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString("hex") + "\n", { mode: 0o600, flag: "wx" });
  chmodSync(secretFile, 0o600);
  const secret = readFileSync(secretFile, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(secret)) throw new Error(`${secretFile} does not hold a credential secret: remove it to make a new one`);
  // Written empty (and so encrypted below), or Node-RED warns at a first start that it found no encrypted credentials.
  const credentialsFile = path.join(userDir, CREDENTIAL_FILES[0]);
  if (!existsSync(credentialsFile)) writeFileSync(credentialsFile, "{}", { mode: 0o600 });
  for (const name of CREDENTIAL_FILES) encryptIfPlain(path.join(userDir, name), secret);
  return secret;
}

/**
 * Earlier versions of `npm start` ran with `credentialSecret: false`. Node-RED reads such a file
 * with a secret set, but keeps it in plain text until a deploy changes a credential, so it is
 * encrypted here, in Node-RED's format: `{"$": hex(iv) + base64(AES-256-CTR(json))}` under the
 * SHA-256 of the secret.
 */
function encryptIfPlain(file: string, secret: string): void {
  if (!existsSync(file)) return;
  const credentials = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  if ("$" in credentials) return;
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-ctr", createHash("sha256").update(secret).digest(), iv);
  const encrypted = cipher.update(JSON.stringify(credentials), "utf8", "base64") + cipher.final("base64");
  writeFileSync(file, JSON.stringify({ $: iv.toString("hex") + encrypted }), { mode: 0o600 });
  chmodSync(file, 0o600);
}
