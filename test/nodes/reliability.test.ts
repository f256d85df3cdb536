import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { builtInEmulator } from "../../nodes/signering-config/builtin-emulator";
import { changeKeyOf, EmittedChanges } from "../../nodes/shared/change-key";
import type { SigneringConfigNode } from "../../nodes/signering-config/config-types";
import { correlationKeyFrom, ExitCorrelation, RETURN_PARAMETER } from "../../nodes/shared/exit-correlation";
import { resolveExitUrl } from "../../nodes/signering-create/exit-urls";
import type { DirectJobStatus, PortalJobStatus } from "../../src/core";
import type { RunningEmulator } from "../../src/emulator";
import { NATIONAL_IDS } from "../support/jobs";
import { testDocumentsDir } from "../support/reference";
import { browserCookies, helper, type Msg, nextMessage, nodeModules } from "./helper";

/** The failure's name, so a test sees which check refused. */
const reason = (failure: string) => failure;
const API_ROOT = "https://api.signering.posten.no/api";
const STATUS_URL = `${API_ROOT}/123456785/direct/signature-jobs/42/status`;
const EXIT_URL = "https://shop.example/signed";

function ticketOf(correlation: ExitCorrelation, reference: string, statusUrl = STATUS_URL): Record<string, string> {
  const { name, cookie } = correlation.cookieFor(reference, statusUrl, EXIT_URL);
  return { [name]: cookie.value };
}

describe("stateless exit-URL correlation", () => {
  const correlation = new ExitCorrelation(correlationKeyFrom("the enterprise certificate's key"), API_ROOT, reason);

  it("gives the status URL back to any instance with the same key, with nothing remembered", () => {
    const reference = correlation.newReference();
    const cookies = ticketOf(correlation, reference);
    const elsewhere = new ExitCorrelation(correlationKeyFrom("the enterprise certificate's key"), `${API_ROOT}/`, reason);
    assert.equal(elsewhere.statusUrlOf(reference, cookies), STATUS_URL);
  });

  it("hands the browser an HttpOnly, SameSite=Lax cookie named after the reference, Secure for https exit URLs", () => {
    const reference = correlation.newReference();
    const { name, cookie } = correlation.cookieFor(reference, STATUS_URL, EXIT_URL);
    assert.equal(name, `signering_${reference}`);
    assert.deepEqual(
      { ...cookie, value: undefined },
      { value: undefined, httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 30 * 24 * 3600 * 1000 },
    );
    assert.equal(correlation.cookieFor(reference, STATUS_URL, "http://127.0.0.1:1880/signed").cookie.secure, false);
    assert.doesNotMatch(cookie.value, /status/, "the cookie holds ids, not a URL");
  });

  it("refuses an altered job id, organization or MAC, and a ticket moved to another reference", () => {
    const reference = correlation.newReference();
    const [[name, value]] = Object.entries(ticketOf(correlation, reference)) as [[string, string]];
    const [organization, jobId, mac] = value.split(".") as [string, string, string];
    for (const forged of [
      `${organization}.43.${mac}`,
      `987654325.${jobId}.${mac}`,
      `${organization}.${jobId}.${mac.slice(0, -1)}${mac.endsWith("A") ? "B" : "A"}`,
      `${organization}.${jobId}.${mac}x`,
    ]) {
      assert.throws(
        () => correlation.statusUrlOf(reference, { [name]: forged }),
        (error: Error & { field?: string }) => error.field === `msg.req.cookies.${name}` && /ticketInvalid/.test(error.message),
        forged,
      );
    }
    const other = correlation.newReference();
    assert.throws(() => correlation.statusUrlOf(other, { [`signering_${other}`]: value }), /ticketInvalid/);
  });

  it("refuses a ticket made with another key or for another environment", () => {
    const reference = correlation.newReference();
    const cookies = ticketOf(correlation, reference);
    assert.throws(
      () => new ExitCorrelation(correlationKeyFrom("another certificate"), API_ROOT, reason).statusUrlOf(reference, cookies),
      /ticketInvalid/,
    );
    assert.throws(
      () =>
        new ExitCorrelation(
          correlationKeyFrom("the enterprise certificate's key"),
          "https://api.difitest.signering.posten.no/api",
          reason,
        ).statusUrlOf(reference, cookies),
      /ticketInvalid/,
    );
  });

  it("builds the status URL only under the API root: a status URL elsewhere is refused at create", () => {
    const reference = correlation.newReference();
    for (const statusUrl of [
      "https://evil.example/api/123456785/direct/signature-jobs/42/status",
      `${API_ROOT}/123456785/direct/signature-jobs/42/status/../../../x`,
      `${API_ROOT}/123456785/portal/signature-jobs/42`,
      undefined,
    ]) {
      assert.throws(
        () => correlation.cookieFor(reference, statusUrl, EXIT_URL),
        (error: Error & { field?: string }) => error.field === "statusUrl" && /statusUrlUnexpected/.test(error.message),
        String(statusUrl),
      );
    }
  });

  it("says clearly what is missing: no reference, an old UUID reference, a malformed one, no cookie", () => {
    const field = `msg.req.query.${RETURN_PARAMETER}`;
    assert.throws(
      () => correlation.statusUrlOf(undefined, {}),
      (error: Error & { field?: string }) => error.field === field && /referenceMissing/.test(error.message),
    );
    assert.throws(() => correlation.statusUrlOf("0b6f3b1e-8d0c-4c9e-9d1f-2f3a4b5c6d7e", {}), /referenceLegacy/);
    assert.throws(() => correlation.statusUrlOf("../../etc/passwd", {}), /referenceMalformed/);
    const reference = correlation.newReference();
    assert.throws(() => correlation.statusUrlOf(reference, undefined), /ticketMissing/);
  });
});

