import type { EmulatorClock } from "./clock";
import type { Fault, FaultInjector } from "./faults";
import type { EmulatedJob, JobBook, Notification } from "./jobs";
import { Rejection } from "./rejection";
import { signerOf } from "./service";
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
  status: string;
  /** A status change was handed out (or is waiting) and has not been confirmed. */
  awaitingConfirmation: boolean;
  signers: { index: number; status: string; active: boolean }[];
}

/** Acting as signers, moving time and injecting faults: what tests and demos need without a browser. */
export class EmulatorControl {
  constructor(
    private readonly book: JobBook,
    private readonly clock: EmulatorClock,
    private readonly store: Store,
    private readonly faults: FaultInjector,
  ) {}

  act(jobId: number, signerIndex: number, action: SignerAction): ActionResult {
    const job = this.job(jobId);
    const signer = signerOf(job, signerIndex);
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

  sign(jobId: number, signerIndex = 1): ActionResult {
    return this.act(jobId, signerIndex, "sign");
  }

  reject(jobId: number, signerIndex = 1): ActionResult {
    return this.act(jobId, signerIndex, "reject");
  }

  fail(jobId: number, signerIndex = 1): ActionResult {
    return this.act(jobId, signerIndex, "fail");
  }

  expire(jobId: number): JobSummary {
    const job = this.job(jobId);
    this.book.expire(job, this.clock.now());
    return this.summary(job);
  }

  advanceClock(milliseconds: number): { now: string } {
    this.clock.advance(milliseconds);
    this.store.saveClockOffset(this.clock.offset);
    this.book.tick(this.clock.now());
    return { now: new Date(this.clock.now()).toISOString() };
  }

  injectFault(fault: Fault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  outbox(): Notification[] {
    return [...this.book.outbox];
  }

  jobSummary(jobId: number): JobSummary {
    return this.summary(this.job(jobId));
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
      status: job.status,
      awaitingConfirmation: job.queued !== undefined,
      signers: job.signers.map((signer) => ({ index: signer.index, status: signer.status, active: this.book.isActive(job, signer, now) })),
    };
  }
}
