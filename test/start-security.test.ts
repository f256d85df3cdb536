import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { freePort } from "../src/cli/node-red-host";
import { artifactPath, launchBrowser } from "./support/browser";
import { kill9, type NpmStart, npmStart } from "./support/npm-start";

/**
 * The Node-RED of `npm start` has no adminAuth, so it must answer only its own user: a page on
 * another origin (directly, or through DNS rebinding) must neither read nor deploy flows, and the
 * credentials it keeps must be encrypted in a private folder.
 */

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw request, so the Host and Origin headers are exactly what an attacker's browser would send. */
function request(port: number, method: string, urlPath: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({ host: "127.0.0.1", port, method, path: urlPath, headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    outgoing.once("error", reject);
    outgoing.end(body);
  });
}

/** The status line a WebSocket upgrade to the editor's comms gets. */
function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request({
      host: "127.0.0.1",
      port,
      path: "/comms",
      headers: {
        connection: "Upgrade",
        upgrade: "websocket",
        "sec-websocket-version": "13",
        "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
        ...headers,
      },
    });
    outgoing.once("upgrade", (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    outgoing.once("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.once("error", reject);
    outgoing.end();
  });
}

const PASSWORD = "correct-horse-battery-staple-4711";

describe("the Node-RED of npm start", () => {
  const workDir = mkdtempSync(path.join(tmpdir(), "start-security-"));
  const userDir = path.join(workDir, "node-red");
  let port: number;
  let started: NpmStart;
  let browser: Browser;

  before(async () => {
    // A user directory left by an earlier version: world-readable, credentials in plain text.
    mkdirSync(userDir, { mode: 0o755 });
    writeFileSync(
      path.join(userDir, "flows_cred.json"),
      JSON.stringify({ a1c0nf1g00000001: { password: PASSWORD, proxy: "http://user:proxy-secret@proxy.example:3128" } }),
      { mode: 0o644 },
    );
    port = await freePort();
    started = await npmStart(workDir, port, userDir);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    if (started) await kill9(started.child);
    rmSync(workDir, { recursive: true, force: true });
  });

  it("refuses requests addressed to another host (DNS rebinding), on the admin API and on the flows' pages", async () => {
    for (const urlPath of ["/flows", "/", "/signering"]) {
      const refused = await request(port, "GET", urlPath, { host: `attacker.example:${port}` });
      assert.equal(refused.status, 403, `${urlPath}: ${refused.body}`);
      assert.match(refused.body, /answers only requests addressed to 127\.0\.0\.1, localhost or \[::1\]/);
    }
    assert.equal((await request(port, "GET", "/flows", { host: "127.0.0.1:1" })).status, 403, "a loopback name on another port");
    const own = await request(port, "GET", "/flows", { host: `localhost:${port}` });
    assert.equal(own.status, 200);
    assert.ok(Array.isArray(JSON.parse(own.body)));
  });

  it("refuses a cross-origin deploy and its preflight, and grants no origin CORS", async () => {
    const before = await request(port, "GET", "/flows", { host: `127.0.0.1:${port}` });
    assert.equal(before.headers["access-control-allow-origin"], undefined, "no Access-Control-Allow-Origin on the admin API");
    const evilFlow = JSON.stringify([{ id: "evil", type: "tab", label: "pwned" }]);
    for (const origin of ["http://evil.example", "null", `http://127.0.0.1:${port + 1}`]) {
      const deploy = await request(
        port,
        "POST",
        "/flows",
        { host: `127.0.0.1:${port}`, origin, "content-type": "application/json", "node-red-deployment-type": "full" },
        evilFlow,
      );
      assert.equal(deploy.status, 403, `${origin}: ${deploy.body}`);
      assert.match(deploy.body, /another origin/);
    }
    const preflight = await request(port, "OPTIONS", "/flows", {
      host: `127.0.0.1:${port}`,
      origin: "http://evil.example",
      "access-control-request-method": "POST",
    });
    assert.equal(preflight.status, 403);
    assert.equal(preflight.headers["access-control-allow-origin"], undefined);
    const readFromAnotherOrigin = await request(port, "GET", "/flows", { host: `127.0.0.1:${port}`, origin: "http://evil.example" });
    assert.equal(readFromAnotherOrigin.headers["access-control-allow-origin"], undefined, "the browser must not let the page read it");
    const after = await request(port, "GET", "/flows", { host: `127.0.0.1:${port}` });
    assert.equal(after.body, before.body, "the flows are unchanged");
    assert.equal(await upgradeStatus(port, { host: `127.0.0.1:${port}`, origin: "http://evil.example" }), 403, "comms from another origin");
    assert.equal(await upgradeStatus(port, { host: `evil.example:${port}` }), 403, "comms addressed to another host");
    assert.equal(
      await upgradeStatus(port, { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` }),
      101,
      "the editor's own comms",
    );
  });

  it("keeps the user directory private and the credentials encrypted with a generated secret, migrating plain-text ones", async () => {
    assert.equal(statSync(userDir).mode & 0o777, 0o700);
    const secretFile = path.join(userDir, ".credential-secret");
    assert.equal(statSync(secretFile).mode & 0o777, 0o600);
    assert.match(readFileSync(secretFile, "utf8"), /^[0-9a-f]{64}\n$/);
    const migrated = readFileSync(path.join(userDir, "flows_cred.json"), "utf8");
    assert.deepEqual(Object.keys(JSON.parse(migrated) as object), ["$"]);
    assert.doesNotMatch(migrated, /correct-horse|proxy-secret/);
    const known = await request(port, "GET", "/credentials/signering-config/a1c0nf1g00000001", { host: `127.0.0.1:${port}` });
    assert.deepEqual(JSON.parse(known.body), { has_keystore: false, has_password: true, has_proxy: true }, "Node-RED still reads them");

    // A deploy that sets credentials, as the editor's config dialog does.
    const flows = JSON.parse((await request(port, "GET", "/flows", { host: `127.0.0.1:${port}` })).body) as Record<string, unknown>[];
    const deployed = flows.map((node) =>
      node.id === "a1c0nf1g00000001"
        ? { ...node, credentials: { password: PASSWORD + "-new", proxy: "http://u:new-proxy-secret@p:1" } }
        : node,
    );
    const deploy = await request(
      port,
      "POST",
      "/flows",
      {
        host: `127.0.0.1:${port}`,
        origin: `http://127.0.0.1:${port}`,
        "content-type": "application/json",
        "node-red-deployment-type": "full",
      },
      JSON.stringify(deployed),
    );
    assert.equal(deploy.status, 204, deploy.body);
    const saved = readFileSync(path.join(userDir, "flows_cred.json"), "utf8");
    assert.deepEqual(Object.keys(JSON.parse(saved) as object), ["$"]);
    assert.doesNotMatch(saved, /correct-horse|proxy-secret/);
    assert.equal(statSync(userDir).mode & 0o777, 0o700);
  });

  it("still serves its own editor in Chromium (the page, its API calls and its comms)", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const refused: string[] = [];
    page.on("response", (response) => {
      if (response.status() === 403) refused.push(response.url());
    });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.locator('.red-ui-palette-node[data-palette-type="signering-create"]').waitFor({ timeout: 30_000 });
    await page.locator("g.red-ui-flow-node-group").first().waitFor();
    // Comms is up once the editor has its deploy state from the runtime; a refused socket shows "Lost connection".
    await page.waitForTimeout(1000);
    assert.equal(await page.locator(".red-ui-notification", { hasText: /connection/i }).count(), 0);
    await page.screenshot({ path: artifactPath("start-security-editor.png") });
    assert.deepEqual(refused, []);
    await page.close();
  });
});
