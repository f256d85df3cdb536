import { spawnSync } from "node:child_process";
import path from "node:path";

export interface VerificationResult {
  ok: boolean;
  output: string;
}

/**
 * Verifies a detached XAdES signature with xmlsec1, an implementation independent of ours.
 * File references resolve against the working directory, so it runs in the signature file's
 * folder, where the signed files must be.
 */
export function verifyWithXmlsec(signatureFile: string, trustedCaFile?: string): VerificationResult {
  const trust = trustedCaFile ? ["--trusted-pem", trustedCaFile] : ["--insecure"];
  const result = spawnSync(
    "xmlsec1",
    ["--verify", ...trust, "--id-attr:Id", "http://uri.etsi.org/01903/v1.3.2#:SignedProperties", signatureFile],
    { encoding: "utf8", cwd: path.dirname(signatureFile) },
  );
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}
