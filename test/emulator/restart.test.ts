import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { request } from "undici";
import { InvalidInputError } from "../../src/core";
import { startEmulator } from "../../src/emulator";
import { clientFor } from "../support/emulator";
import { directJob } from "../support/jobs";

const dataDir = mkdtempSync(path.join(tmpdir(), "emulator-ports-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

describe("addresses across restarts", () => {
  it("keeps the API and signer-page ports of a data directory: a signer link handed out before a restart opens and signs after it", async () => {
    const first = await startEmulator({ dataDir, rateLimit: false });
    const firstClient = clientFor(first);
    const created = await firstClient.direct.createJob(directJob());
    await firstClient.close();
    await first.close();

    const second = await startEmulator({ dataDir, rateLimit: false });
    const secondClient = clientFor(second);
    try {
      assert.deepEqual([second.apiRoot, second.signerWebUrl], [first.apiRoot, first.signerWebUrl]);
      const page = await request(created.signers[0]!.redirectUrl);
      assert.equal(page.statusCode, 200);
      const action = /<form method="post" action="([^"]+\/sign)">/.exec(await page.body.text())?.[1];
      assert.ok(action, "the signer page offers to sign");
      const signed = await request(new URL(action, created.signers[0]!.redirectUrl), { method: "POST" });
      await signed.body.dump();
      assert.equal(signed.statusCode, 303);
      const exit = new URL(String(signed.headers["location"]));
      assert.equal(`${exit.origin}${exit.pathname}`, "https://example.com/ok");
      const status = await secondClient.direct.getStatus(created.statusUrl!, exit.searchParams.get("status_query_token")!);
      assert.equal(status.status, "COMPLETED_SUCCESSFULLY", "the job URL from before the restart works too");
    } finally {
      await secondClient.close();
      await second.close();
    }
  });

  it("refuses to start when a remembered port is taken, naming the port and the data directory; given ports move and are remembered", async () => {
    const first = await startEmulator({ dataDir, rateLimit: false });
    const { port } = new URL(first.signerWebUrl);
    await first.close();
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(Number(port), "127.0.0.1", resolve));
    try {
      await assert.rejects(
        startEmulator({ dataDir, rateLimit: false }),
        (error: unknown) => error instanceof InvalidInputError && error.field === "webPort" && error.message.includes(`port ${port}`) && error.message.includes(dataDir),
      );
      const moved = await startEmulator({ dataDir, rateLimit: false, webPort: 0 });
      await moved.close();
      assert.notEqual(new URL(moved.signerWebUrl).port, port);
      const again = await startEmulator({ dataDir, rateLimit: false });
      await again.close();
      assert.deepEqual([again.apiRoot, again.signerWebUrl], [moved.apiRoot, moved.signerWebUrl], "the new port is the one remembered");
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
