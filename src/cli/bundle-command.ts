import { createWriteStream, rmSync } from "node:fs";
import { pipeline } from "node:stream/promises";
import { packageDirectJob, packagePortalJob } from "../core/job-bundle";
import { loadCredentials } from "../core/keys";
import { validateDirectJob, validatePortalJob } from "../core/validation";
import { readJobFile } from "./job-file";
import { keystoreFrom } from "./keystore";
import type { CliOptions } from "./options";

/**
 * `bundle`: the signed ASiC-E of a job, written without sending it. The job is validated as
 * `create` validates it first, so a job the service would refuse never becomes a file.
 */
export async function runBundleCommand(options: CliOptions, jobFile: string, out: string): Promise<unknown> {
  const job = readJobFile(jobFile);
  const validation = { checkNationalIdChecksum: !options["no-pin-checksum"] };
  if (job.flow === "direct") validateDirectJob(job, validation);
  else validatePortalJob(job, validation);
  const credentials = loadCredentials(keystoreFrom(options));
  const sender = { organizationNumber: job.sender?.organizationNumber ?? options.sender ?? credentials.organizationNumber };
  const { bundle, manifestXml } =
    job.flow === "direct" ? packageDirectJob(job, sender, credentials) : packagePortalJob(job, sender, credentials);
  try {
    await pipeline(bundle.stream(), createWriteStream(out));
  } catch (error) {
    rmSync(out, { force: true });
    throw error;
  }
  return { out, bytes: bundle.size, sender: sender.organizationNumber, manifest: manifestXml };
}