const directChange: DirectJobStatus = {
  flow: "direct",
  jobId: "7",
  status: "COMPLETED_SUCCESSFULLY",
  signers: [{ signer: "01019010046", status: "SIGNED", since: "2026-12-01T10:00:00Z" }],
  confirmationUrl: `${API_ROOT}/123456785/direct/signature-jobs/7/complete`,
  xadesUrls: [],
  nextPermittedPollTime: new Date(1),
};

describe("change keys", () => {
  it("are the same for a redelivery of the change (whatever the next poll time), and differ for the next change", () => {
    assert.equal(changeKeyOf(directChange), changeKeyOf({ ...directChange, nextPermittedPollTime: new Date(2) }));
    assert.notEqual(changeKeyOf(directChange), changeKeyOf({ ...directChange, jobId: "8" }));
    assert.notEqual(changeKeyOf(directChange), changeKeyOf({ ...directChange, status: "FAILED" }));
    assert.match(changeKeyOf(directChange), /^[A-Za-z0-9_-]{22}$/);
  });

  it("tell apart a portal job's successive IN_PROGRESS changes by the signatures' statuses", () => {
    const portal: PortalJobStatus = {
      flow: "portal",
      jobId: "9",
      status: "IN_PROGRESS",
      confirmationUrl: `${API_ROOT}/123456785/portal/signature-jobs/9/complete`,
      signatures: [
        { status: "SIGNED", since: "2026-12-01T10:00:00Z" },
        { status: "WAITING", since: "2026-12-01T09:00:00Z" },
      ],
    };
    const next = { ...portal, signatures: [portal.signatures[0]!, { status: "SIGNED" as const, since: "2026-12-01T11:00:00Z" }] };
    assert.notEqual(changeKeyOf(portal), changeKeyOf(next));
  });
});

