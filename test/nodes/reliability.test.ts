import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, afterEach, before, describe, it } from "node:test";
import { builtInEmulator } from "../../nodes/signering-config/builtin-emulator";
import { changeKeyOf, EmittedChanges } from "../../nodes/common/change-key";
import type { SigneringConfigNode } from "../../nodes/signering-config/config-types";
import { resolveExitUrl } from "../../nodes/signering-create/exit-urls";
import { ExitCorrelation, TICKET_LIFETIME_SECONDS, TICKET_SLOTS, type DirectJobStatus, type PortalJobStatus } from "../../src/core";
import type { RunningEmulator } from "../../src/emulator";
import { NATIONAL_IDS } from "../support/jobs";
import { testDocumentsDir } from "../support/reference";
import { browserCookies, returnRequest, helper, type Msg, nextMessage, nodeModules } from "./helper";

const API_ROOT = "https://api.signering.posten.no/api";
const STATUS_URL = `${API_ROOT}/123456785/direct/signature-jobs/42/status`;
const EXIT_URLS = [
  "https://shop.example/signering/signed",
  "https://shop.example/signering/rejected",
  "https://shop.example/signering/failed",
].map((url) => new URL(url));
const certificateKey = generateKeyPairSync("ed25519").privateKey;

/** The ticket cookies a job's create response sets, as the browser then sends them. */
function ticketOf(correlation: ExitCorrelation, reference: string, present: Record<string, string> = {}): Record<string, string> {
  const made = correlation.ticketCookies(reference, STATUS_URL, EXIT_URLS, present);
  assert.ok(made.ok);
  return Object.fromEntries(
    Object.entries(made.cookies).flatMap(([name, cookie]) => (cookie.value === null ? [] : [[name, cookie.value]])),
  );
}

