import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { inflateZipEntry, readZipDirectory, ZipFormatError } from "../../src/emulator/zip-reader";
import { deflatedZip } from "../support/deflated-zip";

const zeros = Buffer.alloc(1024 * 1024);
const text = Buffer.from("manifest");

/** Offsets of the central directory headers, in order. */
function directoryHeaders(zip: Buffer): number[] {
  const offsets: number[] = [];
  for (
    let position = zip.readUInt32LE(zip.length - 6);
    zip.readUInt32LE(position) === 0x02014b50;
    position += 46 + zip.readUInt16LE(position + 28)
  )
    offsets.push(position);
  return offsets;
}

/** Renames the second entry, in the directory and in its local header. */
function renameSecond(zip: Buffer, name: string): void {
  const header = directoryHeaders(zip)[1]!;
  zip.write(name, header + 46);
  zip.write(name, zip.readUInt32LE(header + 42) + 30);
}

describe("the emulator's ZIP reader", () => {
  it("reads the directory and inflates each entry to its content", async () => {
    const zip = deflatedZip([
      { name: "a.pdf", content: zeros },
      { name: "manifest.xml", content: text },
    ]);
    const entries = readZipDirectory(zip, 10);
    assert.deepEqual(
      entries.map((entry) => [entry.name, entry.size]),
      [
        ["a.pdf", zeros.length],
        ["manifest.xml", text.length],
      ],
    );
    assert.deepEqual(await inflateZipEntry(zip, entries[1]!), text);
    assert.equal((await inflateZipEntry(zip, entries[0]!)).length, zeros.length);
  });

  it("stops inflating at the size the directory states, when the data inflates to more", async () => {
    const zip = deflatedZip([{ name: "bomb.pdf", content: zeros }]);
    zip.writeUInt32LE(100, directoryHeaders(zip)[0]! + 24);
    await assert.rejects(
      inflateZipEntry(zip, readZipDirectory(zip, 10)[0]!),
      (error: unknown) =>
        error instanceof ZipFormatError && /"bomb\.pdf" inflates to more than the 100 bytes its directory entry states/.test(error.message),
    );
  });

  it("refuses a damaged entry", async () => {
    const zip = deflatedZip([{ name: "a.pdf", content: text }]);
    zip.writeUInt32LE(12345, directoryHeaders(zip)[0]! + 16);
    await assert.rejects(inflateZipEntry(zip, readZipDirectory(zip, 10)[0]!), /"a\.pdf" is damaged/);
  });

  const refusals: [string, (zip: Buffer) => void, RegExp][] = [
    ["more entries than allowed", () => undefined, /the archive has 3 entries; at most 2/],
    ["a name given twice", (zip) => renameSecond(zip, "a"), /"a" is in the archive twice/],
    ["a local header naming another file", (zip) => zip.write("z", 30), /the local header of "a" names another file/],
    [
      "an entry whose data runs over the next one's header",
      (zip) => zip.writeUInt32LE(1000, directoryHeaders(zip)[0]! + 20),
      /"a" overlaps another entry/,
    ],
    ["an encrypted entry", (zip) => zip.writeUInt16LE(0x801, directoryHeaders(zip)[0]! + 8), /"a" is encrypted/],
    ["another compression method", (zip) => zip.writeUInt16LE(12, directoryHeaders(zip)[0]! + 10), /method 12; only stored and deflate/],
    ["ZIP64 sizes", (zip) => zip.writeUInt32LE(0xffffffff, directoryHeaders(zip)[0]! + 24), /ZIP64 sizes/],
    [
      "a directory with more headers than it counts",
      (zip) => (zip.writeUInt16LE(2, zip.length - 12), zip.writeUInt16LE(2, zip.length - 14)),
      /holds more than its 2 entries/,
    ],
    ["no end of central directory", (zip) => zip.writeUInt32LE(0, zip.length - 22), /no end of central directory/],
  ];
  for (const [label, spoil, message] of refusals) {
    it(`refuses ${label}`, () => {
      const zip = deflatedZip(["a", "b", "c"].map((name) => ({ name, content: text })));
      spoil(zip);
      assert.throws(
        () => readZipDirectory(zip, label === "more entries than allowed" ? 2 : 10),
        (error: unknown) => error instanceof ZipFormatError && message.test(error.message),
      );
    });
  }
});
