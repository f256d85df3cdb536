import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { buffer } from "node:stream/consumers";
import { after, describe, it } from "node:test";
import { startEmulator } from "../../src/emulator";
import { clientFor } from "../support/emulator";
import { directJob } from "../support/jobs";

/**
 * The data directory holds the test keys, documents and national identity numbers (journal,
 * manifests): what the emulator makes there is readable by its user only (issue 14, point 9).
 */

const parent = mkdtempSync(path.join(tmpdir(), "emulator-modes-"));
after(() => rmSync(parent, { recursive: true, force: true }));

const modeOf = (file: string) => statSync(file).mode & 0o777;

/** Every folder and file under the directory (by relative name) with its permission bits. */
function modesUnder(directory: string): Map<string, number> {
  const modes = new Map<string, number>();
  for (const entry of readdirSync(directory, { recursive: true }) as string[]) modes.set(entry, modeOf(path.join(directory, entry)));
  return modes;
}

async function runJobToPades(dataDir: string): Promise<void> {
  const emulator = await startEmulator({ dataDir, rateLimit: false });
  const client = clientFor(emulator);
  try {
    const created = await client.direct.createJob(directJob());
    emulator.control.sign(Number(created.jobId), 1);
    await buffer(await client.archive.getPades(created.jobId));
  } finally {
    await client.close();
    await emulator.close();
  }
}

describe("the emulator's data directory", () => {
  it("is made 0700, with every folder 0700 and every file 0600: keys, journal, ports, documents, signed PDFs", async () => {
    const dataDir = path.join(parent, "new", "data");
    await runJobToPades(dataDir);
    assert.equal(modeOf(dataDir), 0o700);
    const modes = modesUnder(dataDir);
    for (const expected of [
      "journal.jsonl",
      "ports.json",
      "client.p12",
      "ca-key.pem",
      "server.pem",
      "documents/1/0.pdf",
      "documents/1/signed.pdf",
    ])
      assert.ok(modes.has(expected), `${expected} is in ${[...modes.keys()].join(", ")}`);
    for (const [entry, mode] of modes) {
      const folder = statSync(path.join(dataDir, entry)).isDirectory();
      assert.equal(mode.toString(8), (folder ? 0o700 : 0o600).toString(8), `${entry} has mode ${mode.toString(8)}`);
    }
  });

  it("closes the documents folder and rewrites the journal 0600 in a data directory an older emulator left open", async () => {
    const dataDir = path.join(parent, "older");
    await runJobToPades(dataDir);
    chmodSync(path.join(dataDir, "documents"), 0o755);
    chmodSync(path.join(dataDir, "journal.jsonl"), 0o644);
    chmodSync(path.join(dataDir, "ports.json"), 0o644);
    await runJobToPades(dataDir);
    assert.equal(modeOf(path.join(dataDir, "documents")), 0o700);
    assert.equal(modeOf(path.join(dataDir, "journal.jsonl")), 0o600);
    assert.equal(modeOf(path.join(dataDir, "ports.json")), 0o600);
  });
});