describe("stateless exit-URL correlation (core)", () => {
  const correlation = new ExitCorrelation(certificateKey, API_ROOT);

  it("gives the status URL back to any instance with the same key, with nothing remembered, and clears the ticket", () => {
    const reference = correlation.newReference();
    const cookies = ticketOf(correlation, reference);
    const elsewhere = new ExitCorrelation(certificateKey, `${API_ROOT}/`);
    const result = elsewhere.returnOf(reference, "/signering/signed", cookies);
    assert.ok(result.ok);
    assert.equal(result.statusUrl, STATUS_URL);
    assert.deepEqual(result.clear, { [Object.keys(cookies)[0]!]: { value: null, path: "/signering" } });
  });

  it("hands the browser an HttpOnly, SameSite=Lax ticket scoped to the exit URLs' path, living as long as a direct job", () => {
    const made = correlation.ticketCookies(correlation.newReference(), STATUS_URL, EXIT_URLS, {});
    assert.ok(made.ok);
    const [[name, cookie]] = Object.entries(made.cookies) as [[string, object]];
    assert.equal(name, "signering_t0");
    assert.deepEqual(
      { ...cookie, value: undefined },
      { value: undefined, httpOnly: true, sameSite: "lax", secure: true, path: "/signering", maxAge: TICKET_LIFETIME_SECONDS * 1000 },
    );
    const local = correlation.ticketCookies(correlation.newReference(), STATUS_URL, [new URL("http://127.0.0.1:1880/done")], {});
    assert.ok(local.ok);
    assert.deepEqual(
      Object.values(local.cookies).map((ticket) => [ticket.path, "secure" in ticket && ticket.secure]),
      [["/done", false]],
    );
  });

  it("keeps at most TICKET_SLOTS tickets in a browser: the oldest slot is taken, and older versions' cookies are cleared", () => {
    let now = 1_000_000_000_000;
    const clocked = new ExitCorrelation(certificateKey, API_ROOT, () => now);
    const jar: Record<string, string> = { [`signering_${"A".repeat(22)}`]: "1.2.x" };
    const references: string[] = [];
    for (let job = 0; job < 200; job += 1) {
      now += 1000;
      const reference = clocked.newReference();
      references.push(reference);
      const made = clocked.ticketCookies(reference, STATUS_URL, EXIT_URLS, jar);
      assert.ok(made.ok);
      for (const [name, cookie] of Object.entries(made.cookies)) {
        if (cookie.value === null) delete jar[name];
        else jar[name] = cookie.value;
      }
      assert.ok(Object.keys(jar).length <= TICKET_SLOTS);
    }
    assert.equal(Object.keys(jar).length, TICKET_SLOTS);
    assert.ok(clocked.returnOf(references.at(-1), "/signering/signed", jar).ok, "the newest job still returns");
    assert.ok(clocked.returnOf(references.at(-TICKET_SLOTS), "/signering/signed", jar).ok, "and the eighth newest");
    assert.deepEqual(clocked.returnOf(references.at(-TICKET_SLOTS - 1), "/signering/signed", jar), {
      ok: false,
      failure: "ticketMissing",
      field: "cookie",
    });
  });

  it("refuses an altered job id, organization, time or MAC", () => {
    const reference = correlation.newReference();
    const [[name, value]] = Object.entries(ticketOf(correlation, reference)) as [[string, string]];
    const parts = value.split(".");
    const altered = (index: number, replacement: string) => parts.map((part, at) => (at === index ? replacement : part)).join(".");
    for (const forged of [
      altered(2, "43"),
      altered(1, "987654325"),
      altered(3, "1"),
      altered(4, `${parts[4]!.slice(0, -1)}A`),
      `${value}x`,
    ]) {
      if (forged === value) continue;
      const result = correlation.returnOf(reference, "/signering/signed", { [name]: forged });
      assert.equal(result.ok ? "accepted" : result.failure, "ticketInvalid", forged);
    }
  });

  it("refuses a ticket made with another key, for another environment, or for other exit URLs", () => {
    const reference = correlation.newReference();
    const cookies = ticketOf(correlation, reference);
    const refused = (result: ReturnType<ExitCorrelation["returnOf"]>) => (result.ok ? "accepted" : result.failure);
    assert.equal(
      refused(new ExitCorrelation(generateKeyPairSync("ed25519").privateKey, API_ROOT).returnOf(reference, "/signering/signed", cookies)),
      "ticketInvalid",
    );
    assert.equal(
      refused(
        new ExitCorrelation(certificateKey, "https://api.difitest.signering.posten.no/api").returnOf(
          reference,
          "/signering/signed",
          cookies,
        ),
      ),
      "ticketInvalid",
    );
    assert.equal(refused(correlation.returnOf(reference, "/other-shop/signed", cookies)), "ticketInvalid", "another flow's exit URL");
  });

  it("refuses a ticket older than a direct job's lifetime", () => {
    let now = Date.now();
    const clocked = new ExitCorrelation(certificateKey, API_ROOT, () => now);
    const reference = clocked.newReference();
    const cookies = ticketOf(clocked, reference);
    now += (TICKET_LIFETIME_SECONDS + 60) * 1000;
    assert.deepEqual(clocked.returnOf(reference, "/signering/signed", cookies), { ok: false, failure: "ticketExpired", field: "cookie" });
  });

  it("makes tickets only for status URLs under the API root", () => {
    for (const statusUrl of [
      "https://evil.example/api/123456785/direct/signature-jobs/42/status",
      `${API_ROOT}/123456785/direct/signature-jobs/42/status/../../../x`,
      `${API_ROOT}/123456785/portal/signature-jobs/42`,
      undefined,
    ]) {
      assert.deepEqual(correlation.ticketCookies(correlation.newReference(), statusUrl, EXIT_URLS, {}), {
        ok: false,
        failure: "statusUrlUnexpected",
      });
    }
  });

  it("says clearly what is missing: no reference, an old UUID reference, a malformed one, no cookie", () => {
    const failure = (reference: unknown, cookies: unknown) => {
      const result = correlation.returnOf(reference, "/signering/signed", cookies);
      return result.ok ? "accepted" : `${result.field}:${result.failure}`;
    };
    assert.equal(failure(undefined, {}), "query:referenceMissing");
    assert.equal(failure("0b6f3b1e-8d0c-4c9e-9d1f-2f3a4b5c6d7e", {}), "query:referenceLegacy");
    assert.equal(failure("../../etc/passwd", {}), "query:referenceMalformed");
    assert.equal(failure("x".repeat(1_000_000), {}), "query:referenceMalformed");
    assert.equal(failure(correlation.newReference(), undefined), "cookie:ticketMissing");
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
    // The cockpit's journal keeps the job for the sidebar; the return must not need it, so it goes.
    const context = (helper.getNode("config") as unknown as SigneringConfigNode).context();
    const kept = context.keys();
    assert.deepEqual(kept, [`job_direct_${(created.payload as { jobId: string }).jobId}`], "only the journal's record of the job");
    for (const key of kept) context.set(key, undefined);

    await helper.unload();
    await helper.load(nodeModules, flow());
    const completed = nextMessage("completed");
    helper.getNode("status").receive({ req: returnRequest(exit, created) });
    const returned = await completed;
    const status = returned.payload as { jobId: string; status: string };
    assert.equal(status.status, "COMPLETED_SUCCESSFULLY");
    const [ticket] = Object.keys(browserCookies(created));
    const made = (created.cookies as Record<string, { path: string }>)[ticket!]!;
    assert.deepEqual(
      (returned.cookies as Record<string, unknown>)[ticket!],
      { value: null, path: made.path },
      "the return clears its ticket",
    );
    assert.equal(status.jobId, (created.payload as { jobId: string }).jobId);
  });

  it("refuses a return whose cookie names another job", async () => {
    await helper.load(nodeModules, flow());
    const first = await createSignedJob();
    const second = await createSignedJob();
    const [[name, value]] = Object.entries(browserCookies(first.created)) as [[string, string]];
    const otherJob = (second.created.payload as { jobId: string }).jobId;
    const forged = value
      .split(".")
      .map((part, index) => (index === 2 ? otherJob : part))
      .join(".");
    const caught = nextMessage("caught");
    helper.getNode("status").receive({ req: { ...returnRequest(first.exit, first.created), cookies: { [name]: forged } } });
    assert.match(((await caught).error as { message: string }).message, /msg\.req\.cookies: signering-status\.exitReturn\.ticketInvalid/);
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
