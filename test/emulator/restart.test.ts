import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { text } from "node:stream/consumers";
import { after, describe, it } from "node:test";
import { request } from "undici";
import { InvalidInputError } from "../../src/core";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { clientFor } from "../support/emulator";
import { directJob } from "../support/jobs";

const dataDir = mkdtempSync(path.join(tmpdir(), "emulator-ports-"));
after(() => rmSync(dataDir, { recursive: true, force: true }));

async function openPage(redirectUrl: string): Promise<string> {
  const page = await request(redirectUrl);
  assert.equal(page.statusCode, 200);
  return page.body.text();
}

function signActionOf(page: string, redirectUrl: string): URL {
  const action = /<form method="post" action="([^"]+\/sign)">/.exec(page)?.[1];
  assert.ok(action, "the signer page offers to sign");
  return new URL(action, redirectUrl);
}

describe("addresses across restarts", () => {
  it("keeps the API and signer-page ports of a data directory: a signer link handed out before a restart opens and signs after it", async () => {
    const first = await startEmulator({ dataDir, rateLimit: false });
    const firstClient = clientFor(first);
    const opensAfter = await firstClient.direct.createJob(directJob());
    const openedBefore = await firstClient.direct.createJob(directJob());
    const signAction = signActionOf(await openPage(openedBefore.signers[0]!.redirectUrl), openedBefore.signers[0]!.redirectUrl);
    await firstClient.close();
    await first.close();

    const second = await startEmulator({ dataDir, rateLimit: false });
    const secondClient = clientFor(second);
    try {
      assert.deepEqual([second.apiRoot, second.signerWebUrl], [first.apiRoot, first.signerWebUrl]);
      const page = await openPage(opensAfter.signers[0]!.redirectUrl);
      for (const [job, action] of [
        [opensAfter, signActionOf(page, opensAfter.signers[0]!.redirectUrl)],
        [openedBefore, signAction],
      ] as const) {
        const signed = await request(action, { method: "POST" });
        await signed.body.dump();
        assert.equal(signed.statusCode, 303, "signed, also in a session opened before the restart");
        const exit = new URL(String(signed.headers["location"]));
        assert.equal(`${exit.origin}${exit.pathname}`, "https://example.com/ok");
        const status = await secondClient.direct.getStatus(job.statusUrl!, exit.searchParams.get("status_query_token")!);
        assert.equal(status.status, "COMPLETED_SUCCESSFULLY", "the job URL from before the restart works too");
      }
    } finally {
      await secondClient.close();
      await second.close();
    }
  });

  it("the nodes' built-in emulator has the same addresses after its Node-RED process is killed and started again", async () => {
    const userDir = path.join(dataDir, "node-red-user-dir");
    const builtIn = JSON.stringify(path.join(__dirname, "..", "..", "nodes", "signering-config", "builtin-emulator.js"));
    // Prints the addresses, then dies the hard way, as a killed Node-RED does.
    const script = `require(${builtIn}).builtInEmulator(${JSON.stringify(userDir)}).then((emulator) => { console.log(JSON.stringify(emulator)); process.kill(process.pid, "SIGKILL"); });`;
    const addresses = async () => {
      const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
      const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
      await once(child, "exit");
      const { apiRoot, signerWebUrl } = JSON.parse(line) as RunningEmulator;
      return { apiRoot, signerWebUrl };
    };
    const beforeTheKill = await addresses();
    assert.deepEqual(await addresses(), beforeTheKill);
  });

  it("the CLI takes --port and --web-port, and without them starts again on the ports of its data directory", async () => {
    const cliDataDir = path.join(dataDir, "cli");
    const main = path.join(__dirname, "..", "..", "src", "cli", "main.js");
    const run = async (...options: string[]) => {
      const child = spawn(process.execPath, [main, "emulator", "--data-dir", cliDataDir, ...options], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const [line] = (await once(createInterface({ input: child.stdout }), "line")) as [string];
      child.kill("SIGTERM");
      await once(child, "exit");
      const { apiRoot, signerWebUrl } = JSON.parse(line) as RunningEmulator;
      return { apiRoot, signerWebUrl };
    };
    const first = await run("--port", "0", "--web-port", "0");
    assert.deepEqual(await run(), first);
    const refused = spawn(process.execPath, [main, "emulator", "--data-dir", cliDataDir, "--web-port", "80a"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    const stderr = text(refused.stderr);
    const [code] = (await once(refused, "exit")) as [number];
    assert.equal(code, 2);
    assert.match(await stderr, /--web-port: must be a port number 0-65535, was "80a"/);
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
        (error: unknown) =>
          error instanceof InvalidInputError &&
          error.field === "webPort" &&
          error.message.includes(`port ${port}`) &&
          error.message.includes(dataDir),
      );
      await assert.rejects(startEmulator({ dataDir, webPort: 65536 }), /webPort: must be a port number 0-65535, was 65536/);
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
