import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryBudget } from "../../src/emulator/memory-budget";
import { Rejection } from "../../src/emulator/rejection";

const refusedAsBusy = (error: unknown) => error instanceof Rejection && error.httpStatus === 503 && /busy/.test(error.message);

describe("the memory budget of job requests", () => {
  it("lets reservations wait in order for room, and admits them as others give back", async () => {
    const budget = new MemoryBudget(100, 1);
    const first = await budget.reserve(60);
    let admitted = false;
    const waiting = budget.reserve(50).then((reservation) => ((admitted = true), reservation));
    await assert.rejects(budget.reserve(1), refusedAsBusy, "the waiting room holds one");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(admitted, false, "no room yet");
    first.release();
    first.release(); // twice gives back once
    const second = await waiting;
    assert.throws(() => second.grow(51), refusedAsBusy, "growing never waits");
    second.grow(50);
    second.release();
    const whole = await budget.reserve(100);
    whole.release();
  });
});
