import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PacerQueueFullError, PacerWaitTooLongError } from "../src/core";
import { DEFAULT_PACER_SETTINGS, Pacer, type PacerSettings, type Release } from "../src/core/http/pacer";
import { ClientPacing, DEFAULT_PACING_SETTINGS, pacingKey, sharedPacer } from "../src/core/http/pacers";
import { ManualClock } from "./support/manual-clock";

/** The pacer shared per API root and organization (issue 14.8), driven by a clock the test moves. */

const ROOT = "https://signering.example/api";
const ORG = "123456785";
const member = (settings: Partial<PacerSettings> = {}) => ({ member: {}, settings: { ...DEFAULT_PACER_SETTINGS, ...settings } });

function pacerWith(clock: ManualClock, settings: Partial<PacerSettings> = {}): Pacer {
  const pacer = new Pacer(clock, `organization ${ORG}`);
  const { member: token, settings: full } = member(settings);
  pacer.join(token, full);
  return pacer;
}

/** Records when each call got its turn, by label. */
function recorder(clock: ManualClock) {
  const turns: { label: string; at: number }[] = [];
  const take = (pacer: Pacer, key: string, label: string, maxWaitMs = 30_000) =>
    pacer.acquire(key, { maxWaitMs }).then(answered(() => turns.push({ label, at: clock.now() })));
  return { turns, take };
}

/** A call that is answered as soon as it goes: its slot frees a window later. */
function answered(onTurn: () => unknown = () => undefined): (release: Release) => void {
  return (release) => {
    onTurn();
    release();
  };
}

/** Moves the clock in steps of `step` ms until `until` ms have passed. */
async function run(clock: ManualClock, until: number, step = 25): Promise<void> {
  await clock.advance(0);
  for (let passed = 0; passed < until; passed += step) await clock.advance(step);
}

describe("the pacer's window", () => {
  it("no window of one second holds more than the limit, even after a 500 ms event-loop stall", async () => {
    const clock = new ManualClock(0);
    const pacer = pacerWith(clock);
    const sent: number[] = [];
    const calls = Array.from({ length: 40 }, (_, index) =>
      pacer.acquire(`direct/${index}`, { maxWaitMs: 60_000 }).then(answered(() => sent.push(clock.now()))),
    );
    await clock.advance(0);
    for (let step = 0; step < 60; step++) await clock.advance(step === 10 ? 500 : 100); // one stall at 1 s
    await Promise.all(calls);
    assert.equal(sent.length, 40);
    for (const start of sent) {
      const inWindow = sent.filter((time) => time >= start && time < start + 1000).length;
      assert.ok(inWindow <= 8, `${inWindow} calls in the second from ${start} ms: ${sent.join(",")}`);
    }
  });

  it("a call holds its slot until a window after its answer, so slow answers never bunch up at the service", async () => {
    const clock = new ManualClock(0);
    const pacer = pacerWith(clock, { callsPerSecond: 2 });
    const [first] = await Promise.all([pacer.acquire("direct/1", { maxWaitMs: 60_000 }), pacer.acquire("direct/2", { maxWaitMs: 60_000 })]);
    let thirdAt: number | undefined;
    const third = pacer.acquire("direct/3", { maxWaitMs: 60_000 }).then(answered(() => (thirdAt = clock.now())));
    await run(clock, 2_000);
    assert.equal(thirdAt, undefined, "both calls are still in flight after two seconds");
    first();
    await clock.advance(990);
    assert.equal(thirdAt, undefined, "the answered call's slot is free only a window after its answer");
    await clock.advance(10);
    await third;
    assert.equal(thirdAt, 3_000);
  });

  it("takes the strictest rate of the clients sharing it, and the next strictest when that one leaves", async () => {
    const clock = new ManualClock(0);
    const pacer = new Pacer(clock, `organization ${ORG}`);
    const fast = member({ callsPerSecond: 8 });
    const slow = member({ callsPerSecond: 2 });
    pacer.join(fast.member, fast.settings);
    pacer.join(slow.member, slow.settings);
    assert.equal(pacer.settings.callsPerSecond, 2);
    pacer.leave(slow.member);
    assert.equal(pacer.settings.callsPerSecond, 8);
    pacer.leave(fast.member);
    assert.deepEqual(pacer.settings, DEFAULT_PACER_SETTINGS, "nobody shares it: the defaults");
  });
});

