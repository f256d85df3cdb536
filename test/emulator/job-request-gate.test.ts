import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JobRequestGate } from "../../src/emulator/job-request-gate";
import { Rejection } from "../../src/emulator/rejection";

/** A task that runs until the test lets it finish. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { task: () => done, finish };
}

describe("the gate in front of job requests", () => {
  it("runs two at once, lets the waiting follow in order, and refuses beyond the waiting room with 503", async () => {
    const gate = new JobRequestGate(2, 2);
    const started: number[] = [];
    const tasks = Array.from({ length: 4 }, () => held());
    const runs = tasks.map((task, index) => gate.run(async () => (started.push(index), task.task())));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(started, [0, 1]);
    await assert.rejects(
      gate.run(async () => undefined),
      (error: unknown) =>
        error instanceof Rejection && error.httpStatus === 503 && /2 job requests at once and queues 2/.test(error.message),
    );
    tasks[1]!.finish();
    await runs[1];
    assert.deepEqual(started, [0, 1, 2], "the first waiting takes the freed place");
    tasks[0]!.finish();
    await runs[0];
    assert.deepEqual(started, [0, 1, 2, 3]);
    const late = held();
    const lateRun = gate.run(late.task);
    tasks[2]!.finish();
    tasks[3]!.finish();
    late.finish();
    await Promise.all([runs[2], runs[3], lateRun]);
  });

  it("frees the place of a task that fails", async () => {
    const gate = new JobRequestGate(1, 0);
    await assert.rejects(
      gate.run(() => Promise.reject(new Error("refused"))),
      /refused/,
    );
    assert.equal(await gate.run(async () => "next"), "next");
  });
});
