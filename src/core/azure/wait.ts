/**
 * The poll loop of a long-running operation: our own loop rather than the SDK's pollUntilDone, so the first wait
 * honours Retry-After (the SDK polls twice back to back), the deadline ends it at once, and progress is logged.
 */
import type { OperationState, SimplePollerLike } from '@azure/core-lro';
import { formatDuration } from '../inputs/duration';
import type { Logger } from '../ports';
import type { Deadline } from './deadline';
import { Progress } from './progress';

export interface PollOptions {
  log: Logger;
  deadline: Deadline;
  pollIntervalMs: number;
  /** e.g. "Backup of 'apim-prod'": progress lines start with it. */
  label: string;
  /** Retry-After of the latest answer, if any. */
  retryAfterMs(): number | undefined;
  startedAt: number;
}

/** Polls until the operation is done; returns its duration or throws the operation's error. */
export async function pollUntilDone<T>(
  poller: SimplePollerLike<OperationState<T>, T>,
  options: PollOptions,
): Promise<number> {
  const { log, deadline, pollIntervalMs, label, startedAt } = options;
  const progress = new Progress(log, label, poller.getOperationState().status, startedAt);
  try {
    while (!poller.isDone()) {
      const retryAfterMs = options.retryAfterMs();
      const waitMs = retryAfterMs ?? pollIntervalMs;
      log.debug(
        `Next poll in ${formatDuration(waitMs)}${retryAfterMs !== undefined ? ' (Retry-After)' : ''}.`,
      );
      await deadline.delay(waitMs);
      await poller.poll({ abortSignal: deadline.signal });
      if (!poller.isDone()) progress.update(poller.getOperationState().status);
    }
    // Done: returns the result, or throws the operation's error, without another request.
    await poller.pollUntilDone({ abortSignal: deadline.signal });
    progress.finish(`${label} succeeded`);
    return Date.now() - startedAt;
  } finally {
    progress.stop();
  }
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Otherwise only an HTTP date (it has a weekday or month name): "1.5" or "-5" must not parse as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
