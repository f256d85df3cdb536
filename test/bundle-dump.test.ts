import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { clientFor, emulatorForFile } from "./support/emulator";
import { directJob, NATIONAL_IDS } from "./support/jobs";

/** Issue 14.9: dumped bundles hold documents and national identity numbers, so only their owner may read them. */

const running = emulatorForFile();
const root = mkdtempSync(path.join(os.tmpdir(), "bundle-dump-"));
after(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe("the bundle dump", () => {
  it("writes files 0600 in folders it makes 0700, and masks a national identity number in the file name", async () => {
    const dumps = path.join(root, "support", "bundles");
    const client = clientFor(running.emulator, { dumpBundles: dumps });
    try {
      await client.direct.createJob(directJob({ reference: `ansatt-${NATIONAL_IDS[0]}` }));
    } finally {
      await client.close();
    }
    assert.equal(modeOf(path.join(root, "support")).toString(8), "700", "every folder it made");
    assert.equal(modeOf(dumps).toString(8), "700");
    const [file, ...others] = readdirSync(dumps);
    assert.deepEqual(others, []);
    assert.match(file ?? "", /^\d{8}T\d{6}Z-ansatt-010190_{5}\.asice$/);
    assert.equal(modeOf(path.join(dumps, file as string)).toString(8), "600");
  });
});
