import type { Clock } from "./http/rate-limiter";
import { TooEagerPollingError } from "./errors";
import type { NoChanges, StatusChange } from "./model";

/**
 * Turns "fetch the next status change" into a stream of changes. It never polls before the
 * service's next permitted poll time: after an empty queue (or a refused early poll) it sleeps
 * until then. It does not confirm anything: the consumer confirms each change after handling
 * it, so a change is never lost between the queue and the consumer.
 */
export async function* pollStatusChanges<Change extends StatusChange>(
  nextChange: () => Promise<Change | NoChanges>,
  clock: Clock,
  signal?: AbortSignal,
  onWait?: (nextPoll: Date) => void,
): AsyncGenerator<Change, void, undefined> {
  let notBefore = 0;
  while (!signal?.aborted) {
    const wait = notBefore - clock.now();
    if (wait > 0) {
      onWait?.(new Date(notBefore));
      try {
        await clock.sleep(wait, signal);
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
        notBefore = error.nextPermittedPollTime.getTime();
        continue;
      }
      throw error;
    }
    if (result.status === "NO_CHANGES") {
      notBefore = result.nextPermittedPollTime.getTime();
      continue;
    }
    notBefore = result.nextPermittedPollTime?.getTime() ?? 0;
    yield result as Change;
  }
}
