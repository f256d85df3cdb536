import { packagePortalJob } from "../job-bundle";
import type { NoChanges, PortalJob, PortalJobResponse, PortalJobStatus } from "../model";
import { validatePortalJob } from "../validation";
import { parsePortalJobResponse, parsePortalJobStatus } from "../xml";
import {
  checkResponseUrls,
  type ClientContext,
  organizationOfUrl,
  pollQueue,
  type QueueOptions,
  requireServiceUrl,
  sendJob,
  senderOf,
} from "./context";

/** The portal flow: signers are notified and sign in Posten's portal, in the order given. */
export class PortalClient {
  constructor(private readonly context: ClientContext) {}

  async createJob(job: PortalJob): Promise<PortalJobResponse> {
    validatePortalJob(job, this.context.validation);
    const sender = senderOf(this.context, job.sender?.organizationNumber);
    const withQueue =
      job.pollingQueue === undefined && this.context.defaultPollingQueue !== undefined
        ? { ...job, pollingQueue: this.context.defaultPollingQueue }
        : job;
    this.context.log(`creating portal job "${job.reference ?? job.title}" with ${job.signers.length} signer(s) for ${sender}`);
    const xml = await sendJob(this.context, "portal", sender, job.reference, (signingTime) =>
      packagePortalJob(withQueue, { organizationNumber: sender }, this.context.credentials(), { signingTime }),
    );
    return checkResponseUrls(this.context, parsePortalJobResponse(xml));
  }

  /** The next change from the portal status queue, or NO_CHANGES with the next permitted poll time. */
  nextStatusChange(options: QueueOptions = {}): Promise<PortalJobStatus | NoChanges> {
    return pollQueue(this.context, "portal", options, parsePortalJobStatus);
  }

  /** Cancels a job that is not yet completed; `JobNotCancellableError` when it is too late. */
  async cancel(cancellationUrl: string): Promise<void> {
    const url = requireServiceUrl(this.context, cancellationUrl, "cancellationUrl");
    await this.context.api.nothing({
      method: "POST",
      url,
      accept: "application/xml",
      operation: "cancel",
      organization: organizationOfUrl(this.context, url),
    });
  }
}
