import type { Clock } from "./clock";
import { TooEagerPollingError } from "./errors";
import type { NoChanges, StatusChange } from "./model";

/** The longest wait a server may ask for; a later next-poll time (e.g. year 2100) is capped. */
export const MAX_POLL_WAIT_MS = 60 * 60_000;
/** Sleeps are cut into slices of at most this, so no timer overflows and a moved clock is noticed. */
const SLEEP_SLICE_MS = 60_000;

/**
 * Turns "fetch the next status change" into a stream of changes. It never polls before the
 * service's next permitted poll time: after an empty queue (or a refused early poll) it sleeps
 * until then, at most an hour (a longer wait is capped and logged). It does not confirm
 * anything: the consumer confirms each change after handling it, so a change is never lost
 * between the queue and the consumer.
 */
export async function* pollStatusChanges<Change extends StatusChange>(
  nextChange: () => Promise<Change | NoChanges>,
  clock: Clock,
  signal?: AbortSignal,
  onWait?: (nextPoll: Date) => void,
  log?: (message: string) => void,
): AsyncGenerator<Change, void, undefined> {
  let notBefore = 0;
  let announced = 0;
  const waitUntil = (next: Date) => {
    const cap = clock.now() + MAX_POLL_WAIT_MS;
    if (next.getTime() > cap) {
      log?.(`the server asked to wait until ${next.toISOString()}; waiting an hour instead`);
      return cap;
    }
    return next.getTime();
  };
  while (!signal?.aborted) {
    const wait = notBefore - clock.now();
    if (wait > 0) {
      if (announced !== notBefore) onWait?.(new Date(notBefore));
      announced = notBefore;
      try {
        await clock.sleep(Math.min(wait, SLEEP_SLICE_MS), signal);
      } catch {
        return; // aborted while waiting
      }
      continue;
    }
    let result: Change | NoChanges;
    try {
      result = await nextChange();
    } catch (error) {
      if (error instanceof TooEagerPollingError) {
        notBefore = waitUntil(error.nextPermittedPollTime);
        continue;
      }
      throw error;
    }
    if (result.status === "NO_CHANGES") {
      notBefore = waitUntil(result.nextPermittedPollTime);
      continue;
    }
    notBefore = result.nextPermittedPollTime ? waitUntil(result.nextPermittedPollTime) : 0;
    yield result as Change;
  }
}
