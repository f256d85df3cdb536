import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { NATIONAL_IDS } from "../support/jobs";
import { testDocumentsDir } from "../support/reference";
import { helper, nodeModules } from "./helper";

/**
 * Issue 14.8 through the public surface: a web site's flow (an upload form starts a direct job, the
 * exit URL looks up the returning signer's status) in a Node-RED runtime against the built-in
 * emulator, which blocks an organization for 30 s past 10 calls a second. One visitor, holding the
 * ticket cookie of a job of their own, sends 300 status look-ups with made-up tokens to the exit
 * URL; meanwhile another visitor starts a job. The look-ups are all about one job, so at most 10 of
 * them wait for the pacer and the rest are refused at once, and the other visitor's job waits
 * behind at most one of them. Before the pacer was bounded and fair, the job waited behind all 300
 * (over 20 s).
 */

const FLOOD = 300;
/**
 * The innocent start's worst time allowed. Its own work and a slot or two of the pacer take about a
 * second on a quiet machine (see `npm run bench`); the rest is room for a machine shared by many
 * processes. Behind the whole flood it would take over 35 s (300 calls at 8 a second).
 */
const INNOCENT_BOUND_MS = 12_000;

const nodeRed = path.dirname(require.resolve(process.env.NODE_RED_PATH ?? "node-red"));
const coreNode = (file: string) => require(require.resolve(`@node-red/nodes/core/${file}`, { paths: [nodeRed] })) as (RED: unknown) => void;
const httpNodes = coreNode("network/21-httpin.js");
const changeNode = coreNode("function/15-change.js");

/** Node-RED's http-in routes live on `RED.httpNode`; the test serves it on a port of its own. */
let httpNodeApp: http.RequestListener | undefined;
const captureHttpNode = (RED: unknown) => {
  httpNodeApp = (RED as { httpNode: http.RequestListener }).httpNode;
};

/** A change node that sets msg properties: [property, value, value type]. */
function change(id: string, next: string, sets: [string, string, string][]) {
  return { id, type: "change", z: TAB, rules: sets.map(([p, to, tot]) => ({ t: "set", p, pt: "msg", to, tot })), wires: [[next]] };
}

