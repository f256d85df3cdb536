import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { Worker } from "node:worker_threads";
import { loadCredentials } from "../../src/core";
import { startEmulator } from "../../src/emulator";

/** A client in its own thread, so that it keeps sending while the emulator's event loop is stalled. */
const CLIENT = `
const { workerData, parentPort } = require("node:worker_threads");
const { setTimeout: sleep } = require("node:timers/promises");
const { Agent, request } = require(workerData.undici);
const dispatcher = new Agent({ connect: workerData.tls, keepAliveTimeout: 60000 });
const call = async (path) => {
  const response = await request(workerData.apiRoot + path, { dispatcher });
  await response.body.dump();
  return response.statusCode;
};
(async () => {
  // Open the connections first, on an organization the caller may not act for: refused before the rate limit counts.
  await Promise.all(Array.from({ length: workerData.connections }, () => call("/987654321")));
  parentPort.postMessage("ready");
  const calls = [];
  let lastSent = 0;
  for (let index = 0; index < workerData.calls; index++) {
    await sleep(Math.max(0, lastSent + workerData.spacingMs - Date.now()));
    lastSent = Date.now();
    calls.push(call("/" + workerData.organization));
  }
  parentPort.postMessage(await Promise.all(calls));
  await dispatcher.close();
})();
`;

it("counts calls by arrival: a client that sends at most 8 calls in every second is not blocked while the emulator's loop stalls", async () => {
  const emulator = await startEmulator();
  const { key, cert } = loadCredentials({
    pkcs12: readFileSync(emulator.clientKeystoreFile),
    password: emulator.clientKeystorePassword,
  }).tls;
  const client = new Worker(CLIENT, {
    eval: true,
    workerData: {
      undici: require.resolve("undici"),
      apiRoot: emulator.apiRoot,
      organization: emulator.organizationNumber,
      tls: { key, cert, ca: emulator.caCertificatePem },
      // 130 ms apart: never more than 8 in a second; 2 s of stall holds about 15 of them.
      spacingMs: 130,
      calls: 30,
      connections: 24,
    },
  });
  try {
    assert.equal((await once(client, "message"))[0], "ready");
    await new Promise((resolve) => setTimeout(resolve, 400));
    const stallUntil = Date.now() + 2000;
    while (Date.now() < stallUntil) {
      // a long synchronous job on the emulator's loop
    }
    const [statuses] = (await once(client, "message")) as [number[]];
    assert.equal(statuses.length, 30);
    assert.deepEqual(
      statuses.filter((status) => status !== 200),
      [],
      `statuses: ${statuses.join(" ")}`,
    );
  } finally {
    await client.terminate();
    await emulator.close();
  }
});