describe("emitted changes", () => {
  it("mark a change emitted again before it was confirmed, and not after its confirm", () => {
    const emitted = new EmittedChanges();
    assert.equal(emitted.emit("a"), false);
    assert.equal(emitted.emit("a"), true);
    emitted.confirmed("a");
    assert.equal(emitted.size, 0);
    assert.equal(emitted.emit("a"), false);
  });

  it("stay within the limit, forgetting the oldest first", () => {
    const emitted = new EmittedChanges(3);
    for (const key of ["a", "b", "c", "d"]) emitted.emit(key);
    assert.equal(emitted.size, 3);
    assert.equal(emitted.emit("a"), false, "the oldest was forgotten");
    assert.equal(emitted.emit("d"), true);
  });
});

describe("exit URLs given as paths", () => {
  const request = (host: unknown, protocol: unknown = "http") => ({
    protocol,
    get: (name: string) => (name === "host" ? host : undefined),
  });

  it("are completed from the request that started the job, under httpNodeRoot", () => {
    assert.equal(
      (resolveExitUrl("/signering/signed", request("127.0.0.1:18801"), "/") as URL).href,
      "http://127.0.0.1:18801/signering/signed",
    );
    assert.equal((resolveExitUrl("/signed", request("shop.example", "https"), "/red/") as URL).href, "https://shop.example/red/signed");
    assert.equal((resolveExitUrl("https://shop.example/ok", undefined, "/") as URL).href, "https://shop.example/ok");
  });

  it("refuse a Host header that is not a host, a scheme other than http(s), a missing request and a protocol-relative path", () => {
    assert.equal(resolveExitUrl("/signed", request("evil.example/x?"), "/"), "badHost");
    assert.equal(resolveExitUrl("/signed", request("a b"), "/"), "badHost");
    assert.equal(resolveExitUrl("/signed", request("shop.example", "javascript"), "/"), "badProtocol");
    assert.equal(resolveExitUrl("/signed", undefined, "/"), "noRequest");
    assert.equal(resolveExitUrl("//evil.example/x", request("shop.example"), "/"), "notAbsolute");
    assert.equal(resolveExitUrl("signed", request("shop.example"), "/"), "notAbsolute");
  });
});

