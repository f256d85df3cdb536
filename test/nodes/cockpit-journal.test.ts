import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import type { DirectJobStatus, PortalJobStatus } from "../../src/core";
import { storeChoiceOf } from "../../nodes/cockpit/context-store";
import { maskIdentifier, parseRecord, type JobRecord } from "../../nodes/cockpit/job-record";
import { Journal, type JournalEvent, type JournalStore } from "../../nodes/cockpit/journal";
import { repositoryRoot } from "../support/reference";

/** A store that keeps JSON, as a context store does: nothing is shared by reference with the journal. */
class JsonStore implements JournalStore {
  readonly data = new Map<string, string>();
  keys = async () => [...this.data.keys()];
  get = async (keys: readonly string[]) => keys.map((key) => (this.data.has(key) ? JSON.parse(this.data.get(key) as string) : undefined));
  set = async (key: string, value: JobRecord | undefined) => {
    if (value === undefined) this.data.delete(key);
    else this.data.set(key, JSON.stringify(value));
  };
  text(): string {
    return [...this.data.values()].join("\n");
  }
}

const PIN = "01019010046";
const node = { id: "create-1", name: "create job" };
const statusNode = { id: "status-1" };

function directCreated(jobId: string) {
  return {
    response: {
      flow: "direct" as const,
      jobId,
      reference: "ref-" + jobId,
      statusUrl: `https://api.example/api/123456785/direct/signature-jobs/${jobId}/status`,
      signers: [
        {
          href: `https://api.example/api/123456785/direct/signature-jobs/${jobId}/signers/1`,
          personalIdentificationNumber: PIN,
          redirectUrl: "https://signering.example/redirect/#/secret-redirect-token",
        },
      ],
    },
    title: "Employment contract",
    node,
  };
}

function directStatus(jobId: string, status: DirectJobStatus["status"], signerStatus: string): DirectJobStatus {
  return {
    flow: "direct",
    jobId,
    status,
    signers: [{ signer: PIN, status: signerStatus, since: "2026-12-05T08:00:00+01:00" }],
    xadesUrls: [],
    confirmationUrl: `https://api.example/api/123456785/direct/signature-jobs/${jobId}/complete`,
    ...(status === "COMPLETED_SUCCESSFULLY" ? { padesUrl: `https://api.example/api/123456785/direct/signature-jobs/${jobId}/pades` } : {}),
  };
}

function clock(start = Date.parse("2026-12-05T08:00:00Z")) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

