import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { SigneringClient } from "../../src/core";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { clientFor, controlRequest, startTestEmulator } from "../support/emulator";
import { NATIONAL_IDS, portalJob } from "../support/jobs";

/** The web port (signer pages and control API) answers only its own caller (issue 8, item 15). */

let emulator: RunningEmulator;
let client: SigneringClient;
let port: number;

before(async () => {
  emulator = await startTestEmulator();
  client = clientFor(emulator);
  port = Number(new URL(emulator.signerWebUrl).port);
});
after(async () => {
  await client.close();
  await emulator.close();
});

/** A request to the web port with exactly the headers given (Host included), as a browser or an attacker's page sends it. */
function webRequest(method: string, target: string, headers: Record<string, string>, body = ""): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: target,
        headers: { host: `127.0.0.1:${port}`, ...headers, "content-length": String(Buffer.byteLength(body)) },
      },
      (response) => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (text += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

async function waitingPortalJob(): Promise<number> {
  return Number((await client.portal.createJob(portalJob())).jobId);
}

const signerStatus = (jobId: number) => emulator.control.jobSummary(jobId).signers[0]?.status;

describe("the control API answers only its own caller", () => {
  it("refuses a cross-site text/plain POST (a form or no-cors fetch of any web page), and one without a Content-Type", async () => {
    const jobId = await waitingPortalJob();
    const plain = await webRequest(
      "POST",
      `/control/jobs/${jobId}/signers/1/sign`,
      { "content-type": "text/plain", origin: "https://attacker.example" },
      "{}",
    );
    assert.equal(plain.status, 403, plain.text);
    assert.match(plain.text, /"errorCode":"CROSS_ORIGIN_REQUEST"/);
    const sameOriginPlain = await webRequest(
      "POST",
      `/control/jobs/${jobId}/signers/1/sign`,
      { "content-type": "text/plain;charset=UTF-8" },
      "{}",
    );
    assert.equal(sameOriginPlain.status, 415, sameOriginPlain.text);
    assert.match(sameOriginPlain.text, /must have Content-Type application\/json, not text\/plain;charset=UTF-8/);
    const untyped = await webRequest("POST", "/control/reset", {});
    assert.equal(untyped.status, 415, untyped.text);
    assert.equal(signerStatus(jobId), "WAITING", "nothing was signed");
    assert.ok(emulator.control.jobs().length > 0, "nothing was reset");
    assert.equal(
      (await webRequest("POST", `/control/jobs/${jobId}/signers/1/sign`, { "content-type": "application/json; charset=utf-8" }, "{}"))
        .status,
      200,
    );
  });

  it("refuses requests addressed to another host name (DNS rebinding), on the control API and the signer pages alike", async () => {
    for (const target of ["/control/jobs", "/outbox", `/portal/jobs?identifier=${NATIONAL_IDS[0]}`]) {
      const rebound = await webRequest("GET", target, { host: `attacker.example:${port}` });
      assert.equal(rebound.status, 403, `${target}: ${rebound.text}`);
      // The quotes are HTML-escaped on a page, JSON-escaped in the control API's answer.
      assert.match(
        rebound.text,
        new RegExp(`addressed to 127\\.0\\.0\\.1, localhost or \\[::1\\] on port ${port}, not to (&#34;|\\\\")attacker\\.example:${port}`),
      );
    }
    assert.equal(
      (await webRequest("GET", "/control/jobs", { host: `127.0.0.1:${port + 1}` })).status,
      403,
      "another port is another origin",
    );
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`]) {
      assert.equal((await webRequest("GET", "/control/jobs", { host })).status, 200, host);
    }
  });

  it("refuses a cross-site form POST to the signer pages, and takes the pages' own", async () => {
    const jobId = await waitingPortalJob();
    const target = `/portal/jobs/${jobId}/signers/1/sign?identifier=${NATIONAL_IDS[0]}`;
    const form = { "content-type": "application/x-www-form-urlencoded" };
    const forged = await webRequest("POST", target, { ...form, origin: "https://attacker.example" });
    assert.equal(forged.status, 403, forged.text);
    assert.equal(signerStatus(jobId), "WAITING");
    const own = await webRequest("POST", target, { ...form, origin: `http://127.0.0.1:${port}` });
    assert.equal(own.status, 303, own.text);
    assert.equal(signerStatus(jobId), "SIGNED");
  });

  it("refuses clock steps that are not whole milliseconds up to 400 days, and keeps the clock working", async () => {
    for (const advanceMs of [1e300, 400 * 86_400_000 + 1, 1.5, -1, "soon"]) {
      const refused = await controlRequest(emulator, "POST", "/clock", { advanceMs });
      assert.equal(refused.status, 400, JSON.stringify(advanceMs));
      assert.match(JSON.stringify(refused.json), /INVALID_INPUT/);
    }
    assert.match(
      JSON.stringify((await controlRequest(emulator, "POST", "/clock", { advanceMs: 1e300 })).json),
      /advanceMs must be a whole number of milliseconds from 0 to 34560000000 \(400 days\), was 1e\+300/,
    );
    const clock = await controlRequest(emulator, "GET", "/clock");
    assert.equal(clock.status, 200);
    assert.ok(Math.abs(Date.parse((clock.json as { now: string }).now) - Date.now()) < 60_000, "the clock did not move");
    assert.equal((await controlRequest(emulator, "POST", "/clock", { advanceMs: 400 * 86_400_000 })).status, 200, "400 days is allowed");
    assert.equal((await controlRequest(emulator, "POST", "/reset")).status, 200);
  });

  it("refuses a fault with an overlong path text, and more than 100 waiting faults", async () => {
    const long = await controlRequest(emulator, "POST", "/faults", { kind: "latency", pathContains: "x".repeat(501) });
    assert.equal(long.status, 400);
    assert.match(JSON.stringify(long.json), /pathContains must be a string of at most 500 characters/);
    for (let index = 0; index < 100; index++)
      assert.equal((await controlRequest(emulator, "POST", "/faults", { kind: "latency", pathContains: `/never-${index}` })).status, 200);
    const tooMany = await controlRequest(emulator, "POST", "/faults", { kind: "latency", pathContains: "/never" });
    assert.equal(tooMany.status, 400);
    assert.match(JSON.stringify(tooMany.json), /At most 100 faults can wait at once/);
    assert.equal((await controlRequest(emulator, "DELETE", "/faults")).status, 200);
  });

  it("starts at real time from a data directory whose stored clock offset is out of bounds (as an older emulator could store)", async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), "emulator-clock-"));
    try {
      await (await startEmulator({ dataDir, rateLimit: false })).close();
      appendFileSync(path.join(dataDir, "journal.jsonl"), `${JSON.stringify({ clockOffsetMs: 1e300 })}\n`);
      const restarted = await startEmulator({ dataDir, rateLimit: false });
      try {
        const clock = await controlRequest(restarted, "GET", "/clock");
        assert.equal(clock.status, 200, JSON.stringify(clock.json));
        assert.ok(Math.abs(Date.parse((clock.json as { now: string }).now) - Date.now()) < 60_000);
      } finally {
        await restarted.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
