import { InvalidInputError } from "../errors";
import { packageDirectJob } from "../job-bundle";
import { LIMITS } from "../limits";
import type { DirectJob, DirectJobResponse, DirectJobStatus, DirectSignerResponse, NoChanges } from "../model";
import { validateDirectJob } from "../validation";
import { buildDirectSignerUpdateRequest, parseDirectJobResponse, parseDirectJobStatus, parseDirectSignerResponse } from "../xml";
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

/** The direct flow: the signer signs in a session on the sender's web site. */
export class DirectClient {
  constructor(private readonly context: ClientContext) {}

  /** Validates, signs and sends the job; the response has a redirect URL per signer. */
  async createJob(job: DirectJob): Promise<DirectJobResponse> {
    validateDirectJob(job, this.context.validation);
    const sender = senderOf(this.context, job.sender?.organizationNumber);
    const withQueue =
      job.pollingQueue === undefined && this.context.defaultPollingQueue !== undefined && job.statusRetrievalMethod === "POLLING"
        ? { ...job, pollingQueue: this.context.defaultPollingQueue }
        : job;
    this.context.log(`creating direct job "${job.reference ?? job.title}" with ${job.documents.length} document(s) for ${sender}`);
    const xml = await sendJob(this.context, "direct", sender, job.reference, (signingTime) =>
      packageDirectJob(withQueue, { organizationNumber: sender }, this.context.credentials(), { signingTime }),
    );
    return checkResponseUrls(this.context, parseDirectJobResponse(xml));
  }

  /** The job's status after the signer came back to an exit URL with `status_query_token`. */
  async getStatus(statusUrl: string, statusQueryToken: string): Promise<DirectJobStatus> {
    const url = new URL(requireServiceUrl(this.context, statusUrl, "statusUrl"));
    if (typeof statusQueryToken !== "string" || statusQueryToken.trim() === "") {
      throw new InvalidInputError("statusQueryToken", "is required (the status_query_token query parameter of the exit URL)");
    }
    if (statusQueryToken.length > LIMITS.statusQueryTokenLength) {
      throw new InvalidInputError(
        "statusQueryToken",
        `must be at most ${LIMITS.statusQueryTokenLength} characters, was ${statusQueryToken.length}`,
      );
    }
    url.searchParams.set("status_query_token", statusQueryToken.trim());
    const { text } = await this.context.api.text({
      method: "GET",
      url: url.href,
      accept: "application/xml",
      operation: "status-by-token",
      organization: organizationOfUrl(this.context, url.href),
    });
    return checkResponseUrls(this.context, parseDirectJobStatus(text));
  }

  /** The next change from the status queue of jobs created with `statusRetrievalMethod: "POLLING"`. */
  nextStatusChange(options: QueueOptions = {}): Promise<DirectJobStatus | NoChanges> {
    return pollQueue(this.context, "direct", options, parseDirectJobStatus);
  }

  /** A new one-time redirect URL for a signer (the signer's `href` from the job response). */
  async requestNewRedirectUrl(signerUrl: string): Promise<DirectSignerResponse> {
    const url = requireServiceUrl(this.context, signerUrl, "signerUrl");
    const xml = buildDirectSignerUpdateRequest();
    const { text } = await this.context.api.text({
      method: "POST",
      url,
      accept: "application/xml",
      body: { contentType: "application/xml; charset=UTF-8", length: Buffer.byteLength(xml), content: () => xml },
      operation: "redirect",
      organization: organizationOfUrl(this.context, url),
    });
    return checkResponseUrls(this.context, parseDirectSignerResponse(text));
  }
}