describe("the cockpit's journal", () => {
  it("records a direct job and its status: masked signer, states, links kept in the runtime only", async () => {
    const store = new JsonStore();
    const events: JournalEvent[] = [];
    const journal = new Journal({ store, now: clock().now, publish: (event) => events.push(event) });
    journal.jobCreated(directCreated("101"));
    journal.statusReceived(directStatus("101", "IN_PROGRESS", "WAITING"), statusNode);
    journal.statusReceived(directStatus("101", "COMPLETED_SUCCESSFULLY", "SIGNED"), statusNode);
    const [job] = await journal.list("all", 10);
    assert.equal(job?.jobId, "101");
    assert.equal(job?.title, "Employment contract");
    assert.equal(job?.status, "COMPLETED_SUCCESSFULLY");
    assert.deepEqual(job?.signers, [{ signer: "010190*****", status: "SIGNED", since: "2026-12-05T08:00:00+01:00" }]);
    assert.deepEqual(job?.createdBy, node, "the node that made it");
    assert.deepEqual(job?.lastNode, statusNode);
    assert.deepEqual(job?.actions, { cancel: false, pades: true, redirectSigners: [] }, "signed: a PDF, no new link");
    assert.equal("links" in (job ?? {}), false, "the editor's view carries no service URL");
    assert.deepEqual(
      events.map((event) => event.type === "job" && event.job.status),
      ["IN_PROGRESS", "IN_PROGRESS", "COMPLETED_SUCCESSFULLY"],
      "every change is published",
    );
    const stored = store.text();
    assert.equal(stored.includes(PIN), false, "no whole national identity number is stored");
    assert.equal(stored.includes("secret-redirect-token"), false, "no redirect URL is stored");
    assert.equal(stored.includes("/complete"), false, "no confirmation URL is stored");
    assert.match(stored, /\/pades"/, "the PAdES URL is kept for the download action");
  });

  it("offers a new link for a direct signer while the job is in progress, and cancel for a portal job in progress", async () => {
    const journal = new Journal({ store: new JsonStore(), now: clock().now });
    journal.jobCreated(directCreated("7"));
    journal.jobCreated({
      response: { flow: "portal", jobId: "7", cancellationUrl: "https://api.example/api/123456785/portal/signature-jobs/7/cancel" },
      title: "NDA",
      portal: {
        signers: [
          { personalIdentificationNumber: PIN, order: 0 },
          { identifiedByContactInformation: true, notifications: { email: "kari.nordmann@example.no" } },
        ],
        availability: { activationTime: "2026-12-06T08:00:00Z", availableSeconds: 86_400 },
      },
      node,
    });
    const jobs = await journal.list("inProgress", 10);
    const direct = jobs.find((job) => job.flow === "direct");
    const portal = jobs.find((job) => job.flow === "portal");
    assert.deepEqual(direct?.actions, { cancel: false, pades: false, redirectSigners: [0] });
    assert.deepEqual(portal?.actions, { cancel: true, pades: false, redirectSigners: [] });
    assert.deepEqual(
      portal?.signers.map((signer) => signer.signer),
      ["010190*****", "kari.n********"],
      "e-mail addresses are masked too",
    );
    assert.equal(portal?.activationTime, "2026-12-06T08:00:00.000Z");
    assert.equal(portal?.deadline, "2026-12-07T08:00:00.000Z", "activation plus the available seconds");
    const status: PortalJobStatus = {
      flow: "portal",
      jobId: "7",
      status: "FAILED",
      confirmationUrl: "https://api.example/c",
      signatures: [
        { status: "CANCELLED", since: "2026-12-05T09:00:00Z", personalIdentificationNumber: PIN },
        { status: "CANCELLED", since: "2026-12-05T09:00:00Z", contactInformation: { email: "kari.nordmann@example.no" } },
      ],
    };
    journal.statusReceived(status, statusNode);
    assert.deepEqual(await journal.list("inProgress", 10).then((list) => list.map((job) => job.flow)), ["direct"]);
    assert.deepEqual(await journal.list("failed", 10).then((list) => list.map((job) => job.flow)), ["portal"]);
    assert.deepEqual((await journal.list("failed", 10))[0]?.actions, { cancel: false, pades: false, redirectSigners: [] });
    assert.deepEqual(await journal.list("completed", 10), []);
  });

  it("keeps a job first seen through a status (made by another runtime), and marks a cancellation", async () => {
    const journal = new Journal({ store: new JsonStore(), now: clock().now });
    journal.statusReceived(directStatus("55", "IN_PROGRESS", "WAITING"), statusNode);
    journal.jobCancelled("direct", "55", { id: "job-node" });
    journal.jobCancelled("portal", "not-there", { id: "job-node" });
    const jobs = await journal.list("all", 10);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0]?.createdAt, undefined);
    assert.equal(jobs[0]?.signers[0]?.signer, "010190*****");
    assert.ok(jobs[0]?.cancelRequestedAt);
  });

  it("stays within its bound over a long run: 5,000 jobs, each created and updated, keep the newest 1,000", async () => {
    const store = new JsonStore();
    const time = clock();
    const journal = new Journal({ store, now: time.now, retention: { maxJobs: 1000, maxAgeMs: 30 * 86_400_000 } });
    let largest = 0;
    for (let index = 0; index < 5000; index += 1) {
      journal.jobCreated(directCreated(String(index)));
      journal.statusReceived(directStatus(String(index), "IN_PROGRESS", "WAITING"), statusNode);
      time.advance(1000);
      if (index % 250 === 0) {
        await journal.idle();
        largest = Math.max(largest, store.data.size);
      }
    }
    await journal.idle();
    assert.equal(store.data.size, 1000);
    assert.ok(largest <= 1000, `at most 1,000 at any check, was ${largest}`);
    assert.equal(journal.size, 1000);
    const jobs = await journal.list("all", 1000);
    assert.equal(jobs[0]?.jobId, "4999", "newest first");
    assert.equal(jobs.at(-1)?.jobId, "4000", "the oldest kept is the 1,000th newest");
  });

  it("forgets jobs unchanged for longer than the age bound, and a restart finds what is left", async () => {
    const store = new JsonStore();
    const time = clock();
    const retention = { maxJobs: 1000, maxAgeMs: 10 * 86_400_000 };
    const first = new Journal({ store, now: time.now, retention });
    first.jobCreated(directCreated("old"));
    time.advance(11 * 86_400_000);
    first.jobCreated(directCreated("new"));
    await first.idle();
    assert.deepEqual([...store.data.keys()], ["job_direct_new"]);

    const afterRestart = new Journal({ store, now: time.now, retention: { maxJobs: 1000, maxAgeMs: 10 * 86_400_000 } });
    assert.deepEqual(
      (await afterRestart.list("all", 10)).map((job) => job.jobId),
      ["new"],
    );
    afterRestart.statusReceived(directStatus("new", "COMPLETED_SUCCESSFULLY", "SIGNED"), statusNode);
    assert.equal((await afterRestart.list("all", 10))[0]?.title, "Employment contract", "what creation recorded survives the restart");
  });

  it("prunes at start to a smaller bound, and drops what is not a record", async () => {
    const store = new JsonStore();
    const time = clock();
    const first = new Journal({ store, now: time.now });
    for (const id of ["1", "2", "3"]) {
      first.jobCreated(directCreated(id));
      time.advance(1000);
    }
    await first.idle();
    await store.set("job_direct_9", { junk: true } as unknown as JobRecord);
    const smaller = new Journal({ store, now: time.now, retention: { maxJobs: 2, maxAgeMs: 86_400_000 } });
    await smaller.idle();
    assert.deepEqual([...store.data.keys()].sort(), ["job_direct_2", "job_direct_3"]);
  });

  it("trusts a store no more than a request: a planted whole national id is masked, bad fields dropped", () => {
    const record = parseRecord({
      jobId: "1",
      flow: "direct",
      status: "IN_PROGRESS",
      updatedAt: "2026-12-05T08:00:00Z",
      title: "x".repeat(500),
      signers: [
        { signer: PIN, status: "<script>" },
        { signer: "010190*****", status: "SIGNED" },
      ],
      links: { pades: "javascript:alert(1)", cancellation: "https://api.example/cancel" },
      createdBy: { id: "../../etc" },
    });
    assert.equal(record?.signers[0]?.signer, "010190*****");
    assert.equal(record?.signers[0]?.status, undefined);
    assert.equal(record?.signers[1]?.signer, "010190*****");
    assert.equal(record?.title?.length, 80);
    assert.equal(record?.links.pades, undefined);
    assert.equal(record?.createdBy, undefined);
    assert.equal(parseRecord({ jobId: "a b", flow: "direct", status: "IN_PROGRESS", updatedAt: "2026-12-05T08:00:00Z" }), undefined);
    assert.equal(parseRecord({ jobId: "1", flow: "other", status: "IN_PROGRESS", updatedAt: "2026-12-05T08:00:00Z" }), undefined);
  });

  it("masks every identifier to at most six characters shown", () => {
    assert.equal(maskIdentifier(PIN), "010190*****");
    assert.equal(maskIdentifier("+4799999999"), "+4799******", "never more than half");
    assert.equal(maskIdentifier("ab"), "a*");
    assert.equal(maskIdentifier(undefined), "–");
  });

  it("a store that fails is reported, and the nodes' calls never throw", async () => {
    const warnings: string[] = [];
    const failing: JournalStore = {
      keys: async () => [],
      get: async () => [],
      set: async () => {
        throw new Error("disk full");
      },
    };
    const journal = new Journal({ store: failing, now: clock().now, warn: (message) => warnings.push(message) });
    journal.jobCreated(directCreated("1"));
    await journal.idle();
    assert.deepEqual(warnings, ["disk full"]);
  });

  it("keeps each polling node's health: polls, next permitted time, changes handled, last error", () => {
    const events: JournalEvent[] = [];
    const journal = new Journal({ store: new JsonStore(), now: clock().now, publish: (event) => events.push(event) });
    const poller = { id: "poller", name: "portal changes" };
    journal.pollHealth(poller, {
      flow: "portal",
      queue: "",
      polled: new Date("2026-12-05T08:00:00Z"),
      nextPoll: new Date("2026-12-05T08:00:30Z"),
    });
    journal.pollHealth(poller, { handledChange: true });
    journal.pollHealth(poller, { handledChange: true, error: "x".repeat(1000) });
    const [health] = journal.health();
    assert.equal(health?.changesHandled, 2);
    assert.equal(health?.nextPoll, "2026-12-05T08:00:30.000Z");
    assert.equal(health?.lastError?.message.length, 200, "errors are bounded");
    assert.equal(events.length, 3);
    journal.pollHealth(poller, { stopped: true });
    assert.deepEqual(journal.health(), []);
  });
});

