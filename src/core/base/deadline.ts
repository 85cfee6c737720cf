/**
 * One timeout for the whole step: every wait and request is given this signal and ends the moment it passes, or
 * the moment the runner cancels the step (SIGINT/SIGTERM). Work that takes no signal (MSAL's own requests, the
 * runner's ID-token request) is raced against it with `race`, so nothing outlives the deadline.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class Deadline {
  private readonly timeoutController = new AbortController();
  private readonly timer: NodeJS.Timeout;
  readonly startedAt = Date.now();
  readonly signal: AbortSignal;
  private current: string | undefined;
  /**
   * Requests that others wait on (a token), oldest first, while out: a token request runs under whichever request
   * needed it, or in the background (a renewal, a token fetched ahead), so it is named before what waits on it.
   */
  private readonly blockers: string[] = [];

  constructor(
    readonly timeoutMs: number,
    private readonly cancelSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.timeoutController.abort(), timeoutMs);
    this.signal = cancelSignal
      ? AbortSignal.any([this.timeoutController.signal, cancelSignal])
      : this.timeoutController.signal;
  }

  /**
   * What the step is doing now, for the timeout and cancel messages: "requesting an access token from …"; the
   * latest request others wait on while one is out.
   */
  get activity(): string | undefined {
    return this.blockers.at(-1) ?? this.current;
  }

  set activity(value: string | undefined) {
    this.current = value;
  }

  /** The timeout passed. */
  get expired(): boolean {
    return this.timeoutController.signal.aborted;
  }

  /** The runner cancelled the step. */
  get cancelled(): boolean {
    return this.cancelSignal?.aborted === true && !this.expired;
  }

  /** Ended either way: nothing more may be sent. */
  get ended(): boolean {
    return this.signal.aborted;
  }

  /** Waits, or rejects with an AbortError when the deadline passes first; `activity` names the wait meanwhile. */
  async delay(ms: number, activity?: string): Promise<void> {
    const outer = this.current;
    if (activity) this.current = activity;
    await sleep(ms, undefined, { signal: this.signal });
    this.current = outer;
  }

  /**
   * Runs `work` as the current activity and rejects with an AbortError the moment the deadline passes, whether or
   * not `work` honours the signal it is given. `blocking`: others wait on it (see blockers).
   */
  async race<T>(
    activity: string,
    work: (signal: AbortSignal) => Promise<T>,
    options: { blocking?: boolean } = {},
  ): Promise<T> {
    const outer = this.current;
    this.current = activity;
    if (options.blocking) this.blockers.push(activity);
    try {
      this.signal.throwIfAborted();
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<never>((_, reject) => {
        onAbort = () => reject(abortError(activity));
        this.signal.addEventListener('abort', onAbort, { once: true });
      });
      try {
        return await Promise.race([work(this.signal), aborted]);
      } finally {
        this.signal.removeEventListener('abort', onAbort!);
      }
    } finally {
      // A failed activity stays named when the deadline ended it, so the message can say what was in flight.
      if (!this.ended) {
        this.current = outer;
        if (options.blocking) this.blockers.splice(this.blockers.lastIndexOf(activity), 1);
      }
    }
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

function abortError(activity: string): Error {
  const error = new Error(`Stopped while ${activity}`);
  error.name = 'AbortError';
  return error;
}
