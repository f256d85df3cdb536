import assert from "node:assert/strict";
import { it } from "node:test";
import { request } from "undici";
import { emulatorForFile } from "../support/emulator";
import { NATIONAL_IDS, portalJob } from "../support/jobs";

const running = emulatorForFile();

it("acts only on the method a page or control resource takes: a GET of a portal sign link (a link preview, a prefetch) signs nothing", async () => {
  const { emulator, client } = running;
  const created = await client.portal.createJob(portalJob());
  const signLink = `${emulator.signerWebUrl}/portal/jobs/${created.jobId}/signers/1/sign?identifier=${NATIONAL_IDS[0]}`;
  const fetched = await request(signLink);
  assert.equal(fetched.statusCode, 405);
  assert.equal(fetched.headers["allow"], "POST");
  assert.match(await fetched.body.text(), /takes POST, not GET/);
  assert.equal(emulator.control.jobSummary(Number(created.jobId)).signers[0]?.status, "WAITING");

  const posted = await request(signLink, { method: "POST" });
  await posted.body.dump();
  assert.deepEqual([posted.statusCode, posted.headers["location"]], [303, `/portal/jobs?identifier=${NATIONAL_IDS[0]}`]);
  assert.equal(emulator.control.jobSummary(Number(created.jobId)).signers[0]?.status, "SIGNED");

  const reset = await request(`${emulator.controlUrl}/reset`);
  assert.equal(reset.statusCode, 405);
  assert.equal(((await reset.body.json()) as { errorCode: string }).errorCode, "METHOD_NOT_ALLOWED");
  assert.equal(emulator.control.jobs().length, 1, "nothing was reset");

  const missing = await request(`${emulator.signerWebUrl}/nowhere`);
  assert.equal(missing.statusCode, 404);
  assert.match(await missing.body.text(), /<h1>Not found<\/h1><p>No page GET \/nowhere<\/p>/);
});