describe("in a real Node-RED runtime against the built-in emulator", () => {
  const pdf = readFileSync(path.join(testDocumentsDir, "PDF-1-4-testdokument.pdf"));
  let emulator: RunningEmulator;
  const TAB = "tab";
  const flow = (statusRetrievalMethod = "") => [
    { id: TAB, type: "tab", label: "reliability" },
    { id: "config", type: "signering-config", environment: "emulator", z: "" },
    {
      id: "create",
      type: "signering-create",
      z: TAB,
      config: "config",
      flow: "direct",
      title: "Contract",
      titleType: "str",
      signers: "signers",
      signersType: "msg",
      completionUrl: "/signed",
      completionUrlType: "str",
      rejectionUrl: "/rejected",
      rejectionUrlType: "str",
      errorUrl: "/error",
      errorUrlType: "str",
      statusRetrievalMethod,
      pollingQueue: statusRetrievalMethod ? "reliability" : "",
      wires: [["created"]],
    },
    { id: "created", type: "helper", z: TAB },
    {
      id: "status",
      type: "signering-status",
      z: TAB,
      config: "config",
      mode: "token",
      wires: [["completed"], ["completed"], ["completed"]],
    },
    { id: "completed", type: "helper", z: TAB },
    { id: "confirm", type: "signering-confirm", z: TAB, config: "config", wires: [["confirmed"]] },
    { id: "confirmed", type: "helper", z: TAB },
    { id: "catcher", type: "catch", z: TAB, scope: null, uncaught: false, wires: [["caught"]] },
    { id: "caught", type: "helper", z: TAB },
  ];
  const startRequest = { protocol: "http", get: (name: string) => (name === "host" ? "127.0.0.1:18801" : undefined) };

  before(async () => {
    await helper.startServer();
    emulator = await builtInEmulator(undefined);
  });
  afterEach(async () => {
    emulator.control.clearFaults();
    await helper.unload();
  });
  after(async () => {
    await helper.stopServer();
    await emulator.close();
  });

  async function createSignedJob(): Promise<{ created: Msg; exit: URL }> {
    const created = nextMessage("created");
    helper.getNode("create").receive({ payload: pdf, signers: [{ personalIdentificationNumber: NATIONAL_IDS[0] }], req: startRequest });
    const createdMsg = await created;
    const jobId = Number((createdMsg.payload as { jobId: string }).jobId);
    return { created: createdMsg, exit: new URL(emulator.control.sign(jobId, 1).redirectUrl!) };
  }

  it("finds a returning signer's job after the runtime is redeployed from scratch, with nothing kept per job", async () => {
    await helper.load(nodeModules, flow());
    const { created, exit } = await createSignedJob();
    assert.equal(exit.origin + exit.pathname, "http://127.0.0.1:18801/signed", "the exit URL follows the request that started the job");
    assert.deepEqual(
      (helper.getNode("config") as unknown as SigneringConfigNode).context().keys(),
      [],
      "no job kept in the config node's context",
    );

    await helper.unload();
    await helper.load(nodeModules, flow());
    const completed = nextMessage("completed");
    helper.getNode("status").receive({ req: { query: Object.fromEntries(exit.searchParams), cookies: browserCookies(created) } });
    const status = (await completed).payload as { jobId: string; status: string };
    assert.equal(status.status, "COMPLETED_SUCCESSFULLY");
    assert.equal(status.jobId, (created.payload as { jobId: string }).jobId);
  });

  it("refuses a return whose cookie names another job", async () => {
    await helper.load(nodeModules, flow());
    const first = await createSignedJob();
    const second = await createSignedJob();
    const [[name, value]] = Object.entries(browserCookies(first.created)) as [[string, string]];
    const otherJob = (second.created.payload as { jobId: string }).jobId;
    const forged = value.replace(/\.\d+\./, `.${otherJob}.`);
    const caught = nextMessage("caught");
    helper.getNode("status").receive({ req: { query: Object.fromEntries(first.exit.searchParams), cookies: { [name]: forged } } });
    assert.match(
      ((await caught).error as { message: string }).message,
      /msg\.req\.cookies\.signering_.*: signering-config\.exitReturn\.ticketInvalid/,
    );
  });

  it("keys each polled change, marks a redelivery of an unconfirmed one, and forgets it once confirmed", async () => {
    const polling = flow("POLLING").map((node) =>
      node.id === "status" ? { ...node, mode: "poll", flow: "direct", pollingQueue: "reliability" } : node,
    );
    await helper.load(nodeModules, polling);
    const first = nextMessage("completed");
    await createSignedJob();
    const delivered = await first;
    const signering = delivered.signering as { changeKey: string; redelivered: boolean; jobId: string };
    assert.match(signering.changeKey, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(signering.redelivered, false);

    const again = nextMessage("completed", 20_000);
    emulator.control.advanceClock(11 * 60 * 1000); // past the service's ten-minute redelivery window
    const redelivered = (await again).signering as typeof signering;
    assert.deepEqual([redelivered.jobId, redelivered.changeKey, redelivered.redelivered], [signering.jobId, signering.changeKey, true]);

    const confirmed = nextMessage("confirmed");
    helper.getNode("confirm").receive({ signering: redelivered });
    await confirmed;
    assert.equal((helper.getNode("config") as unknown as SigneringConfigNode).emittedChanges.size, 0);
  });

  it("reports a confirm that fails after the flow handled the change", async () => {
    await helper.load(nodeModules, flow());
    emulator.control.injectFault({ kind: "server-error", pathContains: "/complete", count: 1000 });
    const caught = nextMessage("caught", 60_000);
    helper.getNode("confirm").receive({
      signering: {
        jobId: "1",
        confirmationUrl: `${emulator.apiRoot}/${emulator.organizationNumber}/direct/signature-jobs/1/complete`,
        changeKey: "k",
      },
    });
    assert.match(((await caught).error as { message: string }).message, /signering-confirm\.errors\.notConfirmed/);
  });
});
