import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { officialXsdDir, schemaDir } from "./reference";

export const OUR_SCHEMA = path.join(schemaDir, "signering.xsd");
export const OFFICIAL_SCHEMA = path.join(officialXsdDir, "direct-and-portal.xsd");

export interface SchemaVerdict {
  valid: boolean;
  output: string;
}

/** Validates an XML text with xmllint (libxml2) against an XSD. */
export function validateWithXmllint(xml: string, schemaFile: string): SchemaVerdict {
  const dir = mkdtempSync(path.join(tmpdir(), "xmllint-"));
  try {
    const file = path.join(dir, "message.xml");
    writeFileSync(file, xml, "utf8");
    const result = spawnSync("xmllint", ["--noout", "--nonet", "--schema", schemaFile, file], { encoding: "utf8" });
    return { valid: result.status === 0, output: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