const pdf = readFileSync(path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf"));
const TAB = "site";
const flow = [
  { id: TAB, type: "tab", label: "web site" },
  { id: "config", type: "signering-config", environment: "emulator", callsPerSecond: "8" },
  { id: "start", type: "http in", z: TAB, url: "/signering/start", method: "post", upload: true, wires: [["form"]] },
  change("form", "create", [
    ["signers", '[{"personalIdentificationNumber": req.body.pin}]', "jsonata"],
    ["payload", "req.files[0].buffer", "msg"],
  ]),
  {
    id: "create",
    type: "signering-create",
    z: TAB,
    config: "config",
    flow: "direct",
    title: "Contract",
    signers: "signers",
    signersType: "msg",
    completionUrl: "/signering/signed",
    rejectionUrl: "/signering/rejected",
    errorUrl: "/signering/failed",
    wires: [["redirect"]],
  },
  change("redirect", "respond", [
    ["statusCode", "303", "num"],
    ["headers", '{"location": payload.signers[0].redirectUrl}', "jsonata"],
    ["payload", "", "str"],
  ]),
  ...["signed", "rejected", "failed"].map((name) => ({
    id: `return-${name}`,
    type: "http in",
    z: TAB,
    url: `/signering/${name}`,
    method: "get",
    upload: false,
    wires: [["status"]],
  })),
  { id: "status", type: "signering-status", z: TAB, config: "config", mode: "token", wires: [["respond"], ["respond"], ["respond"]] },
  { id: "catcher", type: "catch", z: TAB, scope: null, uncaught: false, wires: [["refused"]] },
  change("refused", "respond", [
    ["statusCode", "400", "num"],
    ["payload", "error.message", "msg"],
  ]),
  { id: "respond", type: "http response", z: TAB },
];

let site: http.Server;
let siteUrl: string;

before(async () => {
  await helper.startServer();
  await helper.load([...nodeModules, httpNodes, changeNode, captureHttpNode], flow);
  assert.ok(httpNodeApp, "the runtime's http-in app");
  site = http.createServer(httpNodeApp);
  await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
});
after(async () => {
  await helper.unload();
  await helper.stopServer();
  site.closeAllConnections();
  await new Promise((resolve) => site.close(resolve));
});

/** The upload form's POST, as a browser sends it; answers the 303 to the signer page and the ticket cookies. */
async function startJob(): Promise<{ status: number; signerPage: string; cookies: string[] }> {
  const form = new FormData();
  form.set("pin", NATIONAL_IDS[0]);
  form.set("document", new Blob([pdf], { type: "application/pdf" }), "contract.pdf");
  const response = await fetch(`${siteUrl}/signering/start`, { method: "POST", body: form, redirect: "manual" });
  await response.arrayBuffer();
  return {
    status: response.status,
    signerPage: response.headers.get("location") ?? "",
    cookies: response.headers.getSetCookie().map((cookie) => cookie.split(";")[0] as string),
  };
}

/** The signer rejects on the emulator's signer page; the browser is sent back to the exit URL. */
async function rejectOnSignerPage(signerPage: string): Promise<URL> {
  const page = await (await fetch(signerPage)).text();
  const action = /action="(\/sessions\/[\w-]+\/reject)"/.exec(page)?.[1];
  assert.ok(action, `a reject form on the signer page: ${page.slice(0, 300)}`);
  const origin = new URL(signerPage).origin;
  const response = await fetch(`${origin}${action}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin },
    body: "",
    redirect: "manual",
  });
  await response.arrayBuffer();
  assert.equal(response.status, 303);
  return new URL(response.headers.get("location") ?? "");
}

describe("one visitor's flood at the exit URL does not hold up another visitor (issue 14.8)", () => {
  it(`300 status look-ups with made-up tokens delay another visitor's new job by at most a slot or two`, async (t) => {
    const attacker = await startJob(); // also starts the built-in emulator
    assert.equal(attacker.status, 303, "the attacker's own job starts");
    const quietStarted = performance.now();
    assert.equal((await startJob()).status, 303);
    const quietMs = performance.now() - quietStarted;
    const exit = await rejectOnSignerPage(attacker.signerPage);
    const reference = exit.searchParams.get("signering_job");
    assert.ok(reference, `the exit URL names the job: ${exit.href}`);

    const cookie = attacker.cookies.join("; ");
    const flood = Array.from({ length: FLOOD }, async (_, index) => {
      const lookup = new URL(exit.pathname, siteUrl);
      lookup.searchParams.set("status_query_token", `made-up-${index}`);
      lookup.searchParams.set("signering_job", reference);
      const started = performance.now();
      const response = await fetch(lookup, { headers: { cookie }, signal: AbortSignal.timeout(60_000) });
      const body = await response.text();
      return { status: response.status, body, ms: performance.now() - started };
    });

    // The innocent visitor starts jobs while the flood is being answered.
    const innocent: number[] = [];
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let round = 0; round < 3; round++) {
      const started = performance.now();
      const job = await startJob();
      innocent.push(performance.now() - started);
      assert.equal(job.status, 303, "the innocent visitor is sent to the signer page");
    }
    const answers = await Promise.all(flood);

    // A look-up either reached the service (which does not know the token) or was refused before
    // it: by the pacer (its queue for the job is full), or by any earlier check of the nodes.
    const looked = answers.filter((answer) => /INVALID_STATUS_QUERY_TOKEN/.test(answer.body));
    const refusedAtOnce = answers.filter((answer) => !looked.includes(answer));
    for (const answer of answers) {
      assert.equal(answer.status, 400, "every look-up is answered with an error");
      assert.doesNotMatch(answer.body, /RATE_LIMITED|TOO_MANY_REQUESTS|blocks it until|turn did not come/i, "no 429, no block");
    }
    assert.ok(refusedAtOnce.length >= FLOOD / 2, `most look-ups are refused without waiting (${refusedAtOnce.length})`);

    const worst = Math.max(...innocent);
    t.diagnostic(
      `quiet start ${quietMs.toFixed(0)} ms; under the flood ${innocent.map((ms) => ms.toFixed(0)).join(", ")} ms (worst ${worst.toFixed(0)} ms); ` +
        `${looked.length} look-ups reached the service, ${refusedAtOnce.length} refused at once (slowest refusal ${Math.max(...refusedAtOnce.map((answer) => answer.ms)).toFixed(0)} ms)`,
    );
    assert.ok(worst < INNOCENT_BOUND_MS, `the innocent visitor's start took ${worst.toFixed(0)} ms under the flood`);
  });
});
