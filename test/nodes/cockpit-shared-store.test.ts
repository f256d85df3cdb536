import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type CockpitWorld,
  EXAMPLE_1_CONFIG,
  eventually,
  jobsOf,
  signDirectJob,
  startCockpitWorld,
  startDirectJob,
} from "../support/cockpit-scenario";

/**
 * Two Node-RED runtimes with the same flows keep their journals in one shared context store (a
 * file store without cache in one directory, read afresh on every access, as a Redis-backed store
 * would be): a job one runtime makes shows on the other's cockpit, and a status the other
 * receives shows on the first's.
 */

let world: CockpitWorld;

before(async () => {
  world = await startCockpitWorld({ secondRuntimeOnSharedStore: true });
});
after(async () => {
  await world?.close();
});

describe("the cockpit with two runtimes on one shared store", { timeout: 120_000 }, () => {
  it("shows one picture: made on the first, seen on the second; signed back on the second, seen on the first", async () => {
    const second = world.secondUrl!;
    const started = await startDirectJob(world);
    const [made] = await eventually("the job on the second runtime", async () => {
      const jobs = await jobsOf(world, EXAMPLE_1_CONFIG, { runtime: second });
      return jobs.length > 0 ? jobs : undefined;
    });
    assert.equal(made?.status, "IN_PROGRESS");
    assert.equal(made?.title, "Document from the web site");

    await signDirectJob(started, second);
    const [seen] = await eventually("the signed job on the first runtime", async () => {
      const jobs = await jobsOf(world, EXAMPLE_1_CONFIG);
      return jobs[0]?.status === "COMPLETED_SUCCESSFULLY" ? jobs : undefined;
    });
    assert.equal(seen?.jobId, made?.jobId);
    assert.deepEqual(
      seen?.signers.map((signer) => [signer.signer, signer.status]),
      [["010190*****", "SIGNED"]],
    );
    assert.equal(seen?.lastNode?.id, "a1st000000000001", "the second runtime's status node received it");
  });
});