describe("fair shares: one job's flood does not hold up another's call", () => {
  it("a new job's call waits behind at most one call of the flooding job", async () => {
    const clock = new ManualClock(0);
    const pacer = pacerWith(clock, { callsPerSecond: 8 });
    const { turns, take } = recorder(clock);
    // The window is full, and the flooding job's queue is at its bound.
    const flood = Array.from({ length: 18 }, (_, index) => take(pacer, "direct/1", `flood ${index}`));
    const innocent = take(pacer, "create", "innocent");
    await run(clock, 3_000);
    await Promise.all([innocent, ...flood.slice(0, 18)]);
    const order = turns.map((turn) => turn.label);
    assert.deepEqual(
      order.slice(0, 8),
      Array.from({ length: 8 }, (_, index) => `flood ${index}`),
      "the first second went to the flood",
    );
    assert.ok(order.indexOf("innocent") <= 9, `the innocent call was served ${order.indexOf("innocent") - 7}th after the window: ${order}`);
  });

  it("refuses the call past the bound per job at once, naming the bound, and serves the other jobs", async () => {
    const clock = new ManualClock(0);
    const pacer = pacerWith(clock, { callsPerSecond: 1, maxQueuedPerKey: 3 });
    const first = pacer.acquire("direct/7", { maxWaitMs: 60_000 }).then(answered()); // goes at once: nothing waits
    const waiting = [1, 2, 3].map(() => pacer.acquire("direct/7", { maxWaitMs: 60_000 }).then(answered()));
    await assert.rejects(pacer.acquire("direct/7", { maxWaitMs: 60_000 }), (error: unknown) => {
      assert.ok(error instanceof PacerQueueFullError);
      assert.equal(error.code, "PACER_QUEUE_FULL");
      assert.equal(error.bound, 3);
      assert.match(
        error.message,
        /3 calls about direct job 7 already wait for the rate limit of organization 123456785 \(at most 3 per job or document\)/,
      );
      return true;
    });
    const other = pacer.acquire("portal/8", { maxWaitMs: 60_000 }).then(answered());
    assert.equal(pacer.stats().queued, 4);
    await run(clock, 6_000, 100);
    await Promise.all([first, ...waiting, other]);
    assert.equal(pacer.stats().queued, 0);
  });

  it("refuses a call when all queues together are at their bound", async () => {
    const clock = new ManualClock(0);
    const pacer = pacerWith(clock, { callsPerSecond: 1, maxQueued: 4 });
    void pacer.acquire("direct/0", { maxWaitMs: 60_000 }).then(answered());
    const waiting = [1, 2, 3, 4].map((index) => pacer.acquire(`direct/${index}`, { maxWaitMs: 60_000 }).then(answered()));
    await assert.rejects(
      pacer.acquire("create", { maxWaitMs: 60_000 }),
      (error: unknown) =>
        error instanceof PacerQueueFullError && error.bound === 4 && /4 calls already wait .* \(at most 4\)/.test(error.message),
    );
    await run(clock, 5_000, 100);
    await Promise.all(waiting);
  });
});

describe("a deadline for every wait", () => {
  it("a call that would wait past its deadline fails at once, and nothing waits for it", async () => {
    const clock = new ManualClock(0);
    const pacer = pacerWith(clock, { callsPerSecond: 2 });
    const calls = Array.from({ length: 6 }, (_, index) => pacer.acquire(`direct/${index}`, { maxWaitMs: 2_500 }).then(answered()));
    // Two a second: the first six go at 0, 0, 1, 1, 2 and 2 s; the seventh would go at 3 s.
    await assert.rejects(pacer.acquire("direct/6", { maxWaitMs: 2_500 }), (error: unknown) => {
      assert.ok(error instanceof PacerWaitTooLongError);
      assert.equal(error.code, "PACER_WAIT_TOO_LONG");
      assert.equal(error.maxWaitMs, 2_500);
      assert.match(
        error.message,
        /would have to wait 3\.0 s, and a call may wait at most 2\.5 s for the rate limit of organization 123456785 \(4 calls waiting\)/,
      );
      return true;
    });
    assert.equal(clock.now(), 0, "refused without waiting");
    await run(clock, 3_000, 100);
    await Promise.all(calls);
  });

  it("a 429 block seen by one client holds back every client of the organization; waits past the deadline then fail", async () => {
    const clock = new ManualClock(0);
    const one = new ClientPacing(clock, ROOT, ORG, DEFAULT_PACING_SETTINGS);
    const other = new ClientPacing(clock, ROOT, ORG, { ...DEFAULT_PACING_SETTINGS, maxWaitMs: 5_000 });
    const call = (pacing: ClientPacing, id: number) =>
      pacing.acquire(ORG, { url: `${ROOT}/${ORG}/direct/signature-jobs/${id}/status`, operation: "status-by-token" }).then(answered());
    await call(one, 1);
    const queued = Array.from({ length: 9 }, (_, index) => call(other, 10 + index)); // 7 go now, 2 wait for the window
    const outcomes = Promise.allSettled(queued);
    one.block(ORG, 20_000);
    assert.deepEqual(other.stats().blockedUntil, new Date(20_000), "the other client sees the block");
    assert.equal(other.stats().rateLimitBlocks, 1);
    await assert.rejects(call(other, 99), PacerWaitTooLongError, "a new call would wait 20 s, past its 5 s");
    await run(clock, 6_000, 100);
    const settled = await outcomes;
    assert.equal(settled.filter((outcome) => outcome.status === "fulfilled").length, 7);
    for (const outcome of settled.filter((outcome) => outcome.status === "rejected")) {
      assert.ok(outcome.reason instanceof PacerWaitTooLongError, String(outcome.reason));
      assert.match((outcome.reason as Error).message, /did not come in time, .*the service blocks it until 1970-01-01T00:00:20\.000Z/);
    }
    one.leave();
    other.leave();
  });

  it("an aborted wait leaves the queue", async () => {
    const clock = new ManualClock(0);
    const pacer = pacerWith(clock, { callsPerSecond: 1 });
    (await pacer.acquire("create", { maxWaitMs: 10_000 }))();
    const abort = new AbortController();
    const waiting = pacer.acquire("create", { maxWaitMs: 10_000, signal: abort.signal });
    assert.equal(pacer.stats().queued, 1);
    abort.abort(new Error("closed"));
    await assert.rejects(waiting, /closed/);
    assert.equal(pacer.stats().queued, 0);
  });
});

