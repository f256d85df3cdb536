import { createHash } from "node:crypto";
import type { StatusChange } from "../../src/core";

/**
 * The key of one status change: the same on every redelivery of it (the service resends the
 * same job status), different for the job's next change. Flows use it to make their side effects
 * idempotent; the nodes use it to mark redeliveries.
 */
export function changeKeyOf(change: StatusChange): string {
  const signers =
    change.flow === "portal"
      ? change.signatures.map((signature) => [signature.status, signature.since])
      : change.signers.map((signer) => [signer.status, signer.since]);
  const parts = [change.flow, change.jobId, change.status, change.confirmationUrl ?? "", signers];
  return createHash("sha256").update(JSON.stringify(parts)).digest("base64url").slice(0, 22);
}

/** How many emitted, unconfirmed changes a configuration remembers; the oldest is forgotten first. */
export const EMITTED_CHANGES_LIMIT = 10_000;

/**
 * The changes this process has emitted and not yet seen confirmed, so a redelivery of one of
 * them can be marked. Bounded: entries leave on confirm, and beyond the limit the oldest go.
 */
export class EmittedChanges {
  private readonly unconfirmed = new Map<string, true>();

  constructor(private readonly limit = EMITTED_CHANGES_LIMIT) {}

  /** Records an emitted change; true when it was emitted before and not confirmed since (a redelivery). */
  emit(key: string): boolean {
    const redelivered = this.unconfirmed.delete(key);
    this.unconfirmed.set(key, true);
    if (this.unconfirmed.size > this.limit) this.unconfirmed.delete(this.unconfirmed.keys().next().value as string);
    return redelivered;
  }

  confirmed(key: string): void {
    this.unconfirmed.delete(key);
  }

  get size(): number {
    return this.unconfirmed.size;
  }
}