describe("the cockpit's store choice (settings.js)", () => {
  it("takes the first file store, a named store, or the default store (not persistent)", () => {
    assert.deepEqual(storeChoiceOf({ contextStorage: { default: { module: "memory" }, file: { module: "localfilesystem" } } }), {
      name: "file",
      persistent: true,
      retention: { maxJobs: 1000, maxAgeMs: 30 * 86_400_000 },
    });
    assert.equal(
      storeChoiceOf({ contextStorage: { default: { module: "memory" }, redis: { module: {} } }, signeringCockpit: { store: "redis" } })
        .name,
      "redis",
    );
    assert.deepEqual(storeChoiceOf({}).persistent, false);
    assert.equal(storeChoiceOf({ signeringCockpit: { maxJobs: 50, maxAgeDays: 7 } }).retention.maxAgeMs, 7 * 86_400_000);
  });

  it("refuses a wrong setting, naming it and its limit", () => {
    assert.throws(
      () => storeChoiceOf({ signeringCockpit: { store: "nope" } }),
      /signeringCockpit\.store: must name a store of contextStorage \(none configured\)/,
    );
    assert.throws(
      () => storeChoiceOf({ signeringCockpit: { maxJobs: 0 } }),
      /signeringCockpit\.maxJobs: must be a whole number from 1 to 10000, was 0/,
    );
    assert.throws(() => storeChoiceOf({ signeringCockpit: { maxAgeDays: "30" } }), /signeringCockpit\.maxAgeDays/);
  });
});

