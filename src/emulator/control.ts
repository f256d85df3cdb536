import type { EmulatorClock } from "./clock";
import type { Fault, FaultInjector } from "./faults";
import { type EmulatedJob, type JobBook, type Notification, type SignerReference, signerIn } from "./jobs";
import { Rejection } from "./rejection";
import type { Store } from "./store";

export type SignerAction = "sign" | "reject" | "fail";

export interface ActionResult {
  job: JobSummary;
  /** Direct flow: where the signer's browser is sent (the exit URL with `status_query_token`). */
  redirectUrl?: string;
}

export interface JobSummary {
  id: number;
  flow: string;
  sender: string;
  status: string;
  /** A status change was handed out (or is waiting) and has not been confirmed. */
  awaitingConfirmation: boolean;
  signers: { index: number; status: string; active: boolean; signatureType: string }[];
}

/** What happens on reset besides forgetting jobs, e.g. the poll-time bookkeeping. */
export type ResetListener = () => void;

/** Acting as signers, moving time, injecting faults and resetting: what tests and demos need without a browser. */
export class EmulatorControl {
  constructor(
    private readonly book: JobBook,
    private readonly clock: EmulatorClock,
    private readonly store: Store,
    private readonly faults: FaultInjector,
    private readonly onReset: ResetListener,
  ) {}

  act(jobId: number, signerReference: SignerReference, action: SignerAction): ActionResult {
    const job = this.job(jobId);
    const signer = signerIn(job, signerReference);
    this.book.act(job, signer, action, this.clock.now());
    const result: ActionResult = { job: this.summary(job) };
    if (job.exitUrls) {
      const target = action === "sign" ? job.exitUrls.completion : action === "reject" ? job.exitUrls.rejection : job.exitUrls.error;
      const url = new URL(target);
      url.searchParams.set("status_query_token", job.statusQueryTokens.at(-1) as string);
      result.redirectUrl = url.href;
    }
    return result;
  }

  sign(jobId: number, signer: SignerReference = 1): ActionResult {
    return this.act(jobId, signer, "sign");
  }

  reject(jobId: number, signer: SignerReference = 1): ActionResult {
    return this.act(jobId, signer, "reject");
  }

  /** The signing fails on the service's side (the direct signer is sent to the error URL). */
  fail(jobId: number, signer: SignerReference = 1): ActionResult {
    return this.act(jobId, signer, "fail");
  }

  /** Ends the job as if its time had run out: waiting signers become EXPIRED. */
  expire(jobId: number): JobSummary {
    const job = this.job(jobId);
    this.book.expire(job, this.clock.now());
    return this.summary(job);
  }

  /** Moves the emulator's clock forward: activation times, deadlines, expiry and redelivery follow it. */
  advanceClock(milliseconds: number): { now: string } {
    try {
      this.clock.advance(milliseconds);
    } catch (error) {
      if (error instanceof RangeError) throw new Rejection(400, "INVALID_INPUT", error.message);
      throw error;
    }
    this.store.saveClockOffset(this.clock.offset);
    this.book.tick(this.clock.now());
    return this.now();
  }

  now(): { now: string } {
    return { now: new Date(this.clock.now()).toISOString() };
  }

  injectFault(fault: Fault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** The e-mail and SMS notifications the service would have sent, oldest first. */
  outbox(): Notification[] {
    return [...this.book.outbox];
  }

  jobs(): JobSummary[] {
    return [...this.book.jobs.values()].map((job) => this.summary(job));
  }

  jobSummary(jobId: number): JobSummary {
    return this.summary(this.job(jobId));
  }

  /** Forgets every job, document and notification, puts the clock back to real time and clears faults; certificates stay. */
  reset(): void {
    this.book.clear();
    this.store.clear();
    this.clock.reset();
    this.faults.clear();
    this.onReset();
  }

  private job(jobId: number): EmulatedJob {
    const job = this.book.jobs.get(jobId);
    if (!job) throw new Rejection(404, "SIGNATURE_JOB_NOT_FOUND", `No signature job ${jobId}`);
    return job;
  }

  private summary(job: EmulatedJob): JobSummary {
    const now = this.clock.now();
    return {
      id: job.id,
      flow: job.flow,
      sender: job.sender,
      status: job.status,
      awaitingConfirmation: job.queued !== undefined,
      signers: job.signers.map((signer) => ({
        index: signer.index,
        status: signer.status,
        active: this.book.isActive(job, signer, now),
        signatureType: signer.signatureType,
      })),
    };
  }
}
