import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type LogLevel } from "../src/core";
import { maskSecrets } from "../src/core/http/redact";
import { clientFor, emulatorForFile } from "./support/emulator";
import { directJob, NATIONAL_IDS, portalJob } from "./support/jobs";

/**
 * Issue 14.10: no log line of the client carries a national identity number. A whole job runs
 * with debug logging on, the signer's number in its title, reference and description, and every
 * line written is scanned for the number's eleven digits.
 */

const ID = NATIONAL_IDS[0];
const running = emulatorForFile();

async function drain(stream: NodeJS.ReadableStream): Promise<number> {
  let size = 0;
  for await (const chunk of stream) size += (chunk as Buffer).length;
  return size;
}

describe("log lines are masked like errors", () => {
  it("a whole direct and portal job with the signer's number in title, reference and description logs no eleven digits of it", async () => {
    const lines: { level: LogLevel; message: string }[] = [];
    const client = clientFor(running.emulator, { debug: true, logger: (level, message) => lines.push({ level, message }) });
    try {
      const job = await client.direct.createJob(
        directJob({
          title: `Arbeidsavtale for ${ID}`,
          reference: `ansatt-${ID}`,
          description: `Signeres av ${ID}`,
          signers: [{ personalIdentificationNumber: ID }],
        }),
      );
      const exit = new URL(running.emulator.control.sign(Number(job.jobId), 1).redirectUrl as string);
      const token = exit.searchParams.get("status_query_token") as string;
      await assert.rejects(client.direct.getStatus(job.statusUrl as string, `${token}x`)); // an error body, logged at debug
      const status = await client.direct.getStatus(job.statusUrl as string, token);
      assert.equal(status.status, "COMPLETED_SUCCESSFULLY");
      assert.ok((await drain(await client.downloadPades(status.padesUrl as string))) > 0);
      await client.confirm(status.confirmationUrl as string);
      await client.portal.createJob(
        portalJob({ title: `Styrevedtak ${ID}`, reference: `${ID}`, nonsensitiveTitle: "Styrevedtak", description: `for ${ID}` }),
      );
    } finally {
      await client.close();
    }

    assert.ok(
      lines.some((line) => /creating direct job "ansatt-010190\*{5}"/.test(line.message)),
      "the create line, masked",
    );
    assert.ok(lines.some((line) => /creating portal job "010190\*{5}"/.test(line.message)));
    assert.ok(
      lines.some((line) => /error body/.test(line.message)),
      "an error body was logged",
    );
    assert.ok(lines.length >= 8, `a line per request: ${lines.length}`);
    for (const line of lines) assert.doesNotMatch(line.message, new RegExp(ID), `${line.level}: ${line.message}`);
  });

  it("masks a number of eleven digits or more anywhere, keeping the first six", () => {
    assert.equal(maskSecrets(`ref${ID}x`), "ref010190*****x");
    assert.equal(maskSecrets(`9${ID}`), "901019******", "a number inside a longer run");
    assert.equal(maskSecrets("order 1234567890 at 12:00"), "order 1234567890 at 12:00", "ten digits stay");
    assert.equal(maskSecrets("https://user:pw@proxy.example"), "https://***@proxy.example");
  });
});
