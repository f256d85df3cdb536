import { packageDirectJob, packagePortalJob } from "../core/job-bundle";
import { loadCredentials } from "../core/keys";
import { readValidJobFile } from "./job-file";
import { keystoreFrom } from "./keystore";
import type { CliOptions } from "./options";
import { writeStreamToPrivateFile } from "./private-file";

/**
 * `bundle`: the signed ASiC-E of a job, written without sending it. The job is validated as
 * `create` validates it first, so a job the service would refuse never becomes a file.
 */
export async function runBundleCommand(options: CliOptions, jobFile: string, out: string): Promise<unknown> {
  const { job, digests } = readValidJobFile(jobFile, { checkNationalIdChecksum: !options["no-pin-checksum"] });
  const credentials = loadCredentials(keystoreFrom(options));
  const sender = { organizationNumber: job.sender?.organizationNumber ?? options.sender ?? credentials.organizationNumber };
  const packaging = { documentDigests: digests };
  const { bundle, manifestXml } =
    job.flow === "direct" ? packageDirectJob(job, sender, credentials, packaging) : packagePortalJob(job, sender, credentials, packaging);
  await writeStreamToPrivateFile(out, Promise.resolve(bundle.stream()));
  return { out, bytes: bundle.size, sender: sender.organizationNumber, manifest: manifestXml };
}