describe("one pacer per API root and organization", () => {
  it("clients of one organization share it, others do not; a client that closes leaves it working for the rest", async () => {
    const clock = new ManualClock(0);
    const first = new ClientPacing(clock, ROOT, ORG, DEFAULT_PACING_SETTINGS);
    const second = new ClientPacing(clock, ROOT, ORG, { ...DEFAULT_PACING_SETTINGS, callsPerSecond: 4 });
    const elsewhere = new ClientPacing(clock, `${ROOT}2`, ORG, DEFAULT_PACING_SETTINGS);
    const pacer = sharedPacer(clock, ROOT, ORG);
    assert.equal(pacer.settings.callsPerSecond, 4, "the strictest of the two clients");
    assert.notEqual(sharedPacer(clock, `${ROOT}2`, ORG), pacer);
    assert.notEqual(sharedPacer(clock, ROOT, "984661185"), pacer);
    const create = (pacing: ClientPacing) =>
      pacing.acquire(ORG, { url: `${ROOT}/${ORG}/direct/signature-jobs`, operation: "create" }).then(answered());
    await Promise.all([create(first), create(second), create(first), create(second)]);
    assert.equal(first.stats().callsLastMinute, 4, "one count for both clients");
    assert.equal(elsewhere.stats().callsLastMinute, 0);

    second.leave();
    assert.equal(pacer.settings.callsPerSecond, 8);
    await create(first);
    assert.equal(first.stats().callsLastMinute, 5);
    assert.equal(sharedPacer(clock, ROOT, ORG), pacer, "still the same pacer");
    first.leave();
    elsewhere.leave();
  });

  it("an idle pacer nobody shares is forgotten", async () => {
    const clock = new ManualClock(0);
    const client = new ClientPacing(clock, ROOT, ORG, DEFAULT_PACING_SETTINGS);
    const pacer = sharedPacer(clock, ROOT, ORG);
    (await client.acquire(ORG, { url: `${ROOT}/${ORG}/portal/signature-jobs`, operation: "poll" }))();
    client.leave();
    await clock.advance(30_000);
    assert.equal(sharedPacer(clock, ROOT, ORG), pacer, "a call in the last minute keeps it");
    await clock.advance(31_000);
    assert.notEqual(sharedPacer(clock, ROOT, ORG), pacer);
  });

  it("keys calls by the job they are about, new jobs together", () => {
    assert.equal(pacingKey(ROOT, `${ROOT}/${ORG}/direct/signature-jobs/42/status?status_query_token=x`, "status-by-token"), "direct/42");
    assert.equal(pacingKey(ROOT, `${ROOT}/${ORG}/portal/signature-jobs/42/complete`, "confirm"), "portal/42");
    assert.equal(pacingKey(ROOT, `${ROOT}/${ORG}/direct/signature-jobs`, "create"), "create");
    assert.equal(pacingKey(ROOT, `${ROOT}/${ORG}/direct/signature-jobs?polling_queue=q`, "poll"), "poll");
    assert.equal(pacingKey(ROOT, `${ROOT}/${ORG}/archive/documents/7/pades`, "archive"), "archive/7");
    assert.equal(pacingKey(ROOT, "https://elsewhere.example/x", "download"), "download");
  });
});