describe("the cockpit's message catalogues and module", () => {
  const cockpitDir = path.join(repositoryRoot, "nodes", "cockpit");
  const read = (lang: string) =>
    JSON.parse(readFileSync(path.join(cockpitDir, "locales", lang, "signering-cockpit.json"), "utf8")) as Record<string, unknown>;
  const flatten = (tree: unknown, prefix = ""): string[] =>
    tree && typeof tree === "object"
      ? Object.entries(tree as Record<string, unknown>).flatMap(([key, value]) => flatten(value, prefix ? `${prefix}.${key}` : key))
      : [prefix];

  it("en-US and nb-NO have the same keys, and every key the sidebar and the routes use exists", () => {
    const en = flatten(read("en-US")).sort();
    assert.deepEqual(flatten(read("nb-NO")).sort(), en);
    const html = readFileSync(path.join(cockpitDir, "signering-cockpit.html"), "utf8");
    const routes = readFileSync(path.join(cockpitDir, "routes.ts"), "utf8");
    const used = [
      ...[...html.matchAll(/\bt\("([\w.]+\w)"/g)].map(([, key]) => `cockpit.${key!}`),
      ...[...routes.matchAll(/fail\(response, \d+, "(\w+)"/g)].map(([, key]) => `cockpit.errors.${key!}`),
      ...[...routes.matchAll(/RED\._\("(cockpit\.[\w.]+)"/g)].map(([, key]) => key!),
      // Keys the sidebar builds from a value.
      ...["all", "inProgress", "completed", "failed"].map((filter) => `cockpit.filter.${filter}`),
      ...["direct", "portal"].map((flow) => `cockpit.flow.${flow}`),
      ...["IN_PROGRESS", "COMPLETED_SUCCESSFULLY", "FAILED"].map((status) => `cockpit.status.${status}`),
      ...["what", "health", "actions", "store"].map((part) => `cockpit.help.${part}`),
      "cockpit.journalFailed",
    ];
    assert.ok(used.length > 40, `found the keys in use (${used.length})`);
    for (const key of used) assert.ok(en.includes(key), `${key} is in the catalogue`);
  });

  it("loading the plugin loads neither the emulator nor pdf-lib nor xmllint-wasm", () => {
    const script = `require(${JSON.stringify(path.join(repositoryRoot, "dist", "nodes", "cockpit", "signering-cockpit.js"))});
      console.log(JSON.stringify(Object.keys(require.cache)))`;
    const loaded = JSON.parse(execFileSync(process.execPath, ["-e", script]).toString()) as string[];
    assert.ok(loaded.some((file) => file.endsWith("journal.js")));
    assert.deepEqual(
      loaded.filter((file) => /[\\/](emulator|pdf-lib|xmllint-wasm)[\\/]/.test(file)),
      [],
    );
  });
});
