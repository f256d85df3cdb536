import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { createSignaturesXml, formatSigningTime } from "../src/core/bundle";
import { loadCredentials } from "../src/core/keys";
import { xadesTestVectorDir } from "./support/reference";

const vector = (name: string) => readFileSync(path.join(xadesTestVectorDir, name));

function signVectorWith(keystore: string): string {
  const credentials = loadCredentials(
    { pkcs12: vector(keystore), password: "password1234" },
    { allowOutsideValidity: true, requireOrganizationNumber: false },
  );
  return createSignaturesXml({
    files: [
      { name: "dokument.pdf", content: vector("files/dokument.pdf"), mimeType: "application/pdf" },
      { name: "manifest.xml", content: vector("files/manifest.xml"), mimeType: "application/xml" },
    ],
    credentials,
    signingTime: new Date("2018-11-29T08:15:00.000Z"),
    timeZone: "Europe/Oslo",
  });
}

describe("XAdES known-answer test (the Java client's golden signature)", () => {
  const expected = vector("expected/signatures.xml").toString("utf8");

  it("reproduces expected/signatures.xml byte for byte from the AES-256 keystore", () => {
    assert.equal(signVectorWith("sender-aes256.p12"), expected);
  });

  it("reproduces it from the 3DES keystore too", () => {
    assert.equal(signVectorWith("sender-3des.p12"), expected);
  });
});

describe("SigningTime format", () => {
  it("omits zero milliseconds and writes the zone's offset", () => {
    assert.equal(formatSigningTime(new Date("2018-11-29T08:15:00.000Z"), "Europe/Oslo"), "2018-11-29T09:15:00+01:00");
  });
  it("writes three-digit milliseconds when they are not zero", () => {
    assert.equal(formatSigningTime(new Date("2015-11-25T14:45:42.115Z"), "Europe/Oslo"), "2015-11-25T15:45:42.115+01:00");
    assert.equal(formatSigningTime(new Date("2021-03-04T09:11:12.005Z"), "UTC"), "2021-03-04T09:11:12.005Z");
  });
  it("uses summer time offsets", () => {
    assert.equal(formatSigningTime(new Date("2024-06-01T10:00:00Z"), "Europe/Oslo"), "2024-06-01T12:00:00+02:00");
  });
  it("writes the process's own zone by default, as the named zone would be written", () => {
    const module = path.join(__dirname, "..", "src", "core", "bundle", "signing-time.js");
    for (const zone of ["Europe/Oslo", "America/St_Johns", "Asia/Kathmandu", "UTC"]) {
      for (const instant of ["2024-01-15T23:59:59.000Z", "2024-07-01T00:00:00.250Z"]) {
        const script = `const { formatSigningTime } = require(${JSON.stringify(module)}); process.stdout.write(formatSigningTime(new Date("${instant}")))`;
        const local = execFileSync(process.execPath, ["-e", script], { env: { ...process.env, TZ: zone }, encoding: "utf8" });
        assert.equal(local, formatSigningTime(new Date(instant), zone), `${zone} ${instant}`);
      }
    }
  });
});
