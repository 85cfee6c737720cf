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
  /** What the step is doing now, for the timeout and cancel messages: "requesting an access token from …". */
  activity: string | undefined;

  constructor(
    readonly timeoutMs: number,
    private readonly cancelSignal?: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.timeoutController.abort(), timeoutMs);
    this.signal = cancelSignal
      ? AbortSignal.any([this.timeoutController.signal, cancelSignal])
      : this.timeoutController.signal;
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
    const outer = this.activity;
    if (activity) this.activity = activity;
    await sleep(ms, undefined, { signal: this.signal });
    this.activity = outer;
  }

  /**
   * Runs `work` as the current activity and rejects with an AbortError the moment the deadline passes, whether or
   * not `work` honours the signal it is given.
   */
  async race<T>(activity: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const outer = this.activity;
    this.activity = activity;
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
      if (!this.ended) this.activity = outer;
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
