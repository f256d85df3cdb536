import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { checkConnection, ServiceError, type SigneringClient } from "../src/core";
import type { RunningEmulator } from "../src/emulator";
import { clientFor, startTestEmulator } from "./support/emulator";

/**
 * Issue 14.8: clients of one organization share one pacer, so together they stay below the
 * service's limit. The emulator enforces the limit as the service does (10 calls in any second,
 * then a 30 s block), so a burst past it would show as a 429 and a 30 s wait.
 */

let emulator: RunningEmulator;
const clients: SigneringClient[] = [];

before(async () => {
  emulator = await startTestEmulator({ rateLimit: { callsPerSecond: 10, blockSeconds: 30 } });
});
after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await emulator.close();
});

function pacedClient(warnings: string[], rateLimit: object = {}): SigneringClient {
  const client = clientFor(emulator, { rateLimit, logger: (level, message) => level === "warn" && warnings.push(message) });
  clients.push(client);
  return client;
}

/** A cheap call that reaches the service and counts against the limit: an archive id that does not exist (404). */
async function oneCall(client: SigneringClient, id: number): Promise<unknown> {
  return client.archive.getPades(`missing-${id}`).then(
    () => assert.fail("the archive has no such document"),
    (error: unknown) => error,
  );
}

describe("two clients of one organization share its pacer", () => {
  it("12 calls each stay within 10 in any second together: no 429, no block", async (t) => {
    const warnings: string[] = [];
    const [first, second] = [pacedClient(warnings), pacedClient(warnings)] as [SigneringClient, SigneringClient];
    const started = performance.now();
    const finished: number[] = [];
    const outcomes = await Promise.all(
      [first, second].flatMap((client, which) =>
        Array.from({ length: 12 }, (_, index) =>
          oneCall(client, which * 100 + index).then((outcome) => {
            finished.push(performance.now() - started);
            return outcome;
          }),
        ),
      ),
    );
    const elapsed = performance.now() - started;
    for (const outcome of outcomes) {
      assert.ok(outcome instanceof ServiceError && outcome.httpStatus === 404, `expected 404, got ${String(outcome)}`);
    }
    assert.deepEqual(warnings, [], "no call was rate limited");
    assert.equal(first.pacerStats()?.rateLimitBlocks, 0);
    assert.equal(first.pacerStats()?.callsLastMinute, 24, "both clients' calls are counted in one pacer");
    assert.equal(second.pacerStats()?.callsLastMinute, 24);
    // Eight a second (the default) for both together: the 24 calls take at least two seconds.
    assert.ok(elapsed >= 1_900, `24 calls in ${elapsed.toFixed(0)} ms: the clients paced alone`);
    finished.sort((a, b) => a - b);
    const busiest = Math.max(...finished.map((time) => finished.filter((other) => other >= time && other < time + 1000).length));
    assert.ok(busiest <= 10, `${busiest} answers within one second`);
    t.diagnostic(`24 calls in ${elapsed.toFixed(0)} ms: ${((24 / elapsed) * 1000).toFixed(1)} calls/s held; busiest second ${busiest}`);
  });

  it("the pre-flight check waits its turn in the same pacer", async () => {
    const warnings: string[] = [];
    const slow = pacedClient(warnings, { callsPerSecond: 1 });
    await oneCall(slow, 900);
    const queued = Array.from({ length: 8 }, (_, index) => oneCall(slow, 901 + index)); // one a second: these wait 1 to 8 s
    const checked = await checkConnection({
      environment: { url: emulator.apiRoot },
      keystore: { pkcs12: readFileSync(emulator.clientKeystoreFile), password: emulator.clientKeystorePassword },
      trustedCertificates: emulator.caCertificatePem,
      timeouts: { response: 1_500 },
    });
    const api = checked.checks.at(-1);
    assert.equal(api?.name, "api");
    assert.equal(api?.ok, false, JSON.stringify(checked.checks));
    assert.match(
      api?.detail ?? "",
      /Not sent: the call would have to wait \d\.\d s, and a call may wait at most 1\.5 s for the rate limit of organization 123456785/,
    );
    assert.match(api?.hint ?? "", /Other clients of this organization are using its rate limit/);
    await Promise.all(queued);
  });
});
