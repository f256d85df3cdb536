import { jobRequestBody } from "../http/multipart";
import { packagePortalJob } from "../job-bundle";
import type { NoChanges, PortalJob, PortalJobResponse, PortalJobStatus } from "../model";
import { validatePortalJob } from "../validation";
import { parsePortalJobResponse, parsePortalJobStatus } from "../xml";
import { type ClientContext, jobsUrl, nextPermittedPollTime, noChanges, organizationOfUrl, type QueueOptions, requireUrl, senderOf } from "./context";

/** The portal flow: signers are notified and sign in Posten's portal, in the order given. */
export class PortalClient {
  constructor(private readonly context: ClientContext) {}

  async createJob(job: PortalJob): Promise<PortalJobResponse> {
    validatePortalJob(job, this.context.validation);
    const sender = senderOf(this.context, job.sender?.organizationNumber);
    const withQueue = job.pollingQueue === undefined && this.context.defaultPollingQueue !== undefined ? { ...job, pollingQueue: this.context.defaultPollingQueue } : job;
    const { requestXml, bundle } = packagePortalJob(withQueue, { organizationNumber: sender }, this.context.credentials);
    const body = jobRequestBody(requestXml, bundle);
    this.context.log(`creating portal job "${job.reference ?? job.title}" with ${job.signers.length} signer(s) for ${sender}`);
    const { text } = await this.context.api.callForText({
      method: "POST",
      url: jobsUrl(this.context, "portal", sender),
      accept: "application/xml",
      body: { contentType: body.contentType, length: body.length, content: () => body.stream() },
      operation: "create",
      organization: sender,
    });
    return parsePortalJobResponse(text);
  }

  /** The next change from the portal status queue, or NO_CHANGES with the next permitted poll time. */
  async nextStatusChange(options: QueueOptions = {}): Promise<PortalJobStatus | NoChanges> {
    const sender = senderOf(this.context, options.sender);
    const { response, text } = await this.context.api.callForText({
      method: "GET",
      url: jobsUrl(this.context, "portal", sender, options.pollingQueue ?? this.context.defaultPollingQueue),
      accept: "application/xml",
      operation: "poll",
      organization: sender,
    });
    const next = nextPermittedPollTime(this.context, response);
    if (response.status === 204) return noChanges("portal", next);
    return { ...parsePortalJobStatus(text), nextPermittedPollTime: next };
  }

  /** Cancels a job that is not yet completed; `JobNotCancellableError` when it is too late. */
  async cancel(cancellationUrl: string): Promise<void> {
    const url = requireUrl(cancellationUrl, "cancellationUrl");
    await this.context.api.callForNothing({ method: "POST", url, accept: "application/xml", operation: "cancel", organization: organizationOfUrl(this.context, url) });
  }
}
